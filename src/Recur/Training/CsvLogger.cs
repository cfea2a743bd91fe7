using System.Globalization;
using System.Text;

namespace Recur.Training;

/// <summary>
/// Keras's <c>CSVLogger</c>: one row per epoch, <c>epoch</c> then every log key in ordinal order
/// (<c>epoch,accuracy,loss,lr,val_accuracy,val_loss</c>), values in round-trip form. Each row is flushed as it is written.
/// </summary>
public sealed class CsvLogger : Callback
{
    private readonly string _path;
    private readonly char _separator;
    private readonly bool _append;
    private StreamWriter? _writer;
    private string[]? _keys;

    /// <summary>Creates the logger.</summary>
    /// <param name="filename">The CSV file; created or replaced at train begin (appended to with <paramref name="append"/>).</param>
    /// <param name="separator">The field separator.</param>
    /// <param name="append">Append to an existing file (when resuming) instead of replacing it; the header is written only to an empty file.</param>
    public CsvLogger(string filename, char separator = ',', bool append = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(filename);
        _path = filename;
        _separator = separator;
        _append = append;
    }

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(_path));
        Directory.CreateDirectory(dir!);
        bool hasHeader = _append && File.Exists(_path) && new FileInfo(_path).Length > 0;
        _writer = new StreamWriter(_path, _append, new UTF8Encoding(false));
        _keys = null;
        if (hasHeader)
        {
            _keys = File.ReadLines(_path).First().Split(_separator).Skip(1).ToArray();
        }
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        StreamWriter writer = _writer ?? throw new InvalidOperationException("CsvLogger: OnEpochEnd before OnTrainBegin.");
        if (_keys is null)
        {
            _keys = logs.Keys.Order(StringComparer.Ordinal).ToArray();
            writer.WriteLine(string.Join(_separator, _keys.Prepend("epoch")));
        }

        var row = new StringBuilder(epoch.ToString(CultureInfo.InvariantCulture));
        foreach (string key in _keys)
        {
            row.Append(_separator);
            if (logs.TryGetValue(key, out double v))
            {
                row.Append(v.ToString("R", CultureInfo.InvariantCulture));
            }
        }

        writer.WriteLine(row.ToString());
        writer.Flush();
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(IDictionary<string, double> logs)
    {
        _writer?.Dispose();
        _writer = null;
    }
}
