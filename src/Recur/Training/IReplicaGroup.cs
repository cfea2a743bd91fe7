namespace Recur.Training;

/// <summary>
/// The processes of a data-parallel run (Horovod's model: synchronous SGD, one allreduce of the gradients per step):
/// each holds a replica of the model, takes its shard of every batch, and every one takes the same optimizer step.
/// The library needs these few collectives and nothing else of MPI; <c>Recur.Mpi</c>'s <c>MpiWorld</c> implements them
/// over MPI, tests implement them over threads. Every member is a collective: each process of the group calls it, in
/// the same order, with buffers of the same length.
/// </summary>
public interface IReplicaGroup
{
    /// <summary>This process's index in the group, in [0, <see cref="Size"/>); rank 0 writes and reports.</summary>
    int Rank { get; }

    /// <summary>The number of processes.</summary>
    int Size { get; }

    /// <summary>
    /// Replaces <paramref name="buffer"/> on every process by the element-wise sum of every process's buffer, added in
    /// rank order — <c>((b₀ + b₁) + b₂) + …</c> — so every process gets the same bits, and the bits one process gets by
    /// adding the same buffers in that order (<see cref="GradientReduction(int)"/>).
    /// </summary>
    void AllreduceSum(Span<float> buffer);

    /// <summary>As <see cref="AllreduceSum(Span{float})"/>, in double precision (evaluation totals), in the same order.</summary>
    void AllreduceSum(Span<double> buffer);

    /// <summary>Replaces <paramref name="buffer"/> on every process by rank 0's.</summary>
    void Broadcast(Span<byte> buffer);
}
