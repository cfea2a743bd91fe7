using System.Diagnostics;
using Recur.Cli;
using Recur.IO;
using Recur.Models;
using Recur.Tests.IO;
using Xunit.Abstractions;

namespace Recur.Tests.Cli;

/// <summary><c>recur train</c>'s run directory: checkpoints, its lock, <c>--overwrite</c>, failures to write; <c>--checkpoint</c> of evaluate and predict.</summary>
public sealed class RunDirectoryCliTests(ITestOutputHelper log) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Csv(string name) => CliRun.Fixture("csv", name);

    /// <summary>A short run on the small CSV task of tools/make_npy_fixtures.py.</summary>
    private static string[] Train(string run, int steps = 30, params string[] more) =>
        ["train", "--data", Csv("task_train.csv"), "--features", "2", "--hidden", "8", "--batch-size", "16", "--lr", "0.01", "--display-step", "10", "--steps", $"{steps}", "--out", run, .. more];

    private (int Code, string Out, string Err) Run(params string[] args) => CliRun.Command(log, args);

    private (int Code, string Out, string Err) Run(TrainSettings settings) => CliRun.Train(log, settings);

    private static TrainSettings Settings(string run) => new()
    {
        Data = new DataSettings { Data = Csv("task_train.csv"), Features = 2 },
        Hidden = 8,
        BatchSize = 16,
        LearningRate = 0.01,
        DisplayStep = 10,
        Steps = 30,
        OutputDirectory = run,
    };

    private static string OneLine(string error)
    {
        string[] lines = error.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        return Assert.Single(lines);
    }

    [Fact]
    public void AnUnwritableOutFailsInOneLineBeforeTraining()
    {
        string file = _dir.File("notes.txt");
        File.WriteAllText(file, "not a directory");
        var (code, output, error) = Run(Train(Path.Combine(file, "run")));
        Assert.Equal(1, code);
        Assert.Equal($"recur train: cannot write the run directory '{Path.Combine(file, "run")}': '{file}' is a file, not a directory.", OneLine(error));
        Assert.DoesNotContain("Training", output);
        Assert.DoesNotContain("Step", output);
    }

    [Fact]
    public void TooLittleRoomForTwoCheckpointsFailsBeforeTraining()
    {
        // A real small disk where one can be mounted (root on Linux), else the full disk injected at the room check's probe.
        using SmallDisk? disk = SmallDisk.TryMount(256 << 10); // a run of --hidden 128 needs twice its ~800 KB checkpoint
        string run = Path.Combine(disk?.Path ?? _dir.Path, "run");
        var settings = Settings(run) with { Hidden = 128 };
        if (disk is null)
        {
            log.WriteLine("No tmpfs can be mounted here: the full disk is injected at the second probe.");
            var files = new FailingFileOperations { Error = FailingFileOperations.DiskFull };
            int probes = 0;
            files.Arm((op, path) => op == FileOperation.WriteFile && path.Contains(".probe-", StringComparison.Ordinal) && ++probes == 2);
            settings = settings with { OpenCheckpoints = (d, m) => CheckpointDirectory.Open(d, m, files) };
        }

        var (code, output, error) = Run(settings);
        Assert.Equal(1, code);
        Assert.StartsWith($"recur train: cannot write the run directory '{run}': no space left on the device (writing {Path.Combine(run, "checkpoints", ".probe-")}", OneLine(error));
        Assert.DoesNotContain("Step", output);
        Assert.False(Directory.Exists(run)); // created by the run, and removed as it wrote nothing
    }

    [Fact]
    public void AFullDiskDuringTheRunFailsInOneLineAndKeepsThePreviousCheckpoint()
    {
        // The second checkpoint's weights hit a full disk (.NET's ENOSPC exception, injected).
        string run = _dir.File("run");
        var files = new FailingFileOperations { Error = FailingFileOperations.DiskFull };
        int weights = 0;
        files.Arm((op, path) => op == FileOperation.WriteFile && path.EndsWith(ModelFile.WeightsFileName, StringComparison.Ordinal) && ++weights == 2);
        var (code, output, error) = Run(Settings(run) with { ValidationStep = 10, OpenCheckpoints = (d, m) => CheckpointDirectory.Open(d, m, files) });
        Assert.Equal(1, code);
        string line = OneLine(error);
        Assert.StartsWith($"recur train: cannot write checkpoint 'step-00000020' in '{run}': no space left on the device (writing {Path.Combine(run, "checkpoints", ".tmp-step-00000020-")}", line);
        Assert.EndsWith($"{ModelFile.WeightsFileName}); the previous checkpoint, 'step-00000010', is kept.", line);
        Assert.Contains("Step 20,", output);
        var (_, metadata) = ModelFile.Load(run);
        Assert.Equal("10", metadata["trained_steps"]);
        Assert.Equal(["step-00000010"], Directory.GetDirectories(Path.Combine(run, "checkpoints")).Select(Path.GetFileName));
        Assert.False(File.Exists(Path.Combine(run, CheckpointDirectory.LockFileName)));
    }

    [Fact]
    public void AnEarlierRunIsReplacedOnlyWithOverwrite()
    {
        string run = _dir.File("run");
        Assert.Equal(0, Run(Train(run)).Code);
        byte[] pointer = File.ReadAllBytes(Path.Combine(run, CheckpointDirectory.PointerFileName));

        var (code, output, error) = Run(Train(run, 30, "--seed", "2"));
        Assert.Equal(2, code);
        Assert.DoesNotContain("Training", output);
        Assert.Equal($"recur train: --out {run} holds an earlier run; pass --overwrite to replace it (its checkpoints are deleted once this run writes its first), or choose another --out.", OneLine(error));
        Assert.Equal(pointer, File.ReadAllBytes(Path.Combine(run, CheckpointDirectory.PointerFileName)));

        Assert.Equal(0, Run(Train(run, 20, "--seed", "2", "--overwrite")).Code);
        Assert.Equal("20", ModelFile.Load(run).Metadata["trained_steps"]);
        Assert.Equal(["step-00000020"], Directory.GetDirectories(Path.Combine(run, "checkpoints")).Select(Path.GetFileName));
    }

    [Fact]
    public void AnOutThatAnotherRunWritesIsRefusedWithItsProcessAndFreedWhenItDies()
    {
        // A real second process: 'recur train' that would run for ever, writing no checkpoint (and, its output unread,
        // soon blocked writing it, still holding the lock).
        string run = _dir.File("run");
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") ?? "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in (string[])[Path.Combine(AppContext.BaseDirectory, "Recur.Cli.dll"), .. Train(run, 100_000_000, "--validation-step", "100000000", "--threads", "1")])
        {
            start.ArgumentList.Add(a);
        }

        log.WriteLine($"{start.FileName} {string.Join(" ", start.ArgumentList)}");
        using Process child = Process.Start(start)!;
        try
        {
            // The run prints its "Training …" line after it has opened and locked --out (run.lock existing is not
            // enough: the file is created a moment before the lock is taken).
            string lockFile = Path.Combine(run, CheckpointDirectory.LockFileName);
            string? line;
            while ((line = child.StandardOutput.ReadLine()) is not null && !line.StartsWith("Training ", StringComparison.Ordinal))
            {
            }

            if (line is null)
            {
                child.WaitForExit();
                Assert.Fail($"the first run ended with exit code {child.ExitCode}: {child.StandardError.ReadToEnd()}");
            }

            var (code, output, error) = Run(Train(run));
            Assert.Equal(1, code);
            Assert.Equal(
                $"recur train: '{run}' is being written by another run (process {child.Id} holds {lockFile}); wait for that run to end, stop it, or write to another directory.",
                OneLine(error));
            Assert.DoesNotContain("Step", output);
        }
        finally
        {
            child.Kill(entireProcessTree: true);
            child.WaitForExit();
        }

        // Killed, it leaves its run.lock behind, but not its lock: the next run goes ahead.
        Assert.True(File.Exists(Path.Combine(run, CheckpointDirectory.LockFileName)));
        Assert.Equal(0, Run(Train(run)).Code);
        Assert.False(File.Exists(Path.Combine(run, CheckpointDirectory.LockFileName)));
    }

    [Fact]
    public void EvaluateAndPredictReadTheLastOrTheBestCheckpoint()
    {
        // A run directory whose best checkpoint is a trained model and whose last one the same model zeroed.
        string trained = _dir.File("trained");
        Assert.Equal(0, Run(Train(trained, 60)).Code);
        var (model, metadata) = ModelFile.Load(trained);
        string run = _dir.File("run");
        using (var writer = CheckpointDirectory.Open(run))
        {
            writer.Write("step-00000001", ModelFile.Serialize(model, metadata), best: true);
            model.SetWeights(model.GetWeights().Select(w => new float[w.Length]).ToArray());
            writer.Write("step-00000002", ModelFile.Serialize(model, metadata));
        }

        string[] evaluate = ["evaluate", "--data", Csv("task_test.csv"), "--model"];
        string[] predict = ["predict", "--input", Csv("task_test.csv"), "--limit", "60", "--model"];
        foreach (string[] command in new[] { evaluate, predict })
        {
            var (code, expected, _) = Run([.. command, trained]);
            Assert.Equal(0, code);
            Assert.Equal(expected, Run([.. command, run, "--checkpoint", "best"]).Out);
            string last = Run([.. command, run]).Out;
            Assert.NotEqual(expected, last);
            Assert.Equal(last, Run([.. command, run, "--checkpoint", "last"]).Out);
        }

        string plain = _dir.File("plain");
        ModelFile.Save(model, plain, metadata);
        var (failed, output, error) = Run([.. evaluate, plain, "--checkpoint", "best"]);
        Assert.Equal(1, failed);
        Assert.Equal("", output);
        Assert.Equal($"recur evaluate: '{plain}' is a model directory, not a run directory, so it has no best checkpoint; load it as it is.", OneLine(error));
        Assert.Equal(0, Run([.. evaluate, plain, "--checkpoint", "last"]).Code);
        Assert.Contains("'first' not recognized. Must be one of: 'last' 'best'", OneLine(Run([.. evaluate, run, "--checkpoint", "first"]).Err));
    }
}
