namespace Recur.Tests;

/// <summary>
/// Runs the library on the calling thread alone until disposed (<see cref="Threading.t_override"/> = 1).
/// The allocation tests use it: a worker handing its part back may make the caller wait on a monitor,
/// and the runtime can allocate a few kilobytes on such a wait, which is not the library's doing.
/// </summary>
internal readonly struct SingleThread : IDisposable
{
    private readonly int _saved;

    public SingleThread()
    {
        _saved = Threading.t_override;
        Threading.t_override = 1;
    }

    public void Dispose() => Threading.t_override = _saved;

    /// <summary>
    /// Bytes that two calls of <paramref name="step"/> allocate on this thread after one warm-up call, the library on
    /// this thread alone: the fewest of three such measurements. Code that allocates per call does so every time, so
    /// the fewest shows it; the runtime now and then allocates a few kilobytes on the calling thread on its own
    /// account (seen once in about ten runs of the suite: 7,864 bytes in one single-threaded Gemm call, most likely
    /// tiered compilation queueing a method for its optimised version), which one measurement alone would blame on the step.
    /// </summary>
    public static long AllocatedAfterWarmUp(Action step)
    {
        using var single = new SingleThread();
        step();
        long fewest = long.MaxValue;
        for (int attempt = 0; attempt < 3 && fewest > 0; attempt++)
        {
            long before = GC.GetAllocatedBytesForCurrentThread();
            step();
            step();
            fewest = Math.Min(fewest, GC.GetAllocatedBytesForCurrentThread() - before);
        }

        return fewest;
    }
}
