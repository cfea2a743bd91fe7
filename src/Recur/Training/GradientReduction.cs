using System.Globalization;
using System.Numerics.Tensors;
using Recur.Layers;
using Recur.Losses;

namespace Recur.Training;

/// <summary>
/// The seam of data-parallel training between a step's backward pass and its optimizer step: each shard's gradients
/// of its rows of the batch, and its loss, accuracy and metric totals, summed in rank order into the whole batch's, so
/// every process goes on to clip and step with the same gradients. Over an <see cref="IReplicaGroup"/> each process is
/// one shard and the sum is one <see cref="IReplicaGroup.AllreduceSum(Span{float})"/> of one flat buffer; made with a
/// shard count instead (<see cref="GradientReduction(int)"/>), one process forms the shards one after the other and
/// adds them itself, in the same order, and so gets the bits of that many processes.
/// </summary>
/// <remarks>
/// A shard's loss is a mean over its units (rows, or valid steps under a sequence mask), so each shard's gradients and
/// loss are scaled by its unit count u_r before the sum and the sums divided by U = Σ u_r after it: the mean over the
/// whole batch, whatever the shards' sizes. The buffer is, in order: every parameter's gradient in parameter order,
/// then <c>[loss·u, accuracy·u, u]</c>, then each metric's sum and count. The shards' buffers are added in rank order,
/// <c>((b₀ + b₁) + b₂) + …</c>, element by element, which is what <see cref="IReplicaGroup.AllreduceSum(Span{float})"/>
/// promises too.
/// </remarks>
public sealed class GradientReduction
{
    private float[] _buffer = [], _shard = [];
    private int _added;

    /// <summary>Creates the reduction over a group: this process is shard <see cref="IReplicaGroup.Rank"/> of <see cref="IReplicaGroup.Size"/>.</summary>
    public GradientReduction(IReplicaGroup group)
    {
        ArgumentNullException.ThrowIfNull(group);
        Group = group;
        Shards = group.Size;
    }

    /// <summary>
    /// Creates the reduction of one process that forms each step's gradient as <paramref name="shards"/> shards of the
    /// batch (<see cref="DataParallel.Shard"/>), one after the other, summed in rank order: the gradient that many
    /// processes of a data-parallel run form, bit for bit (the model's sums do not depend on the thread count).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="shards"/> is below 1.</exception>
    public GradientReduction(int shards)
    {
        if (shards < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(shards), shards, string.Create(CultureInfo.InvariantCulture,
                $"GradientReduction: the shard count must be at least 1, not {shards}."));
        }

        Shards = shards;
    }

    /// <summary>The processes the gradients are summed over, or null when this process forms every shard itself.</summary>
    public IReplicaGroup? Group { get; }

    /// <summary>Shards each batch is split into: the group's size, or the count given.</summary>
    public int Shards { get; }

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
    /// <exception cref="InvalidOperationException">The reduction has no group (it was made with a shard count).</exception>
    public (float Loss, float Accuracy) Reduce(IReadOnlyList<Parameter> parameters, float loss, float accuracy, MetricTotal[] totals, int units)
    {
        IReplicaGroup group = Group ?? throw new InvalidOperationException("GradientReduction: Reduce sums over a group; a reduction made with a shard count takes its shards through AddShard and Finish.");
        Span<float> flat = Pack(parameters, loss, accuracy, totals, units, ref _buffer);
        group.AllreduceSum(flat);
        return Unpack(flat, parameters, totals, float.IsNaN(accuracy));
    }

    /// <summary>
    /// Adds shard <paramref name="shard"/>'s gradients and measurements (as <see cref="Reduce"/> takes them) to the
    /// step's sum; shards must come in order, 0 first. <see cref="Finish"/> ends the step.
    /// </summary>
    /// <exception cref="InvalidOperationException">The shard is not the next one, or the reduction is over a group.</exception>
    public void AddShard(int shard, IReadOnlyList<Parameter> parameters, float loss, float accuracy, MetricTotal[] totals, int units)
    {
        if (Group is not null || shard != _added || shard >= Shards)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                $"GradientReduction: shard {shard} was added where shard {_added} of {Shards} was due{(Group is null ? "" : " (a reduction over a group sums through Reduce)")}."));
        }

        if (shard == 0)
        {
            Pack(parameters, loss, accuracy, totals, units, ref _buffer);
        }
        else
        {
            Span<float> flat = Pack(parameters, loss, accuracy, totals, units, ref _shard);
            Span<float> sum = _buffer.AsSpan(0, flat.Length);
            TensorPrimitives.Add(sum, flat, sum);
        }

        _added++;
    }

    /// <summary>
    /// After every shard's <see cref="AddShard"/>: writes the whole batch's gradients into the parameters and its
    /// metric totals into <paramref name="totals"/>, and returns its mean loss and accuracy.
    /// </summary>
    /// <param name="parameters">The model's parameters, as given to <see cref="AddShard"/>.</param>
    /// <param name="totals">Replaced by the sums of the shards' totals.</param>
    /// <param name="accuracyIsNaN">True when the loss reports no accuracy.</param>
    /// <exception cref="InvalidOperationException">Not every shard was added.</exception>
    public (float Loss, float Accuracy) Finish(IReadOnlyList<Parameter> parameters, MetricTotal[] totals, bool accuracyIsNaN)
    {
        if (_added != Shards)
        {
            throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture, $"GradientReduction: Finish after {_added} of {Shards} shards."));
        }

        _added = 0;
        return Unpack(_buffer.AsSpan(0, BufferLength), parameters, totals, accuracyIsNaN);
    }

    /// <summary>Writes one shard's scaled gradients and totals into <paramref name="buffer"/> (grown as needed) and returns the part used.</summary>
    private Span<float> Pack(IReadOnlyList<Parameter> parameters, float loss, float accuracy, MetricTotal[] totals, int units, ref float[] buffer)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        ArgumentNullException.ThrowIfNull(totals);
        int length = 3 + (2 * totals.Length);
        foreach (Parameter p in parameters)
        {
            length += p.Grad.Length;
        }

        if (buffer.Length != length)
        {
            buffer = new float[length];
        }

        BufferLength = length;
        Span<float> flat = buffer;
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

        return flat;
    }

    /// <summary>Divides the summed buffer by the units' sum into the gradients and the totals.</summary>
    private static (float Loss, float Accuracy) Unpack(Span<float> flat, IReadOnlyList<Parameter> parameters, MetricTotal[] totals, bool accuracyIsNaN)
    {
        int at = 0;
        foreach (Parameter p in parameters)
        {
            at += p.Grad.Length;
        }

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

        return (flat[at] / all, accuracyIsNaN ? float.NaN : flat[at + 1] / all);
    }
}
