using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Recur.Losses;

/// <summary>
/// Keras's <c>categorical_accuracy</c> (one-hot targets <c>[B, (T,) C]</c>) and <c>sparse_categorical_accuracy</c>
/// (class indices <c>[B, (T)]</c>): the share of rows of <c>predictions [B, (T,) C]</c> whose arg-max is the target
/// class, over the valid steps of a masked sequence.
/// </summary>
public sealed class ClassAccuracy : Metric
{
    private readonly bool _sparse;

    /// <summary>Creates the metric.</summary>
    /// <param name="name">Its key in the logs.</param>
    /// <param name="sparse">True for class indices as targets, false for one-hot rows.</param>
    public ClassAccuracy(string name = "categorical_accuracy", bool sparse = false)
        : base(name)
    {
        _sparse = sparse;
    }

    /// <inheritdoc/>
    protected override bool TakesClassIndices => _sparse;

    /// <inheritdoc/>
    public override string? Misfit(ILoss loss) => (_sparse, SparseTargets(loss)) switch
    {
        (true, false) => "it takes class indices as targets, and this loss takes targets shaped like the output; use categorical_accuracy (or accuracy)",
        (false, true) => "it takes one-hot targets, and this loss takes class indices; use sparse_categorical_accuracy (or accuracy)",
        _ => null,
    };

    /// <summary>1 when the row's arg-max is its class, else 0.</summary>
    protected override double Row(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets) =>
        TensorPrimitives.IndexOfMax(predictions) == (_sparse ? (int)targets[0] : TensorPrimitives.IndexOfMax(targets)) ? 1 : 0;
}
