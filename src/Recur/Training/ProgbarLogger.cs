using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Recur.Training;

/// <summary>
/// Keras 3's progress bar: <c>Epoch 1/10</c>, then per epoch
/// <c>469/469 ━━━━━━━━━━━━━━━━━━━━ 4s 9ms/step - accuracy: 0.9612 - loss: 0.1270 - val_accuracy: 0.9750 - val_loss: 0.0850</c>.
/// On a terminal the line is redrawn as batches finish (with the time left); when the output is redirected (or
/// with verbose 2) only the finished line is written, one per epoch; verbose 2 writes Keras's compact form
/// <c>469/469 - 4s - 9ms/step - accuracy: ...</c>. <c>Fit</c> adds one when <c>verbose</c> is not 0.
/// </summary>
public sealed class ProgbarLogger : Callback
{
    private const int BarWidth = 20;
    private readonly TextWriter _output;
    private readonly bool _live;
    private long _epochStart;
    private long _lastDraw;

    /// <summary>Creates the logger.</summary>
    /// <param name="output">Where to write; the console when null.</param>
    /// <param name="live">Redraw the line during the epoch; by default, when writing to a console that is not redirected.</param>
    public ProgbarLogger(TextWriter? output = null, bool? live = null)
    {
        _output = output ?? Console.Out;
        _live = live ?? (output is null && !Console.IsOutputRedirected);
    }

    /// <inheritdoc/>
    public override bool OnEveryReplica => false;

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch)
    {
        if (Params.Epochs > 1)
        {
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Epoch {epoch + 1}/{Params.Epochs}"));
        }

        _epochStart = _lastDraw = Stopwatch.GetTimestamp();
    }

    /// <inheritdoc/>
    public override void OnBatchEnd(int batch, IDictionary<string, double> logs)
    {
        if (!_live || Params.Verbose != 1 || Stopwatch.GetElapsedTime(_lastDraw).TotalSeconds < 0.1)
        {
            return;
        }

        _lastDraw = Stopwatch.GetTimestamp();
        _output.Write("\r" + Line(batch + 1, logs, final: false) + "\u001b[K");
        _output.Flush();
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        string line = Line(Params.Steps, logs, final: true);
        _output.WriteLine(_live && Params.Verbose == 1 ? "\r" + line + "\u001b[K" : line);
        _output.Flush();
    }

    /// <summary>The bar line after <paramref name="done"/> of the epoch's batches.</summary>
    internal string Line(int done, IDictionary<string, double> logs, bool final)
    {
        double elapsed = Stopwatch.GetElapsedTime(_epochStart).TotalSeconds;
        int steps = Math.Max(Params.Steps, 1);
        double perStep = elapsed / Math.Max(done, 1);
        var text = new StringBuilder();
        if (final && Params.Verbose == 2)
        {
            text.Append(CultureInfo.InvariantCulture, $"{steps}/{steps} - {elapsed:F0}s - {FormatPerStep(perStep)}");
            AppendLogs(text, logs);
            return text.ToString();
        }

        string count = done.ToString(CultureInfo.InvariantCulture).PadLeft(steps.ToString(CultureInfo.InvariantCulture).Length);
        int filled = (int)((long)BarWidth * done / steps);
        text.Append(CultureInfo.InvariantCulture, $"{count}/{steps} ");
        if (_live)
        {
            text.Append("\u001b[32m").Append('━', filled).Append("\u001b[0m\u001b[37m").Append('━', BarWidth - filled).Append("\u001b[0m");
        }
        else
        {
            text.Append('━', filled).Append(' ', BarWidth - filled);
        }

        double shown = final ? elapsed : perStep * (steps - done);
        text.Append(CultureInfo.InvariantCulture, $" {shown:F0}s {FormatPerStep(perStep)}");
        AppendLogs(text, logs);
        return text.ToString();
    }

    /// <summary>" - key: value" for every log but the learning rate, keys in ordinal order, values as Keras formats them.</summary>
    private static void AppendLogs(StringBuilder text, IDictionary<string, double> logs)
    {
        foreach (string key in logs.Keys.Where(k => k != "lr").Order(StringComparer.Ordinal))
        {
            double v = logs[key];
            text.Append(" - ").Append(key).Append(": ")
                .Append(v.ToString(Math.Abs(v) > 1e-3 || v == 0 ? "F4" : "0.0000e+0", CultureInfo.InvariantCulture));
        }
    }

    /// <summary>"9ms/step", "1s/step" or "850us/step", as Keras rounds them.</summary>
    private static string FormatPerStep(double seconds) =>
        seconds >= 1 ? string.Create(CultureInfo.InvariantCulture, $"{seconds:F0}s/step")
        : seconds >= 1e-3 ? string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e3:F0}ms/step")
        : string.Create(CultureInfo.InvariantCulture, $"{seconds * 1e6:F0}us/step");
}
