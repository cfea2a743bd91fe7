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
}
