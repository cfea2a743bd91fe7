using System.Runtime.ExceptionServices;

namespace Recur.Tensors;

/// <summary>
/// Work that <see cref="WorkerPool"/> splits into parts. Implemented by classes that the caller keeps
/// and reuses (a layer's own worker object), so a parallel call allocates nothing.
/// </summary>
internal interface IParallelWork
{
    /// <summary>
    /// Runs part <paramref name="part"/> of <paramref name="parts"/>. Parts run concurrently on different
    /// threads and must write disjoint memory; what a part computes must depend only on its index, so the
    /// result is the same whether the parts run in parallel or one after another.
    /// </summary>
    void Run(int part, int parts);
}

/// <summary>
/// A small pool of persistent worker threads. <see cref="Run"/> runs part 0 of the work on the calling
/// thread and the other parts on workers, and returns when all are done: one fork and one join per
/// call, with no allocation once the workers exist (they are created on first need and live as
/// background threads for the life of the process).
/// </summary>
/// <remarks>
/// One parallel call runs at a time. A call made while another is running — from another thread, or
/// nested inside a part — runs its parts one after another on its own thread instead of waiting,
/// which gives the same result (see <see cref="IParallelWork.Run"/>) and cannot deadlock.
/// </remarks>
internal sealed class WorkerPool
{
    private readonly object _growLock = new();
    private readonly Signal _done = new();
    private Worker[] _workers = [];
    private int _busy;
    private int _pending;
    private IParallelWork? _work;
    private int _parts;
    private Exception? _error;

    private WorkerPool()
    {
    }

    /// <summary>The process-wide pool.</summary>
    public static WorkerPool Shared { get; } = new();

    /// <summary>
    /// The number of parts to split work of <paramref name="units"/> independent units into, at most
    /// <see cref="Threading.MaxThreads"/>, with at least <paramref name="minUnitsPerPart"/> units per part.
    /// </summary>
    public static int PartsFor(long units, long minUnitsPerPart)
    {
        long byWork = minUnitsPerPart <= 0 ? units : units / minUnitsPerPart;
        return (int)Math.Clamp(byWork, 1, Threading.Effective);
    }

    /// <summary>The start of part <paramref name="part"/> when <paramref name="count"/> items are cut into <paramref name="parts"/> near-equal runs whose starts are multiples of <paramref name="align"/>.</summary>
    public static int Split(int count, int parts, int part, int align)
    {
        if (part >= parts)
        {
            return count;
        }

        long start = (long)count * part / parts;
        start -= start % align;
        return (int)start;
    }

    /// <summary>Runs <paramref name="work"/> in <paramref name="parts"/> parts and returns when all are done; rethrows the first exception a part threw.</summary>
    public void Run(IParallelWork work, int parts)
    {
        if (parts <= 1 || Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            for (int p = 0; p < parts; p++)
            {
                work.Run(p, parts);
            }

            return;
        }

        try
        {
            EnsureWorkers(parts - 1);
            _work = work;
            _parts = parts;
            _error = null;
            _pending = parts - 1;
            for (int w = 0; w < parts - 1; w++)
            {
                _workers[w].Start();
            }

            try
            {
                work.Run(0, parts);
            }
            catch (Exception e)
            {
                Interlocked.CompareExchange(ref _error, e, null);
            }

            _done.Wait();
            _work = null;
            if (_error is Exception error)
            {
                _error = null;
                ExceptionDispatchInfo.Throw(error);
            }
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
    }

    private void EnsureWorkers(int count)
    {
        if (_workers.Length >= count)
        {
            return;
        }

        lock (_growLock)
        {
            var grown = new Worker[count];
            Array.Copy(_workers, grown, _workers.Length);
            for (int w = _workers.Length; w < count; w++)
            {
                grown[w] = new Worker(this, w + 1);
            }

            _workers = grown;
        }
    }

    private void RunPart(int part)
    {
        try
        {
            _work!.Run(part, _parts);
        }
        catch (Exception e)
        {
            Interlocked.CompareExchange(ref _error, e, null);
        }

        if (Interlocked.Decrement(ref _pending) == 0)
        {
            _done.Set();
        }
    }

    /// <summary>One background thread that runs part <c>index</c> of each call it is started for.</summary>
    private sealed class Worker
    {
        private readonly WorkerPool _pool;
        private readonly int _part;
        private readonly Signal _start = new();

        public Worker(WorkerPool pool, int part)
        {
            _pool = pool;
            _part = part;
            var thread = new Thread(Loop) { IsBackground = true, Name = $"Recur worker {part}" };
            thread.Start();
        }

        public void Start() => _start.Set();

        private void Loop()
        {
            while (true)
            {
                _start.Wait();
                _pool.RunPart(_part);
            }
        }
    }

    /// <summary>
    /// An auto-reset event: <see cref="Wait"/> returns once per <see cref="Set"/>, after spinning briefly and
    /// then sleeping on a monitor. Unlike <see cref="ManualResetEventSlim"/>, which creates its lock object the
    /// first time a wait has to sleep, it allocates nothing after construction, so a parallel call never
    /// allocates on the calling thread.
    /// </summary>
    private sealed class Signal
    {
        private const int SpinIterations = 200; // about 50 to 100 µs before sleeping
        private readonly object _lock = new();
        private bool _set;

        public void Set()
        {
            lock (_lock)
            {
                _set = true;
                Monitor.Pulse(_lock);
            }
        }

        public void Wait()
        {
            for (int i = 0; i < SpinIterations && !Volatile.Read(ref _set); i++)
            {
                Thread.SpinWait(8);
            }

            lock (_lock)
            {
                while (!_set)
                {
                    Monitor.Wait(_lock);
                }

                _set = false;
            }
        }
    }
}
