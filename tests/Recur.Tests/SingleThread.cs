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

    /// <summary>Bytes that two calls of <paramref name="step"/> allocate on this thread after one warm-up call, the library on this thread alone.</summary>
    public static long AllocatedAfterWarmUp(Action step)
    {
        using var single = new SingleThread();
        step();
        long before = GC.GetAllocatedBytesForCurrentThread();
        step();
        step();
        return GC.GetAllocatedBytesForCurrentThread() - before;
    }
}
