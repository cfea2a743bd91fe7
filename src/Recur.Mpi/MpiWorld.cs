using System.Diagnostics;
using System.Globalization;
using System.Text;
using Recur.Training;

namespace Recur.Mpi;

/// <summary>
/// <c>MPI_COMM_WORLD</c> as Recur's <see cref="IReplicaGroup"/>: a sum in rank order made of <c>MPI_Alltoall</c> and
/// <c>MPI_Allgather</c>, <c>MPI_Bcast</c> from rank 0. Every collective runs under a watchdog: one that has not returned after
/// <see cref="Timeout"/> (a peer died or hangs) writes which rank waited in which call and ends the whole job with
/// <c>MPI_Abort</c>, so a job never hangs silently. (A peer that exits is seen sooner by the launcher, which ends the
/// job and names the process.) Errors come back as return codes (<c>MPI_ERRORS_RETURN</c>) and are thrown as
/// <see cref="IOException"/>s naming the call.
/// </summary>
public sealed unsafe class MpiWorld : IReplicaGroup, IDisposable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly Thread _watchdog;
    private readonly bool _canAbortFromWatchdog;
    private readonly TextWriter _error;
    private long _deadline = long.MaxValue; // Stopwatch ticks by which the running collective must return
    private string _call = "";
    private volatile bool _closed;
    private float[] _floatSend = [], _floatReceive = [];   // SumInRankOrder's buffers, kept from step to step
    private double[] _doubleSend = [], _doubleReceive = [];

    private MpiWorld(int rank, int size, bool canAbortFromWatchdog, TimeSpan timeout, TextWriter error)
    {
        Rank = rank;
        Size = size;
        _canAbortFromWatchdog = canAbortFromWatchdog;
        _error = error;
        Timeout = timeout;
        _watchdog = new Thread(Watch) { IsBackground = true, Name = "recur-mpi-watchdog" };
        _watchdog.Start();
    }

    /// <inheritdoc/>
    public int Rank { get; }

    /// <inheritdoc/>
    public int Size { get; }

    /// <summary>How long one collective may wait for the other ranks before the job is ended.</summary>
    public TimeSpan Timeout { get; }

    /// <summary>Bytes moved by <see cref="AllreduceSum(Span{float})"/> so far (this rank's buffer, once per call).</summary>
    public long AllreduceBytes { get; private set; }

    /// <summary>Time spent in <see cref="AllreduceSum(Span{float})"/> so far, waiting for the other ranks included.</summary>
    public TimeSpan AllreduceTime { get; private set; }

    /// <summary>Calls of <see cref="AllreduceSum(Span{float})"/> so far.</summary>
    public int Allreduces { get; private set; }

    /// <summary>Initialises MPI (<c>MPI_Init_thread</c>) and returns the world.</summary>
    /// <param name="timeout">How long one collective may wait before the job is ended.</param>
    /// <param name="error">Where the watchdog writes why it ends the job.</param>
    /// <exception cref="DllNotFoundException">No MPICH library is installed.</exception>
    /// <exception cref="IOException">MPI could not be initialised.</exception>
    public static MpiWorld Open(TimeSpan timeout, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(error);
        Check(MpiNative.MPI_Init_thread(IntPtr.Zero, IntPtr.Zero, MpiNative.ThreadMultiple, out int provided), "MPI_Init_thread");
        Check(MpiNative.MPI_Comm_set_errhandler(MpiNative.CommWorld, MpiNative.ErrorsReturn), "MPI_Comm_set_errhandler");
        Check(MpiNative.MPI_Comm_rank(MpiNative.CommWorld, out int rank), "MPI_Comm_rank");
        Check(MpiNative.MPI_Comm_size(MpiNative.CommWorld, out int size), "MPI_Comm_size");
        return new MpiWorld(rank, size, provided >= MpiNative.ThreadMultiple, timeout, error);
    }

    /// <inheritdoc/>
    public void AllreduceSum(Span<float> buffer)
    {
        long start = Stopwatch.GetTimestamp();
        SumInRankOrder(buffer, MpiNative.Float, ref _floatSend, ref _floatReceive);
        AllreduceTime += Stopwatch.GetElapsedTime(start);
        AllreduceBytes += (long)buffer.Length * sizeof(float);
        Allreduces++;
    }

    /// <inheritdoc/>
    public void AllreduceSum(Span<double> buffer) => SumInRankOrder(buffer, MpiNative.Double, ref _doubleSend, ref _doubleReceive);

    /// <inheritdoc/>
    public void Broadcast(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            Begin("MPI_Bcast");
            End(MpiNative.MPI_Bcast(p, buffer.Length, MpiNative.Byte, 0, MpiNative.CommWorld), "MPI_Bcast");
        }
    }

    /// <summary>
    /// The allreduce in rank order: the buffer cut into <see cref="Size"/> segments, segment j of every rank sent to
    /// rank j (<c>MPI_Alltoall</c>), which adds them in rank order, and the sums gathered back to every rank
    /// (<c>MPI_Allgather</c>) — the bandwidth of MPI's own long-message allreduce (reduce-scatter, then allgather),
    /// with the order of the additions fixed, which <c>MPI_Allreduce</c> leaves to the implementation.
    /// </summary>
    private void SumInRankOrder<T>(Span<T> buffer, int type, ref T[] send, ref T[] receive)
        where T : unmanaged, System.Numerics.IAdditionOperators<T, T, T>
    {
        if (Size == 1)
        {
            return;
        }

        int segment = (buffer.Length + Size - 1) / Size, all = segment * Size;
        if (send.Length < all)
        {
            (send, receive) = (new T[all], new T[all]);
        }

        buffer.CopyTo(send);
        send.AsSpan(buffer.Length, all - buffer.Length).Clear();
        fixed (T* s = send, r = receive)
        {
            Begin("MPI_Alltoall");
            End(MpiNative.MPI_Alltoall(s, segment, type, r, segment, type, MpiNative.CommWorld), "MPI_Alltoall");
            Span<T> sum = send.AsSpan(0, segment);
            receive.AsSpan(0, segment).CopyTo(sum);
            for (int rank = 1; rank < Size; rank++)
            {
                ReadOnlySpan<T> part = receive.AsSpan(rank * segment, segment);
                for (int i = 0; i < segment; i++)
                {
                    sum[i] += part[i];
                }
            }

            Begin("MPI_Allgather");
            End(MpiNative.MPI_Allgather(s, segment, type, r, segment, type, MpiNative.CommWorld), "MPI_Allgather");
        }

        receive.AsSpan(0, buffer.Length).CopyTo(buffer);
    }

    /// <summary>Ends the whole job at once (<c>MPI_Abort</c>): for a rank that cannot go on while the others wait for it.</summary>
    public void Abort(int exitCode) => MpiNative.MPI_Abort(MpiNative.CommWorld, exitCode);

    /// <summary>Finalises MPI (<c>MPI_Finalize</c>), after every rank's last collective.</summary>
    public void Dispose()
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        MpiNative.MPI_Finalize();
    }

    /// <summary>Arms the watchdog for a collective.</summary>
    private void Begin(string call)
    {
        _call = call;
        Interlocked.Exchange(ref _deadline, Stopwatch.GetTimestamp() + (long)(Timeout.TotalSeconds * Stopwatch.Frequency));
    }

    /// <summary>Disarms the watchdog after a collective and throws on its error code.</summary>
    private void End(int code, string call)
    {
        Interlocked.Exchange(ref _deadline, long.MaxValue);
        Check(code, call);
    }

    private void Watch()
    {
        while (!_closed)
        {
            Thread.Sleep(200);
            if (Stopwatch.GetTimestamp() > Interlocked.Read(ref _deadline) && !_closed)
            {
                _error.WriteLine(string.Create(Inv,
                    $"recur train: rank {Rank} of {Size} waited more than {Timeout.TotalSeconds:0.#} s in {_call}: another rank has died or hangs; ending the job (set RECUR_MPI_TIMEOUT, in seconds, to wait longer)."));
                _error.Flush();
                if (_canAbortFromWatchdog)
                {
                    MpiNative.MPI_Abort(MpiNative.CommWorld, 1);
                }

                Environment.Exit(1);
            }
        }
    }

    private static void Check(int code, string call)
    {
        if (code == MpiNative.Success)
        {
            return;
        }

        byte* text = stackalloc byte[MpiNative.MaxErrorString];
        string message = MpiNative.MPI_Error_string(code, text, out int length) == MpiNative.Success
            ? Encoding.ASCII.GetString(text, length).Trim()
            : code.ToString(Inv);
        throw new IOException($"{call} failed: {message}.");
    }
}
