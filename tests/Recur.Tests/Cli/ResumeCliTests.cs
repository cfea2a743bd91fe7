using System.Diagnostics;
using Recur.Cli;
using Recur.Models;
using Xunit.Abstractions;

namespace Recur.Tests.Cli;

/// <summary>
/// <c>recur train --resume</c>: a run killed (<c>kill -9</c>) while it trains, its checkpoints included, and resumed
/// ends bit-identical to a run that never stopped — weights and metrics.csv — on another thread count; and the
/// resumptions that cannot be honest are refused with one line.
/// </summary>
[Collection(nameof(ResumeCliTests))] // a child process each: not beside the CPU-bound tests, which would slow it
public sealed class ResumeCliTests(ITestOutputHelper log) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Npy(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "npy", name);

    /// <summary>Long enough that the child is still training when it is killed, with a checkpoint every 10 steps.</summary>
    private static readonly string[] Options =
    [
        "--data", Npy("task_train_x.npy"), "--labels", Npy("task_train_y.npy"), "--steps", "500", "--batch-size", "16", "--hidden", "32",
        "--lr", "0.005", "--display-step", "10", "--validation-step", "10", "--dropout", "0.2", "--recurrent-dropout", "0.2",
    ];

    private (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(args, output, error);
        log.WriteLine($"$ recur {string.Join(" ", args)}\n{Tail(output.ToString())}{error}exit {code}");
        return (code, output.ToString(), error.ToString());
    }

    [Fact]
    public void KilledRunResumesBitForBit()
    {
        string reference = _dir.File("reference"), killed = _dir.File("killed");
        Assert.Equal(0, Run(["train", .. Options, "--out", reference, "--threads", "2"]).Code);

        int lastStep = KillWhileTraining(["train", .. Options, "--out", killed, "--threads", "1"], killAfter: "Step 100,");
        Assert.True(lastStep < 500, $"the child finished (step {lastStep}) before it could be killed; nothing was tested");

        var (code, output, error) = Run("train", "--resume", killed, "--threads", "2");
        Assert.True(code == 0, error);
        Assert.Contains("Resuming from step ", output);
        AssertSameWeights(reference, killed);
        Assert.Equal(File.ReadAllText(Path.Combine(reference, "metrics.csv")), File.ReadAllText(Path.Combine(killed, "metrics.csv")));
    }

    [Fact]
    public void KilledTextRunResumesBitForBit()
    {
        // Texts: Embedding(maskZero) masks through a bidirectional GRU with recurrent dropout, sequences of their own lengths.
        var rows = new List<string>();
        foreach (string language in new[] { "french", "ngerman", "italian" })
        {
            rows.AddRange(File.ReadLines(CliRun.Fixture("words", language)).Where(w => w.Length > 0).Select(w => $"{language}\t{w}"));
        }

        string words = _dir.File("words.txt");
        var rng = new Random(3);
        File.WriteAllLines(words, rows.OrderBy(_ => rng.Next()));
        string[] options =
        [
            "--text", words, "--model", "gru", "--bidirectional", "--recurrent-dropout", "0.2", "--steps", "400", "--batch-size", "16",
            "--hidden", "16", "--embedding-dim", "8", "--lr", "0.01", "--display-step", "10", "--validation-step", "10",
        ];
        string reference = _dir.File("text-reference"), killed = _dir.File("text-killed");
        Assert.Equal(0, Run(["train", .. options, "--out", reference, "--threads", "1"]).Code);

        int lastStep = KillWhileTraining(["train", .. options, "--out", killed, "--threads", "2"], killAfter: "Step 60,");
        Assert.True(lastStep < 400, $"the child finished (step {lastStep}) before it could be killed; nothing was tested");

        var (code, output, error) = Run("train", "--resume", killed, "--threads", "2");
        Assert.True(code == 0, error);
        Assert.Contains("Resuming from step ", output);
        AssertSameWeights(reference, killed);
        Assert.Equal(File.ReadAllText(Path.Combine(reference, "metrics.csv")), File.ReadAllText(Path.Combine(killed, "metrics.csv")));
    }

    [Fact]
    public void ResumeWithOtherOptionsOrOfAFinishedRunIsRefused()
    {
        string run = _dir.File("run");
        string[] shortRun = [.. Options[..^4], "--out", run];
        shortRun[Array.IndexOf(shortRun, "500")] = "20";
        Assert.Equal(0, Run(["train", .. shortRun]).Code);
        var finished = Run("train", "--resume", run);
        AssertOneLine(finished, 2, "that run has finished; there is nothing to resume");

        var other = Run("train", "--resume", run, "--hidden", "24");
        AssertOneLine(other, 2, "--hidden 24 differs from the run's options (the run used --hidden 32)");

        var notRun = Run("train", "--resume", _dir.Path);
        AssertOneLine(notRun, 2, "is not a run directory of recur train (it has no run.json)");

        var missing = Run("train", "--resume", _dir.File("nowhere"));
        AssertOneLine(missing, 2, "the directory does not exist");
    }

    /// <summary>Starts <c>recur</c> as a child process, kills it when a line contains <paramref name="killAfter"/>, and returns the last step it printed.</summary>
    private int KillWhileTraining(string[] args, string killAfter)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "Recur.Cli.dll"));
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process child = Process.Start(start)!;
        child.ErrorDataReceived += (_, _) => { };
        child.BeginErrorReadLine();
        int lastStep = 0;
        while (child.StandardOutput.ReadLine() is string line)
        {
            if (line.StartsWith("Step ", StringComparison.Ordinal))
            {
                lastStep = int.Parse(line[5..line.IndexOf(',')], System.Globalization.CultureInfo.InvariantCulture);
            }

            if (line.Contains(killAfter, StringComparison.Ordinal))
            {
                child.Kill(entireProcessTree: true);
                break;
            }
        }

        child.WaitForExit();
        log.WriteLine($"killed the child after step {lastStep} (exit {child.ExitCode})");
        return lastStep;
    }

    private static void AssertSameWeights(string expected, string actual)
    {
        Sequential a = ModelFile.Load(expected).Model, b = ModelFile.Load(actual).Model;
        Assert.Equal(a.Parameters.Count, b.Parameters.Count);
        for (int i = 0; i < a.Parameters.Count; i++)
        {
            Bits.AssertEqual(a.Parameters[i].Value.Span, b.Parameters[i].Value.Span, a.Parameters[i].Name);
        }
    }

    private static void AssertOneLine((int Code, string Out, string Err) result, int code, string fragment)
    {
        Assert.Equal(code, result.Code);
        string line = Assert.Single(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(fragment, line);
    }

    private static string Tail(string text) => text.Length > 2000 ? "…" + text[^2000..] : text;
}
