using System.Text;
using Recur.IO;
using Recur.Models;
using Recur.Tests.Models;
using Xunit.Abstractions;

namespace Recur.Tests.IO;

public sealed class CheckpointDirectoryTests(ITestOutputHelper log)
{
    private static Sequential Model(ulong seed, int hidden = 4) => SmallModels.Trained(seed, hidden);

    private static void AssertSameWeights(Sequential expected, Sequential actual)
    {
        float[][] a = expected.GetWeights(), b = actual.GetWeights();
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i], b[i]);
        }
    }

    /// <summary>Asserts that <paramref name="actual"/>'s weights are one of <paramref name="candidates"/>' and returns which.</summary>
    private static int WhichWeights(Sequential actual, params Sequential[] candidates)
    {
        float[] flat = actual.GetWeights().SelectMany(w => w).ToArray();
        int found = Array.FindIndex(candidates, c => c.GetWeights().SelectMany(w => w).SequenceEqual(flat));
        Assert.True(found >= 0, "the loaded weights are none of the saved models'");
        return found;
    }

    private static string Line(Exception e)
    {
        Assert.DoesNotContain('\n', e.Message);
        return e.Message;
    }

    /// <summary>The entries of <c>checkpoints/</c>, sorted.</summary>
    private static string[] Folders(string run) =>
        Directory.GetFileSystemEntries(Path.Combine(run, CheckpointDirectory.CheckpointsFolderName)).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToArray()!;

    /// <summary>A finished run in <paramref name="run"/>: step-1 ("one") the best checkpoint, step-2 ("two") the last.</summary>
    private static void WriteFinishedRun(string run)
    {
        using var writer = CheckpointDirectory.Open(run);
        writer.Write("step-1", Text("one"), best: true);
        writer.Write("step-2", Text("two"));
    }

    private static Dictionary<string, byte[]> Text(string content) => new() { ["a.txt"] = Encoding.UTF8.GetBytes(content), ["b.txt"] = [1, 2, 3] };

    [Fact]
    public void KeepsTheLastAndTheBestCheckpointAndPointsToThem()
    {
        using var dir = new TempDirectory();
        string run = dir.File("run");
        using (var writer = CheckpointDirectory.Open(run))
        {
            Assert.Equal(Path.GetFullPath(run), writer.Directory);
            Assert.Null(writer.LastPath);
            Assert.True(File.Exists(Path.Combine(run, CheckpointDirectory.LockFileName)));

            writer.Write("step-00000001", Text("one"), best: true);
            writer.Write("step-00000002", Text("two"));
            Assert.Equal(["step-00000001", "step-00000002"], Folders(run));
            writer.Write("step-00000003", Text("three"), best: true);
            writer.Write("step-00000004", Text("four"));
            Assert.Equal(["step-00000003", "step-00000004"], Folders(run)); // 1 and 2 are neither last nor best any more
            Assert.Equal(Path.Combine(writer.Directory, "checkpoints", "step-00000004"), writer.LastPath);
            Assert.Equal(Path.Combine(writer.Directory, "checkpoints", "step-00000003"), writer.BestPath);
        }

        Assert.False(File.Exists(Path.Combine(run, CheckpointDirectory.LockFileName)));
        Assert.True(CheckpointDirectory.IsRunDirectory(run));
        Assert.Equal("four", File.ReadAllText(Path.Combine(CheckpointDirectory.Resolve(run), "a.txt")));
        Assert.Equal("three", File.ReadAllText(Path.Combine(CheckpointDirectory.Resolve(run, CheckpointKind.Best), "a.txt")));
        Assert.Equal([1, 2, 3], File.ReadAllBytes(Path.Combine(CheckpointDirectory.Resolve(run), "b.txt")));
        string pointer = File.ReadAllText(Path.Combine(run, CheckpointDirectory.PointerFileName));
        Assert.Contains("\"last\": \"step-00000004\"", pointer);
        Assert.Contains("\"best\": \"step-00000003\"", pointer);
        Assert.Equal(["checkpoint"], Directory.GetFiles(run).Select(Path.GetFileName));
    }

    [Fact]
    public void TheLockFileHoldsTheProcessId()
    {
        // Read with a tool that takes no lock, as a person would with cat: .NET's own reads take a shared lock and are refused.
        using var dir = new TempDirectory();
        using var writer = CheckpointDirectory.Open(dir.Path, CheckpointMode.Overwrite);
        string path = Path.Combine(dir.Path, CheckpointDirectory.LockFileName);
        Assert.Throws<IOException>(() => File.ReadAllText(path));
        using var cat = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("cat", path) { RedirectStandardOutput = true })!;
        string text = cat.StandardOutput.ReadToEnd();
        cat.WaitForExit();
        Assert.Equal($"{Environment.ProcessId}\n", text);
    }

    [Fact]
    public void WritingANameAgainKeepsTheOldFolderUntilTheNewOneIsPointedTo()
    {
        using var dir = new TempDirectory();
        using var writer = CheckpointDirectory.Open(dir.Path);
        writer.Write("final", Text("first"), best: true);
        writer.Write("final", Text("second"), best: true);
        Assert.Equal(["final.1"], Folders(dir.Path));
        writer.Write("final", Text("third"));
        Assert.Equal(["final", "final.1"], Folders(dir.Path)); // final.1 stays as the best
        Assert.Equal("third", File.ReadAllText(Path.Combine(writer.LastPath!, "a.txt")));
        Assert.Equal("second", File.ReadAllText(Path.Combine(writer.BestPath!, "a.txt")));
    }

    public static TheoryData<bool> CrashOrFailure => [true, false];

    [Theory]
    [MemberData(nameof(CrashOrFailure))]
    public void ASaveInterruptedAtEveryStepLeavesThePreviousCheckpoint(bool crash)
    {
        // crash: step k and everything after it fail, as if the process died at k (its clean-up never runs);
        // otherwise step k alone fails, as a full disk or an I/O error would, and the writer cleans up after itself.
        Sequential best = Model(1), previous = Model(2), next = Model(3);
        IReadOnlyDictionary<string, byte[]> nextFiles = ModelFile.Serialize(next);

        var steps = new FailingFileOperations();
        List<(FileOperation Operation, string Path)> sequence;
        using (var dir = new TempDirectory())
        using (var writer = CheckpointDirectory.Open(dir.Path, CheckpointMode.New, steps))
        {
            writer.Write("step-1", ModelFile.Serialize(best), best: true);
            writer.Write("step-2", ModelFile.Serialize(previous));
            steps.Disarm();
            writer.Write("step-3", nextFiles);
            sequence = [.. steps.Steps];
        }

        log.WriteLine(string.Join("\n", sequence.Select((s, i) => $"{i}: {s.Operation} {Path.GetFileName(s.Path)}")));
        int switched = sequence.FindIndex(s => s.Operation == FileOperation.ReplaceFile); // the pointer's rename
        Assert.True(switched > 0);
        Assert.Equal(1 + nextFiles.Count + 1 + 2 + 2, sequence.Count); // folder, files, rename; pointer file and rename; step-2 renamed away and deleted

        for (int k = 0; k < sequence.Count; k++)
        {
            using var dir = new TempDirectory();
            var files = new FailingFileOperations();
            var writer = CheckpointDirectory.Open(dir.Path, CheckpointMode.New, files);
            writer.Write("step-1", ModelFile.Serialize(best), best: true);
            writer.Write("step-2", ModelFile.Serialize(previous));
            files.Arm(k, crash);
            Exception? failure = Record.Exception(() => writer.Write("step-3", nextFiles));
            writer.Dispose();
            File.WriteAllText(Path.Combine(dir.Path, CheckpointDirectory.LockFileName), "4194304\n"); // what a dead run leaves

            // Failing before the pointer is replaced leaves the previous checkpoint; after, the new one. Never a mix.
            bool replaced = k > switched;
            Assert.Equal(!replaced, failure is IOException);
            var (loaded, _) = ModelFile.Load(dir.Path);
            Assert.Equal(replaced ? 1 : 0, WhichWeights(loaded, previous, next));
            AssertSameWeights(best, ModelFile.Load(dir.Path, CheckpointKind.Best).Model);
            if (!crash)
            {
                // The writer cleaned up: nothing temporary, only what the pointer names (a stale folder the failure kept is removed at the next open).
                Assert.DoesNotContain(Folders(dir.Path), f => f.StartsWith('.') && !f.StartsWith(".trash-", StringComparison.Ordinal));
            }

            // The next open (a resume) removes whatever was left and keeps what the pointer names.
            using (var resumed = CheckpointDirectory.Open(dir.Path, CheckpointMode.Resume))
            {
                Assert.Equal(replaced ? ["step-1", "step-3"] : ["step-1", "step-2"], Folders(dir.Path));
                Assert.Equal(["checkpoint", "run.lock"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
                Assert.Equal(CheckpointDirectory.Resolve(dir.Path), resumed.LastPath);
            }

            Assert.Equal(replaced ? 1 : 0, WhichWeights(ModelFile.Load(dir.Path).Model, previous, next));
        }
    }

    [Fact]
    public void AFullDiskFailsInOneLineNamingThePathAndKeepsThePreviousCheckpoint()
    {
        // A real small disk, a tmpfs, where this process may mount one (root on Linux); elsewhere the same failure
        // injected with .NET's exception for ENOSPC (an IOException whose HResult is the errno, 28).
        Sequential previous = Model(2, hidden: 128), next = Model(3, hidden: 128);
        IReadOnlyDictionary<string, byte[]> files = ModelFile.Serialize(previous);
        long size = files.Values.Sum(f => (long)f.Length);
        long room = size * 3 / 2 + (64 << 10); // one checkpoint and the small files, not two checkpoints
        using SmallDisk? disk = SmallDisk.TryMount(room);
        using var temp = new TempDirectory();
        var operations = new FailingFileOperations { Error = FailingFileOperations.DiskFull };
        string run = Path.Combine(disk?.Path ?? temp.Path, "run");
        log.WriteLine(disk is null
            ? "No tmpfs can be mounted here: the full disk is injected at the write of the second checkpoint's optimizer.safetensors."
            : $"A tmpfs of {room} bytes, for checkpoints of {size} bytes.");

        using var writer = CheckpointDirectory.Open(run, CheckpointMode.New, operations);
        writer.Write("step-00000200", files, best: true);
        if (disk is null)
        {
            operations.Arm((op, path) => op == FileOperation.WriteFile && path.EndsWith(ModelFile.OptimizerFileName, StringComparison.Ordinal));
        }

        var e = Assert.Throws<IOException>(() => writer.Write("step-00000400", ModelFile.Serialize(next)));
        log.WriteLine(e.Message);
        string line = Line(e);
        string folder = Path.Combine(run, "checkpoints", ".tmp-step-00000400-");
        Assert.StartsWith($"cannot write checkpoint 'step-00000400' in '{run}': no space left on the device (writing {folder}", line);
        Assert.EndsWith($"{Path.DirectorySeparatorChar}{ModelFile.OptimizerFileName}); the previous checkpoint, 'step-00000200', is kept.", line);
        Assert.Equal(["step-00000200"], Folders(run)); // the temporary folder is gone
        AssertSameWeights(previous, ModelFile.Load(run).Model);
    }

    [Fact]
    public void ADirectoryThatCannotBeWrittenFailsAtOpenInOneLine()
    {
        using var dir = new TempDirectory();
        string file = dir.File("notes.txt");
        File.WriteAllText(file, "a file, not a directory");
        var e = Assert.Throws<IOException>(() => CheckpointDirectory.Open(Path.Combine(file, "run")));
        Assert.Equal($"cannot write the run directory '{Path.Combine(file, "run")}': '{file}' is a file, not a directory.", Line(e));
        e = Assert.Throws<IOException>(() => CheckpointDirectory.Open(file));
        Assert.Equal($"cannot write the run directory '{file}': '{file}' is a file, not a directory.", Line(e));

        // The probe file is written, then deleted: a full disk or a read-only one fails here, not after the training.
        var files = new FailingFileOperations { Error = FailingFileOperations.DiskFull };
        files.Arm((op, path) => op == FileOperation.WriteFile);
        e = Assert.Throws<IOException>(() => CheckpointDirectory.Open(dir.File("full"), CheckpointMode.New, files));
        Assert.StartsWith($"cannot write the run directory '{dir.File("full")}': no space left on the device (writing {Path.Combine(dir.File("full"), "checkpoints", ".probe-")}", Line(e));
        Assert.False(Directory.Exists(dir.File("full"))); // created, then removed
        using (var writer = CheckpointDirectory.Open(dir.File("fine")))
        {
            Assert.Empty(Folders(dir.File("fine")));
        }

        Assert.False(Directory.Exists(dir.File("fine"))); // a run that wrote nothing leaves nothing

        using SmallDisk? readOnly = SmallDisk.TryMount(1 << 20, readOnly: true);
        if (readOnly is not null)
        {
            e = Assert.Throws<IOException>(() => CheckpointDirectory.Open(Path.Combine(readOnly.Path, "run")));
            log.WriteLine(e.Message);
            Assert.Equal($"cannot write the run directory '{Path.Combine(readOnly.Path, "run")}': Read-only file system : '{Path.Combine(readOnly.Path, "run")}'.", Line(e));
        }
    }

    [Fact]
    public void ASecondWriterIsRefusedWithTheDirectoryAndTheProcess()
    {
        using var dir = new TempDirectory();
        using var first = CheckpointDirectory.Open(dir.Path);
        var e = Assert.Throws<CheckpointDirectoryLockedException>(() => CheckpointDirectory.Open(dir.Path, CheckpointMode.Overwrite));
        log.WriteLine(e.Message);
        Assert.Equal(dir.Path, e.Directory);
        if (OperatingSystem.IsLinux())
        {
            Assert.Equal(Environment.ProcessId, e.ProcessId);
            Assert.Equal(
                $"'{dir.Path}' is being written by another run (process {Environment.ProcessId}, this one, holds {Path.Combine(dir.Path, "run.lock")}); wait for that run to end, stop it, or write to another directory.",
                Line(e));
        }

        first.Write("step-1", Text("kept")); // the refused open changed nothing
        Assert.Equal("kept", File.ReadAllText(Path.Combine(CheckpointDirectory.Resolve(dir.Path), "a.txt")));
    }

    [Fact]
    public void AStaleLockFileDoesNotBlock()
    {
        // A run that was killed leaves run.lock behind, with its process id, but the OS lock died with the process.
        using var dir = new TempDirectory();
        using (var writer = CheckpointDirectory.Open(dir.Path))
        {
            writer.Write("step-1", Text("one"));
        }

        File.WriteAllText(Path.Combine(dir.Path, CheckpointDirectory.LockFileName), "4194304\n");
        using (var resumed = CheckpointDirectory.Open(dir.Path, CheckpointMode.Resume))
        {
            Assert.EndsWith("step-1", resumed.LastPath);
            resumed.Write("step-2", Text("two"));
        }

        Assert.Equal("two", File.ReadAllText(Path.Combine(CheckpointDirectory.Resolve(dir.Path), "a.txt")));
    }

    [Fact]
    public void ADirectoryWithARunNeedsOverwriteOrResume()
    {
        using var dir = new TempDirectory();
        WriteFinishedRun(dir.Path);

        var e = Assert.Throws<ExistingRunException>(() => CheckpointDirectory.Open(dir.Path));
        Assert.Equal($"'{dir.Path}' holds an earlier run (its last checkpoint is 'step-2'); overwrite it or resume it explicitly, or write to another directory.", Line(e));
        Assert.Equal(dir.Path, e.Directory);

        using (var resumed = CheckpointDirectory.Open(dir.Path, CheckpointMode.Resume))
        {
            Assert.EndsWith("step-2", resumed.LastPath);
            Assert.EndsWith("step-1", resumed.BestPath);
            resumed.Write("step-3", Text("three"));
            Assert.Equal(["step-1", "step-3"], Folders(dir.Path));
        }

        using (var overwriting = CheckpointDirectory.Open(dir.Path, CheckpointMode.Overwrite))
        {
            Assert.Null(overwriting.LastPath);
            Assert.Equal("three", File.ReadAllText(Path.Combine(CheckpointDirectory.Resolve(dir.Path), "a.txt"))); // readable until replaced
            overwriting.Write("step-1", Text("new one"));
            Assert.Equal(["step-1.1"], Folders(dir.Path)); // the earlier run's step-1 was still its best when this one was written
            Assert.Throws<InvalidDataException>(() => CheckpointDirectory.Resolve(dir.Path, CheckpointKind.Best));
        }

        using var other = new TempDirectory();
        var missing = Assert.Throws<InvalidDataException>(() => CheckpointDirectory.Open(other.Path, CheckpointMode.Resume));
        Assert.Contains("has no checkpoint to resume from", missing.Message);
        File.WriteAllText(other.File("config.json"), "{}");
        Assert.Contains("(a model, config.json)", Assert.Throws<ExistingRunException>(() => CheckpointDirectory.Open(other.Path)).Message);
    }

    [Fact]
    public void OpeningRemovesWhatACrashLeftAndNothingElse()
    {
        using var dir = new TempDirectory();
        WriteFinishedRun(dir.Path);

        string checkpoints = dir.File("checkpoints");
        Directory.CreateDirectory(Path.Combine(checkpoints, ".tmp-step-3-0123456789ab"));
        File.WriteAllText(Path.Combine(checkpoints, ".tmp-step-3-0123456789ab", "a.txt"), "half");
        Directory.CreateDirectory(Path.Combine(checkpoints, ".trash-step-0-0123456789ab"));
        Directory.CreateDirectory(Path.Combine(checkpoints, "step-3")); // renamed into place, never pointed to
        File.WriteAllText(Path.Combine(checkpoints, ".probe-0123456789ab"), "");
        File.WriteAllText(dir.File($".checkpoint.{Guid.NewGuid():N}.tmp"), "{");
        File.WriteAllText(dir.File($".metrics.csv.{Guid.NewGuid():N}.tmp"), "step,loss");
        File.WriteAllText(dir.File("notes.txt"), "mine");
        File.WriteAllText(dir.File(".notes.tmp"), "mine too");

        using (CheckpointDirectory.Open(dir.Path, CheckpointMode.Resume))
        {
            Assert.Equal(["step-1", "step-2"], Folders(dir.Path));
            Assert.Equal([".notes.tmp", "checkpoint", "notes.txt", "run.lock"], dir.FileNames());
        }
    }

    [Fact]
    public void BadNamesAndPointersAreClearErrors()
    {
        using var dir = new TempDirectory();
        using (var writer = CheckpointDirectory.Open(dir.Path))
        {
            foreach (string name in new[] { "../up", "a.b", "", "with space", new string('x', 101) })
            {
                Assert.Contains("must be 1 to 100 letters", Assert.Throws<ArgumentException>(() => writer.Write(name, Text("x"))).Message);
            }

            foreach (string file in new[] { "sub/a.txt", ".hidden", "..", "" })
            {
                Assert.Contains("is not a plain file name", Assert.Throws<ArgumentException>(() => writer.Write("ok", new Dictionary<string, byte[]> { [file] = [] })).Message);
            }

            Assert.Throws<ArgumentException>(() => writer.Write("ok", new Dictionary<string, byte[]>()));
            Assert.Empty(Folders(dir.Path));
            writer.Write("ok", Text("x"));
            Assert.Contains("has no best checkpoint", Assert.Throws<InvalidDataException>(() => CheckpointDirectory.Resolve(dir.Path, CheckpointKind.Best)).Message);
        }

        Assert.Contains("is not a run directory", Assert.Throws<InvalidDataException>(() => CheckpointDirectory.Resolve(dir.File("checkpoints"))).Message);
        string pointer = dir.File(CheckpointDirectory.PointerFileName);
        File.WriteAllText(pointer, "{\"format\": \"recur.checkpoint\", \"last\": \"../../etc\"}");
        Assert.Contains("'../../etc' is not a checkpoint folder name", Assert.Throws<InvalidDataException>(() => CheckpointDirectory.Resolve(dir.Path)).Message);
        File.WriteAllText(pointer, "{\"format\": \"recur.checkpoint\", \"last\": \"gone\"}");
        Assert.Contains("does not exist; the run directory was changed by hand", Assert.Throws<InvalidDataException>(() => CheckpointDirectory.Resolve(dir.Path)).Message);
    }
}
