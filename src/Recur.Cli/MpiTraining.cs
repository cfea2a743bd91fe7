using System.Globalization;
using System.Text;
using Recur.Mpi;
using Recur.Training;

namespace Recur.Cli;

/// <summary>
/// <c>mpirun -np N recur train …</c>: when the environment says an MPICH launcher started this process
/// (<see cref="MpiLaunch"/>), MPI is initialised, every rank checks that all were started with the same options and the
/// same build, and the run is data-parallel over the ranks (<see cref="Trainer.Replicas"/>); rank 0 alone prints and
/// writes the run directory. Without a launcher nothing of MPI is loaded and the run is as it always was.
/// </summary>
internal static class MpiTraining
{
    /// <summary>The environment variable of the watchdog's limit, in seconds, on one collective call.</summary>
    public const string TimeoutVariable = "RECUR_MPI_TIMEOUT";

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Runs <c>recur train</c>, over MPI when launched by mpirun; returns the exit code.</summary>
    public static int Run(TrainSettings settings, TextWriter output, TextWriter error)
    {
        (int Rank, int Size)? launch;
        TimeSpan timeout;
        try
        {
            launch = MpiLaunch.Detect();
            timeout = Timeout(Environment.GetEnvironmentVariable(TimeoutVariable));
        }
        catch (InvalidOperationException e)
        {
            error.WriteLine($"recur train: {e.Message}");
            return ExitCodes.Usage;
        }

        if (launch is null)
        {
            return new TrainRun(settings, output, error).Run();
        }

        if (launch.Value.Size > 1 && settings.GradientShards > 1)
        {
            if (launch.Value.Rank == 0)
            {
                error.WriteLine(string.Create(Inv,
                    $"recur train: --gradient-shards {settings.GradientShards} under MPI: each of the {launch.Value.Size} ranks is one shard of the batch already; leave --gradient-shards out (it gives one process the weights of that many ranks)."));
            }

            return ExitCodes.Usage;
        }

        MpiWorld world;
        try
        {
            world = MpiWorld.Open(timeout, error);
        }
        catch (Exception e) when (e is DllNotFoundException or IOException)
        {
            error.WriteLine($"recur train: {e.Message}");
            return ExitCodes.Failed;
        }

        using (world)
        {
            int code;
            bool together = false;
            try
            {
                DataParallel.CheckSame(world, Fingerprint(settings), "options or build");
                var pids = new double[world.Size]; // which process is which rank: mpirun names a process that dies by its PID
                pids[world.Rank] = Environment.ProcessId;
                world.AllreduceSum(pids);
                if (world.Rank == 0)
                {
                    output.WriteLine(string.Create(Inv,
                        $"MPI: {world.Size} ranks on {Environment.MachineName} and others: {string.Join(", ", pids.Select((pid, r) => string.Create(Inv, $"rank {r} PID {pid}")))}."));
                }

                if (settings.Threads is null)
                {
                    // Ranks that share a host share its cores.
                    int local = int.TryParse(Environment.GetEnvironmentVariable("MPI_LOCALNRANKS"), out int n) && n > 0 ? n : 1;
                    settings = settings with { Threads = Math.Max(1, Environment.ProcessorCount / local) };
                }

                var run = new TrainRun(settings, world.Rank == 0 ? output : TextWriter.Null, error, world);
                code = run.Run();
                together = run.DivergedTogether;
            }
            catch (InvalidOperationException e)
            {
                error.WriteLine($"recur train: {e.Message}");
                code = ExitCodes.Usage;
            }

            if (code != ExitCodes.Ok && world.Size > 1 && !together)
            {
                // The other ranks may be waiting for this one in a collective: end the job rather than leave them to the watchdog.
                error.WriteLine(string.Create(Inv, $"recur train: rank {world.Rank} of {world.Size} failed (exit code {code}); ending the job."));
                error.Flush();
                world.Abort(code);
            }

            return code;
        }
    }

    /// <summary>What every rank must share: the run's options (all but --threads, which may differ by host) and the build of every Recur assembly.</summary>
    internal static byte[] Fingerprint(TrainSettings settings)
    {
        var text = new StringBuilder();
        foreach (var (key, values) in settings.RunOptions ?? new SortedDictionary<string, string[]>())
        {
            if (key != "--threads")
            {
                text.Append(key).Append('=').AppendJoin('\u001f', values).Append('\n');
            }
        }

        text.Append("resume=").Append(settings.Resume).Append('\n');
        foreach (Type t in (Type[])[typeof(Threading), typeof(MpiTraining), typeof(MpiWorld)])
        {
            text.Append(t.Assembly.GetName().Name).Append(' ').Append(t.Assembly.ManifestModule.ModuleVersionId).Append('\n');
        }

        return Encoding.UTF8.GetBytes(text.ToString());
    }

    private static TimeSpan Timeout(string? seconds) =>
        seconds is null ? TimeSpan.FromMinutes(5)
        : double.TryParse(seconds, NumberStyles.Float, Inv, out double s) && s > 0 && s <= 86_400 ? TimeSpan.FromSeconds(s)
        : throw new InvalidOperationException($"{TimeoutVariable}={seconds} is not a number of seconds in (0, 86400]; set it to how long one MPI call may wait for the other ranks, e.g. 300.");
}
