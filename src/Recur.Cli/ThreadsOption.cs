using System.CommandLine;

namespace Recur.Cli;

/// <summary>The <c>--threads</c> option of train, evaluate and predict (bench has its own, with a default shown).</summary>
internal static class ThreadsOption
{
    /// <summary>Creates the option.</summary>
    public static Option<int?> Create() => OptionLimits.Threads.Attach(new Option<int?>("--threads") { Description = "Worker threads [default: all cores]; results do not depend on it." });

    /// <summary>Null when <paramref name="threads"/> is absent or in range, else the one-line problem.</summary>
    public static string? Problem(int? threads) => threads is int t ? OptionLimits.Threads.Problem("--threads", t) : null;

    /// <summary>Sets <see cref="Threading.MaxThreads"/> when <paramref name="threads"/> is given.</summary>
    public static void Apply(int? threads)
    {
        if (threads is int t)
        {
            Threading.MaxThreads = t;
        }
    }
}
