using System.Numerics.Tensors;
using Recur.Layers;
using Recur.Losses;

namespace Recur.Training;

/// <summary>
/// The seam of data-parallel training between a step's backward pass and its optimizer step: each process's gradients
/// of its shard of the batch, and its loss, accuracy and metric totals, summed over an <see cref="IReplicaGroup"/> by
/// one <see cref="IReplicaGroup.AllreduceSum(Span{float})"/> of one flat buffer, so every process goes on to clip and
/// step with the gradients of the whole batch.
/// </summary>
/// <remarks>
/// A shard's loss is a mean over its units (rows, or valid steps under a sequence mask), so each process scales its
/// gradients and loss by its unit count u_r before the sum and every process divides the sums by U = Σ u_r after it:
/// the mean over the whole batch, whatever the shards' sizes. The buffer is, in order: every parameter's gradient in
/// parameter order, then <c>[loss·u, accuracy·u, u]</c>, then each metric's sum and count.
/// </remarks>
public sealed class GradientReduction
{
    private float[] _buffer = [];

    /// <summary>Creates the reduction over a group.</summary>
    public GradientReduction(IReplicaGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        Group = group;
    }

    /// <summary>The processes the gradients are summed over.</summary>
    public IReplicaGroup Group { get; }

    /// <summary>Floats in the last step's buffer (the gradients and the totals after them).</summary>
    public int BufferLength { get; private set; }

    /// <summary>
    /// Sums the shards' gradients (each parameter's <see cref="Parameter.Grad"/>, replaced by the whole batch's), loss,
    /// accuracy and metric totals (<paramref name="totals"/>, replaced in place) over the group.
    /// </summary>
    /// <param name="parameters">The model's parameters, in the same order on every process.</param>
    /// <param name="loss">This shard's mean loss.</param>
    /// <param name="accuracy">This shard's accuracy, or NaN.</param>
    /// <param name="totals">This shard's metric totals.</param>
    /// <param name="units">What this shard's mean is over: its rows, or its valid steps under a mask.</param>
    /// <returns>The whole batch's mean loss and accuracy.</returns>
    public (float Loss, float Accuracy) Reduce(IReadOnlyList<Parameter> parameters, float loss, float accuracy, MetricTotal[] totals, int units)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(totals);
        int length = 3 + (2 * totals.Length);
        foreach (Parameter p in parameters)
        {
            length += p.Grad.Length;
        }

        if (_buffer.Length != length)
        {
            _buffer = new float[length];
        }

        BufferLength = length;
        Span<float> flat = _buffer;
        float u = units;
        int at = 0;
        foreach (Parameter p in parameters)
        {
            TensorPrimitives.Multiply(p.Grad.Span, u, flat.Slice(at, p.Grad.Length));
            at += p.Grad.Length;
        }

        flat[at] = loss * u;
        flat[at + 1] = float.IsNaN(accuracy) ? 0f : accuracy * u;
        flat[at + 2] = u;
        for (int i = 0; i < totals.Length; i++)
        {
            flat[at + 3 + (2 * i)] = (float)totals[i].Sum;
            flat[at + 4 + (2 * i)] = (float)totals[i].Count;
        }

        Group.AllreduceSum(flat);

        float all = flat[at + 2];
        at = 0;
        foreach (Parameter p in parameters)
        {
            TensorPrimitives.Divide(flat.Slice(at, p.Grad.Length), all, p.Grad.Span);
            at += p.Grad.Length;
        }

        for (int i = 0; i < totals.Length; i++)
        {
            totals[i] = totals[i] with { Sum = flat[at + 3 + (2 * i)], Count = flat[at + 4 + (2 * i)] };
        }

        return (flat[at] / all, float.IsNaN(accuracy) ? float.NaN : flat[at + 1] / all);
    }
}
