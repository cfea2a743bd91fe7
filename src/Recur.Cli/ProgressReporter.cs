using System.Diagnostics;
using System.Globalization;
using Spectre.Console;

namespace Recur.Cli;

/// <summary>Prints log lines and, on an interactive terminal, a progress bar with ETA and samples/s.</summary>
internal interface IProgressReporter
{
    /// <summary>Prints one log line (above the bar, when there is one).</summary>
    void Line(string text);

    /// <summary>Reports that <paramref name="step"/> steps are done.</summary>
    void Advance(int step);
}

/// <summary>Chooses the reporter: a Spectre.Console bar for a terminal, plain lines when redirected.</summary>
internal static class ProgressReporter
{
    /// <summary>Runs <paramref name="body"/> with a reporter suited to <paramref name="output"/>.</summary>
    public static void Run(TextWriter output, int totalSteps, int batchSize, Action<IProgressReporter> body)
    {
        bool terminal = ReferenceEquals(output, Console.Out) && !Console.IsOutputRedirected && AnsiConsole.Profile.Capabilities.Interactive;
        if (!terminal)
        {
            body(new PlainReporter(output));
            output.Flush();
            return;
        }

        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn(), new TaskDescriptionColumn())
            .Start(context => body(new BarReporter(context.AddTask("starting", maxValue: totalSteps), batchSize)));
    }

    private sealed class PlainReporter(TextWriter output) : IProgressReporter
    {
        public void Line(string text) => output.WriteLine(text);

        public void Advance(int step)
        {
        }
    }

    private sealed class BarReporter(ProgressTask task, int batchSize) : IProgressReporter
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _lastUpdate;

        public void Line(string text) => AnsiConsole.WriteLine(text);

        public void Advance(int step)
        {
            task.Value = step;
            long now = _clock.ElapsedMilliseconds;
            if (now - _lastUpdate >= 500)
            {
                _lastUpdate = now;
                double rate = step * (double)batchSize / _clock.Elapsed.TotalSeconds;
                task.Description = string.Create(CultureInfo.InvariantCulture, $"step {step:N0}/{task.MaxValue:N0}, {rate:N0} samples/s");
            }
        }
    }
}
