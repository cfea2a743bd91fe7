using System.Diagnostics;
using System.Globalization;
using Recur.Cli;
using Recur.Data;
using Recur.Models;
using Recur.Tests.Data;
using Recur.Tests.Training;
using Xunit.Abstractions;

namespace Recur.Tests.Cli;

/// <summary>
/// <c>mpirun.mpich -np 2 recur train</c> on the MNIST slice over loopback (MPICH, installed by <c>.ci/run</c>; without
/// it these tests say so and skip): the same result as one process on two threads, rank 0 alone writing, a killed rank
/// ending the job, and the run resumed under MPI as if it had never stopped.
/// </summary>
public sealed class MpiCliTests(ITestOutputHelper output) : IDisposable
{
    private const string Mpirun = "/usr/bin/mpirun.mpich";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>The slice's 1,500 training images as --data x.npy [N, 28, 28] with --labels y.npy, a small LSTM.</summary>
    private string[] Options(int steps, string optimizer = "adam")
    {
        string x = _dir.File("x.npy"), y = _dir.File("y.npy"), testX = _dir.File("test-x.npy"), testY = _dir.File("test-y.npy");
        if (!File.Exists(x))
        {
            MnistDataSets slice = MnistSlice.Load();
            Npy.Write(x, new Recur.Tensors.Tensor(slice.Train.Images.Data, slice.Train.Count, 28, 28));
            Npy.WriteLabels(y, slice.Train.Labels);
            Npy.Write(testX, new Recur.Tensors.Tensor(slice.Test.Images.Data, slice.Test.Count, 28, 28));
            Npy.WriteLabels(testY, slice.Test.Labels);
        }

        return ["train", "--data", x, "--labels", y, "--test-data", testX, "--test-labels", testY, "--hidden", "16", "--batch-size", "64", "--steps", steps.ToString(Inv),
            "--optimizer", optimizer, "--display-step", "100", "--validation-step", "50"];
    }

    [Fact]
    public void TwoRanksMatchTwoThreadsAndRankZeroAloneWrites()
    {
        if (!Available())
        {
            return;
        }

        // Adam, 300 steps: one process on 2 threads forming the gradient as 2 shards gives the 2 ranks' weights bit for bit.
        string[] options = Options(300);
        string alone = _dir.File("alone"), whole = _dir.File("whole"), ranks = _dir.File("ranks");
        var (aloneOut, aloneErr) = (new StringWriter(), new StringWriter());
        Assert.True(Program.Run([.. options, "--threads", "2", "--gradient-shards", "2", "--out", alone], aloneOut, aloneErr) == 0, aloneErr.ToString());
        Assert.True(Program.Run([.. options, "--threads", "2", "--out", whole], new StringWriter(), aloneErr) == 0, aloneErr.ToString());
        (int code, string stdout, string stderr) = RunMpi([.. options, "--threads", "1", "--out", ranks]);
        output.WriteLine(stdout + stderr);
        Assert.True(code == 0, stderr);

        float[][] a = Sequential.Load(alone).GetWeights(), b = Sequential.Load(ranks).GetWeights();
        for (int p = 0; p < a.Length; p++)
        {
            Bits.AssertEqual(a[p], b[p], $"parameter {p}");
        }

        double apart = DataParallelTests.RelativeDifference(Sequential.Load(whole).GetWeights(), b);
        output.WriteLine($"2 ranks × 1 thread = 1 process × 2 threads with --gradient-shards 2, bit for bit, after 300 Adam steps; without --gradient-shards the process is {apart:E2} (relative) from them");
        Assert.Equal(Line(aloneOut.ToString(), "Validation accuracy"), Line(stdout, "Validation accuracy"));
        Assert.Equal(Line(aloneOut.ToString(), "Test accuracy"), Line(stdout, "Test accuracy")); // the 500 test images split across the ranks
        output.WriteLine(Line(stdout, "Test accuracy"));

        // Rank 0 alone prints and writes: one log, and the same files and metrics as the run alone.
        Assert.Single(stdout.Split('\n'), l => l.StartsWith("Optimization Finished!", StringComparison.Ordinal));
        Assert.Contains("Training on 2 MPI ranks", stdout);
        Assert.Equal(File.ReadAllLines(Path.Combine(alone, "metrics.csv")).Length, File.ReadAllLines(Path.Combine(ranks, "metrics.csv")).Length);
        Assert.Equal(Directory.GetFileSystemEntries(alone).Select(Path.GetFileName).Order(), Directory.GetFileSystemEntries(ranks).Select(Path.GetFileName).Order());

        // Sharding a process is refused under MPI, where every rank is a shard.
        (code, _, stderr) = RunMpi([.. options, "--gradient-shards", "2", "--out", _dir.File("refused")]);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains("recur train: --gradient-shards 2 under MPI: each of the 2 ranks is one shard of the batch already", stderr);
    }

