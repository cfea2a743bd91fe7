using System.Diagnostics;
using System.Globalization;

namespace Recur.IO;

/// <summary>
/// Writes a TensorBoard event file (<c>events.out.tfevents.&lt;unix seconds&gt;.&lt;host&gt;.&lt;pid&gt;.&lt;n&gt;</c>)
/// in a log directory: TFRecord-framed <c>Event</c> protocol buffers, the first one
/// <c>file_version = "brain.Event:2"</c>, then one per scalar. Point <c>tensorboard --logdir</c>
/// at the directory (or at its parent, for several runs side by side).
/// </summary>
/// <remarks>
/// Records are buffered and handed to the operating system on <see cref="Flush"/>, on
/// <see cref="Dispose"/>, and by <see cref="AddScalar"/> once <see cref="FlushInterval"/> has passed
/// since the last flush, so TensorBoard sees progress during a run. The methods are thread-safe.
/// </remarks>
public sealed class TensorBoardWriter : IDisposable
{
    /// <summary>The <c>file_version</c> of the first event, which TensorBoard checks.</summary>
    public const string FileVersion = "brain.Event:2";

    // Field numbers of tensorboard/compat/proto/event.proto and summary.proto.
    private const int EventWallTime = 1;
    private const int EventStep = 2;
    private const int EventFileVersion = 3;
    private const int EventSummary = 5;
    private const int SummaryValue = 1;
    private const int ValueTag = 1;
    private const int ValueSimpleValue = 2;

    private static int s_counter;

    private readonly object _gate = new();
    private readonly FileStream _stream;
    private readonly ProtoWriter _event = new();
    private readonly ProtoWriter _summary = new();
    private readonly ProtoWriter _value = new();
    private long _lastFlush;
    private bool _disposed;

    /// <summary>Creates <paramref name="logDir"/> if needed and starts a new event file in it.</summary>
    /// <param name="logDir">The run's log directory.</param>
    /// <param name="fileSuffix">Appended to the file name (TensorBoard ignores it), e.g. <c>.v2</c>; none when null.</param>
    /// <exception cref="ArgumentException"><paramref name="logDir"/> is empty, or the suffix holds a path separator.</exception>
    public TensorBoardWriter(string logDir, string? fileSuffix = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(logDir);
        if (fileSuffix is not null && fileSuffix.IndexOfAny(['/', '\\']) >= 0)
        {
            throw new ArgumentException($"fileSuffix '{fileSuffix}' contains a path separator; it is appended to a file name.", nameof(fileSuffix));
        }

        LogDir = logDir;
        Directory.CreateDirectory(logDir);
        double now = UnixNow();
        string host = SafeName(Environment.MachineName);
        int pid = Environment.ProcessId;
        string seconds = ((long)now).ToString(CultureInfo.InvariantCulture);
        for (int attempt = 0; ; attempt++)
        {
            int n = Interlocked.Increment(ref s_counter);
            string path = Path.Combine(logDir, $"events.out.tfevents.{seconds}.{host}.{pid}.{n}{fileSuffix}");
            try
            {
                _stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1 << 14);
                FilePath = path;
                break;
            }
            catch (IOException) when (attempt < 100 && File.Exists(path))
            {
                // Another writer took this name; the counter moves on.
            }
        }

        try
        {
            _event.WriteDouble(EventWallTime, now);
            _event.WriteString(EventFileVersion, FileVersion);
            TfRecord.Write(_stream, _event.WrittenSpan);
            _stream.Flush();
        }
        catch
        {
            _stream.Dispose();
            throw;
        }

        _lastFlush = Stopwatch.GetTimestamp();
    }

    /// <summary>The log directory given to the constructor.</summary>
    public string LogDir { get; }

    /// <summary>The event file being written.</summary>
    public string FilePath { get; }

    /// <summary>
    /// How long <see cref="AddScalar"/> may keep records buffered before it flushes them; 2 seconds by
    /// default, <see cref="TimeSpan.Zero"/> to flush after every record.
    /// </summary>
    public TimeSpan FlushInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Appends one scalar as its own <c>Event</c> (<c>Summary.Value.simple_value</c>).</summary>
    /// <param name="tag">The chart name, e.g. <c>epoch_loss</c>; <c>/</c> groups charts.</param>
    /// <param name="value">The value; NaN and infinities are stored as they are.</param>
    /// <param name="step">The x coordinate (global step or epoch).</param>
    /// <param name="wallTime">Seconds since 1970-01-01 UTC; now when null.</param>
    /// <exception cref="ArgumentException"><paramref name="tag"/> is empty.</exception>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void AddScalar(string tag, float value, long step, double? wallTime = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(tag);
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            EncodeScalarEvent(_event, _summary, _value, tag, value, step, wallTime ?? UnixNow());
            TfRecord.Write(_stream, _event.WrittenSpan);
            if (Stopwatch.GetElapsedTime(_lastFlush) >= FlushInterval)
            {
                FlushLocked();
            }
        }
    }

    /// <summary>Hands every buffered record to the operating system, so TensorBoard can read it.</summary>
    /// <exception cref="ObjectDisposedException">The writer was disposed.</exception>
    public void Flush()
    {
        lock (_gate)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            FlushLocked();
        }
    }

    /// <summary>Flushes the file to disk and closes it. Calling it again does nothing.</summary>
    public void Dispose()
    {
        lock (_gate)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            try
            {
                _stream.Flush(flushToDisk: true);
            }
            finally
            {
                _stream.Dispose();
            }
        }
    }

    /// <summary>
    /// Encodes <c>Event { wall_time, step, summary { value { tag, simple_value } } }</c> into
    /// <paramref name="evt"/>, with proto3's rule that zero scalars are left out.
    /// </summary>
    internal static void EncodeScalarEvent(
        ProtoWriter evt, ProtoWriter summary, ProtoWriter value, string tag, float simpleValue, long step, double wallTime)
    {
        value.Clear();
        value.WriteString(ValueTag, tag);
        value.WriteFloat(ValueSimpleValue, simpleValue);
        summary.Clear();
        summary.WriteMessage(SummaryValue, value);
        evt.Clear();
        if (wallTime != 0)
        {
            evt.WriteDouble(EventWallTime, wallTime);
        }

        if (step != 0)
        {
            evt.WriteInt64(EventStep, step);
        }

        evt.WriteMessage(EventSummary, summary);
    }

    private void FlushLocked()
    {
        _stream.Flush();
        _lastFlush = Stopwatch.GetTimestamp();
    }

    private static double UnixNow() =>
        (DateTime.UtcNow - DateTime.UnixEpoch).Ticks / (double)TimeSpan.TicksPerSecond;

    private static string SafeName(string host)
    {
        char[] chars = host.ToCharArray();
        char[] invalid = Path.GetInvalidFileNameChars();
        for (int i = 0; i < chars.Length; i++)
        {
            if (Array.IndexOf(invalid, chars[i]) >= 0 || chars[i] == '\\' || char.IsWhiteSpace(chars[i]))
            {
                chars[i] = '_';
            }
        }

        return chars.Length == 0 ? "localhost" : new string(chars);
    }
}
