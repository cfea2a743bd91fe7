using Recur.Training;

namespace Recur.Tests.Training;

/// <summary>
/// An <see cref="IReplicaGroup"/> of threads in one process, for testing data-parallel training without MPI: each
/// rank's buffer goes into a shared slot, and after a barrier every rank sums the slots in rank order (so every rank
/// gets the same bits, as MPI's allreduce gives them).
/// </summary>
internal sealed class ThreadReplicas
{
    private readonly Barrier _barrier;
    private readonly float[][] _floats;
    private readonly double[][] _doubles;
    private byte[] _bytes = [];

    public ThreadReplicas(int size)
    {
        Size = size;
        _barrier = new Barrier(size);
        _floats = new float[size][];
        _doubles = new double[size][];
    }

    public int Size { get; }

    /// <summary>Runs <paramref name="body"/> once per rank, each on its own thread (the library on that thread alone), and returns each rank's result.</summary>
    public T[] Run<T>(Func<IReplicaGroup, T> body)
    {
        var results = new T[Size];
        var errors = new Exception?[Size];
        Thread[] threads = Enumerable.Range(0, Size).Select(r => new Thread(() =>
        {
            using var single = new SingleThread();
            try
            {
                results[r] = body(new Member(this, r));
            }
            catch (Exception e)
            {
                errors[r] = e;
                _barrier.RemoveParticipant(); // the others must not wait for a rank that failed
            }
        })).ToArray();
        foreach (Thread t in threads)
        {
            t.Start();
        }

        foreach (Thread t in threads)
        {
            t.Join();
        }

        if (errors.FirstOrDefault(e => e is not null) is Exception error)
        {
            throw new AggregateException(errors.Where(e => e is not null)!);
        }

        return results;
    }

    private sealed class Member(ThreadReplicas group, int rank) : IReplicaGroup
    {
        public int Rank => rank;

        public int Size => group.Size;

        public void AllreduceSum(Span<float> buffer)
        {
            group._floats[rank] = buffer.ToArray();
            group._barrier.SignalAndWait();
            group._floats[0].CopyTo(buffer); // in rank order, as the interface promises: ((b0 + b1) + b2) + …
            for (int r = 1; r < group.Size; r++)
            {
                for (int i = 0; i < buffer.Length; i++)
                {
                    buffer[i] += group._floats[r][i];
                }
            }

            group._barrier.SignalAndWait();
        }

        public void AllreduceSum(Span<double> buffer)
        {
            group._doubles[rank] = buffer.ToArray();
            group._barrier.SignalAndWait();
            group._doubles[0].CopyTo(buffer); // in rank order, as the interface promises: ((b0 + b1) + b2) + …
            for (int r = 1; r < group.Size; r++)
            {
                for (int i = 0; i < buffer.Length; i++)
                {
                    buffer[i] += group._doubles[r][i];
                }
            }

            group._barrier.SignalAndWait();
        }

        public void Broadcast(Span<byte> buffer)
        {
            if (rank == 0)
            {
                group._bytes = buffer.ToArray();
            }

            group._barrier.SignalAndWait();
            group._bytes.CopyTo(buffer);
            group._barrier.SignalAndWait();
        }
    }
}