    [Fact]
    public async Task AKilledRankEndsTheJobAndTheRunResumesUnderMpiAsIfNeverStopped()
    {
        if (!Available())
        {
            return;
        }

        string[] options = Options(300);
        string whole = _dir.File("whole"), killed = _dir.File("killed");
        (int code, string stdout, string stderr) = RunMpi([.. options, "--threads", "1", "--out", whole]);
        Assert.True(code == 0, stderr);

        // Kill rank 1 once the first checkpoint is written; mpirun must end the whole job, naming the dead process.
        (int victim, string killedOut, int killedCode) = await RunAndSignalRankOne([.. options, "--threads", "1", "--out", killed], "KILL", "60");
        output.WriteLine(killedOut);
        Assert.NotEqual(0, killedCode);
        Assert.Contains(string.Create(Inv, $"rank 1 PID {victim}"), killedOut); // rank 0's start-up line says which PID is rank 1 ...
        Assert.Contains(string.Create(Inv, $"PID {victim} RUNNING AT"), killedOut); // ... and mpirun names the PID that died

        // The killed run resumed twice: under MPI, and in one process on 2 threads forming 2 shards (another N).
        string alone = _dir.File("alone");
        CopyDirectory(killed, alone);
        (code, stdout, stderr) = RunMpi(["train", "--resume", killed, "--threads", "1"]);
        output.WriteLine(stdout + stderr);
        Assert.True(code == 0, stderr);
        Assert.Contains("Resuming from step", stdout);
        var (aloneOut, aloneErr) = (new StringWriter(), new StringWriter());
        Assert.True(Program.Run(["train", "--resume", alone, "--threads", "2", "--gradient-shards", "2"], aloneOut, aloneErr) == 0, aloneErr.ToString());
        Assert.Contains("Resuming from step", aloneOut.ToString());
        float[][] a = Sequential.Load(whole).GetWeights(), b = Sequential.Load(killed).GetWeights(), c = Sequential.Load(alone).GetWeights();
        for (int p = 0; p < a.Length; p++)
        {
            Bits.AssertEqual(a[p], b[p], $"resumed under MPI, parameter {p}");
            Bits.AssertEqual(a[p], c[p], $"resumed in one process, parameter {p}");
        }
    }

    [Fact]
    public async Task AHungRankEndsTheJobAfterTheTimeout()
    {
        if (!Available())
        {
            return;
        }

        // Rank 1 stopped (SIGSTOP) is alive but silent: rank 0's watchdog ends the job after RECUR_MPI_TIMEOUT seconds.
        (_, string text, int code) = await RunAndSignalRankOne([.. Options(3000), "--threads", "1", "--out", _dir.File("hung")], "STOP", "2");
        output.WriteLine(text);
        Assert.NotEqual(0, code);
        Assert.Matches(@"recur train: rank 0 of 2 waited more than 2 s in MPI_All(toall|gather): another rank has died or hangs; ending the job", text); // the two halves of the sum
    }

