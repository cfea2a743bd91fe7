namespace Recur;

/// <summary>
/// Library-wide threading settings. Recur's layers split their work (the batch of a recurrent layer,
/// the rows of a large matrix product, an optimizer's parameters) across at most
/// <see cref="MaxThreads"/> threads: the calling thread and workers of a small pool kept for the
/// life of the process.
/// </summary>
/// <remarks>
/// Results do not depend on the setting: every split is along rows or columns whose elements are
/// computed independently, and every sum over the batch runs in one fixed order after the parallel
/// part, so a training run gives bit-identical weights with 1, 2 or 16 threads. The setting is
/// read at the start of each layer call; change it between calls, not during one.
/// </remarks>
public static class Threading
{
    private static volatile int s_maxThreads = Math.Max(1, Environment.ProcessorCount);

    /// <summary>
    /// The most threads one call uses, the calling thread included: 1 runs everything on the calling
    /// thread. Defaults to <see cref="Environment.ProcessorCount"/> (the command line's <c>--threads</c>
    /// sets it).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is less than 1 or more than 256.</exception>
    public static int MaxThreads
    {
        get => s_maxThreads;
        set
        {
            if (value is < 1 or > MaxSupportedThreads)
            {
                throw new ArgumentOutOfRangeException(nameof(MaxThreads), value,
                    $"Threading.MaxThreads = {value} is out of range; use 1 (single-threaded) to {MaxSupportedThreads}, " +
                    $"typically the number of cores ({Environment.ProcessorCount} here).");
            }

            s_maxThreads = value;
        }
    }

    /// <summary>
    /// A per-thread override of <see cref="MaxThreads"/> for calls made from the current thread (0: none).
    /// Tests use it to compare thread counts without changing the setting under other tests running at once.
    /// </summary>
    [ThreadStatic]
    internal static int t_override;

    /// <summary>The thread count calls from the current thread use: the override when set, else <see cref="MaxThreads"/>.</summary>
    internal static int Effective => t_override > 0 ? t_override : s_maxThreads;

    /// <summary>The largest value <see cref="MaxThreads"/> accepts.</summary>
    public const int MaxSupportedThreads = 256;
}
