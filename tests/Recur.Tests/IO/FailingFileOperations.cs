using Recur.IO;

namespace Recur.Tests.IO;

/// <summary>
/// File operations that record every step and, once armed, fail: at step k only (a full disk: what follows, the
/// writer's own clean-up included, works), or at step k and every step after it (a crash: nothing after k happens).
/// </summary>
internal sealed class FailingFileOperations : FileOperations
{
    private Func<FileOperation, string, bool>? _fails;

    /// <summary>The steps taken (or attempted) since the last <see cref="Arm"/>, in order.</summary>
    public List<(FileOperation Operation, string Path)> Steps { get; } = [];

    /// <summary>What the failing step throws; an injected I/O error by default.</summary>
    public Func<string, Exception> Error { get; set; } = path => new IOException($"injected failure at '{path}'");

    /// <summary>Fails step <paramref name="k"/> (counted from now, from 0), and with <paramref name="crash"/> every later one too.</summary>
    public void Arm(int k, bool crash)
    {
        Steps.Clear();
        _fails = (_, _) => Steps.Count - 1 == k || (crash && Steps.Count - 1 > k);
    }

    /// <summary>Fails every step for which <paramref name="fails"/> says so.</summary>
    public void Arm(Func<FileOperation, string, bool> fails)
    {
        Steps.Clear();
        _fails = fails;
    }

    /// <summary>Records from now on without failing.</summary>
    public void Disarm()
    {
        Steps.Clear();
        _fails = null;
    }

    /// <summary>What .NET throws for ENOSPC on Linux: an IOException whose HResult is the errno, 28.</summary>
    public static IOException DiskFull(string path) => new($"No space left on device : '{path}'", 28);

    protected override void Before(FileOperation operation, string path)
    {
        Steps.Add((operation, path));
        if (_fails?.Invoke(operation, path) == true)
        {
            throw Error(path);
        }
    }
}