    private static void CopyDirectory(string from, string to)
    {
        foreach (string path in Directory.GetFiles(from, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(to, Path.GetRelativePath(from, path));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(path, target);
        }
    }

    /// <summary>
    /// Starts a job, sends rank 1 the signal once the first checkpoint is written (its pointer file), and waits for the job to end (failing
    /// after 60 s rather than hang): rank 1's PID, the job's output and its exit code.
    /// </summary>
    private async Task<(int Pid, string Output, int Code)> RunAndSignalRankOne(string[] args, string signal, string timeout)
    {
        string marker = Guid.NewGuid().ToString("N");
        using Process job = StartMpi(args, marker, timeout);
        Task<string> jobOut = job.StandardOutput.ReadToEndAsync(), jobErr = job.StandardError.ReadToEndAsync();
        // The run's checkpoint pointer, written after the checkpoint's folder: until it exists there is nothing to resume from.
        string pointer = Path.Combine(args[Array.IndexOf(args, "--out") + 1], Recur.IO.CheckpointDirectory.PointerFileName);
        for (var clock = Stopwatch.StartNew(); !File.Exists(pointer) && !job.HasExited; await Task.Delay(20))
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60), "no checkpoint within 60 s");
        }

        int? victim = RankProcess(marker, 1);
        if (victim is null || job.HasExited)
        {
            job.WaitForExit(TimeSpan.FromSeconds(60));
            Assert.Fail($"rank 1 had ended before it could be signalled (job exited: {job.HasExited}, rank 1 found: {victim is not null}):\n{await jobOut}{await jobErr}");
        }
        using (Process kill = Process.Start("kill", ["-" + signal, victim.Value.ToString(Inv)]))
        {
            await kill.WaitForExitAsync();
        }

        if (!job.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            job.Kill(entireProcessTree: true);
            Process.Start("kill", ["-KILL", victim.Value.ToString(Inv)]).WaitForExit();
            Assert.Fail($"the job went on for 60 s after rank 1 was sent SIG{signal}");
        }

        return (victim.Value, await jobOut + await jobErr, job.ExitCode);
    }

    private bool Available()
    {
        if (File.Exists(Mpirun))
        {
            return true;
        }

        output.WriteLine($"SKIPPED: no {Mpirun} (apt-get install mpich); the MPI runs were not tested.");
        return false;
    }

    private static string Line(string text, string start) => text.Split('\n').Single(l => l.StartsWith(start, StringComparison.Ordinal)).Trim();

    private static Process StartMpi(IEnumerable<string> args, string? marker = null, string timeout = "60")
    {
        var start = new ProcessStartInfo(Mpirun) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (string a in (string[])["-np", "2", "dotnet", Path.Combine(AppContext.BaseDirectory, "Recur.Cli.dll"), .. args])
        {
            start.ArgumentList.Add(a);
        }

        start.Environment["RECUR_TEST_MARKER"] = marker ?? "";
        start.Environment["RECUR_MPI_TIMEOUT"] = timeout;
        return Process.Start(start)!;
    }

    /// <summary>Runs a job to its end (or fails after 120 s rather than hang).</summary>
    private static (int Code, string Out, string Err) RunMpi(IEnumerable<string> args)
    {
        using Process job = StartMpi(args);
        Task<string> stdout = job.StandardOutput.ReadToEndAsync(), stderr = job.StandardError.ReadToEndAsync();
        if (!job.WaitForExit(TimeSpan.FromSeconds(120)))
        {
            job.Kill(entireProcessTree: true);
            Assert.Fail("the MPI job did not end within 120 s");
        }

        return (job.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>The process of the given rank of the job started with <paramref name="marker"/>, from the environment mpirun gave it.</summary>
    private static int? RankProcess(string marker, int rank)
    {
        foreach (string dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
            {
                continue;
            }

            try
            {
                string[] environment = File.ReadAllText(Path.Combine(dir, "environ")).Split('\0');
                if (environment.Contains("RECUR_TEST_MARKER=" + marker) && environment.Contains(string.Create(Inv, $"PMI_RANK={rank}")))
                {
                    return pid;
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        return null;
    }
}
