using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace Recur.Training;

/// <summary>
/// Keras's <c>CSVLogger</c>: one row per epoch, <c>epoch</c> then every log key in ordinal order
/// (<c>epoch,accuracy,loss,lr,val_accuracy,val_loss</c>), values in round-trip form. Or, with columns, one row after
/// every step a predicate picks, each column's value read from the loop and the logs (<c>recur train</c>'s
/// <c>metrics.csv</c>: <c>step,loss,train_accuracy,validation_accuracy</c> at its display and validation steps); a NaN
/// value is an empty cell. Each row is flushed as it is written.
/// A resumed run (<see cref="Trainer.Resumed"/>) cuts the file back to the rows of the checkpoint it resumes from and
/// appends after them, so the file ends as that of a run that never stopped; for that, list the logger before the
/// callback that checkpoints, so a checkpoint taken after a step counts that step's row.
/// </summary>
public sealed class CsvLogger : Callback
{
    private readonly string _path;
    private readonly char _separator;
    private readonly bool _append;
    private readonly IReadOnlyList<CsvColumn>? _columns;
    private readonly Func<Trainer, bool>? _rowAfterStep;
    private StreamWriter? _writer;
    private string[]? _keys;

    /// <summary>Creates the logger.</summary>
    /// <param name="filename">The CSV file; created or replaced at train begin (appended to with <paramref name="append"/>).</param>
    /// <param name="separator">The field separator.</param>
    /// <param name="append">Append to an existing file instead of replacing it; the header is written only to an empty file.</param>
    public CsvLogger(string filename, char separator = ',', bool append = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(filename);
        _path = filename;
        _separator = separator;
        _append = append;
    }

    /// <summary>Creates a logger of one row per chosen step.</summary>
    /// <param name="filename">The CSV file; created or replaced at train begin.</param>
    /// <param name="columns">The columns, in order, with how to read each value.</param>
    /// <param name="rowAfterStep">Whether to write a row after the step just done (<see cref="Trainer.Step"/>).</param>
    /// <param name="separator">The field separator.</param>
    public CsvLogger(string filename, IReadOnlyList<CsvColumn> columns, Func<Trainer, bool> rowAfterStep, char separator = ',')
        : this(filename, separator)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(rowAfterStep);
        if (columns.Count == 0)
        {
            throw new ArgumentException("CsvLogger: give at least one column.", nameof(columns));
        }

        _columns = columns;
        _rowAfterStep = rowAfterStep;
    }

    /// <inheritdoc/>
    public override bool OnEveryReplica => false;

    /// <inheritdoc/>
    public override void OnBatchEnd(int batch, IDictionary<string, double> logs)
    {
        if (_columns is null || !_rowAfterStep!(Trainer))
        {
            return;
        }

        StreamWriter writer = _writer ?? throw new InvalidOperationException("CsvLogger: OnBatchEnd before OnTrainBegin.");
        if (_keys is null)
        {
            _keys = _columns.Select(c => c.Name).ToArray();
            writer.WriteLine(string.Join(_separator, _keys));
        }

        var row = new StringBuilder();
        for (int i = 0; i < _columns.Count; i++)
        {
            double v = _columns[i].Value(Trainer, logs);
            if (i > 0)
            {
                row.Append(_separator);
            }

            if (!double.IsNaN(v))
            {
                row.Append(v.ToString("R", CultureInfo.InvariantCulture));
            }
        }

        writer.WriteLine(row.ToString());
        writer.Flush();
    }

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        _writer?.Dispose();
        _writer = null;
        _keys = null;
        if (!Trainer.Resumed)
        {
            Open(_append);
        }
    }

    /// <inheritdoc/>
    public override JsonNode SaveState()
    {
        _writer?.Flush();
        return new JsonObject
        {
            ["length"] = File.Exists(_path) ? new FileInfo(_path).Length : 0,
            ["keys"] = _keys is null ? null : new JsonArray(_keys.Select(k => (JsonNode)k).ToArray()),
        };
    }

    /// <inheritdoc/>
    public override void RestoreState(JsonNode state)
    {
        long length = (long?)state["length"] ?? 0;
        if (File.Exists(_path) && new FileInfo(_path).Length < length)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"CsvLogger: {_path} holds {new FileInfo(_path).Length} bytes, fewer than the {length} it had at the checkpoint; it was changed since. Restore it, or log to another file."));
        }

        Open(append: true, truncateTo: length);
        _keys = (state["keys"] as JsonArray)?.Select(k => (string)k!).ToArray();
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        if (_columns is not null)
        {
            return;
        }

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
    public override bool OnDivergence(Losses.DivergenceException exception)
    {
        _writer?.Dispose(); // no row follows a divergence; the rows so far are on disk
        _writer = null;
        return false;
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(IDictionary<string, double> logs)
    {
        _writer?.Dispose();
        _writer = null;
    }

    private void Open(bool append, long? truncateTo = null)
    {
        string? dir = Path.GetDirectoryName(Path.GetFullPath(_path));
        Directory.CreateDirectory(dir!);
        if (append && truncateTo is null && File.Exists(_path) && new FileInfo(_path).Length > 0)
        {
            _keys = File.ReadLines(_path).First().Split(_separator).Skip(1).ToArray(); // continue under the file's header
        }

        var stream = new FileStream(_path, append ? FileMode.OpenOrCreate : FileMode.Create, FileAccess.Write, FileShare.Read);
        if (truncateTo is long length)
        {
            stream.SetLength(length);
        }

        stream.Seek(0, SeekOrigin.End);
        _writer = new StreamWriter(stream, new UTF8Encoding(false));
    }
}
