namespace Recur.Losses;

/// <summary>
/// Keras's <c>binary_accuracy</c>: each output is a yes-or-no prediction, yes where it is above
/// <see cref="Threshold"/>; a row's value is the share of its outputs that match their 0/1 targets (targets shaped
/// like <c>predictions [B, (T,) F]</c>), averaged over the rows (the valid steps of a masked sequence). The threshold
/// is 0.5 for probabilities (a model ending in a sigmoid); <see cref="Metric.FromName"/> and <c>accuracy</c> use 0
/// when the loss is <see cref="BinaryCrossentropy"/> from logits, where logit 0 is probability 0.5.
/// </summary>
public sealed class BinaryAccuracy : Metric
{
    /// <summary>Creates the metric.</summary>
    /// <param name="threshold">An output above it means yes: 0.5 on probabilities, 0 on logits.</param>
    /// <param name="name">Its key in the logs.</param>
    public BinaryAccuracy(float threshold = 0.5f, string name = "binary_accuracy")
        : base(name)
    {
        Threshold = threshold;
    }

    /// <summary>An output above it means yes.</summary>
    public float Threshold { get; }

    /// <summary>The share of the row's outputs on the right side of the threshold.</summary>
    protected override double Row(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets)
    {
        int hits = 0;
        for (int i = 0; i < predictions.Length; i++)
        {
            hits += (predictions[i] > Threshold ? 1f : 0f) == targets[i] ? 1 : 0;
        }

        return (double)hits / predictions.Length;
    }

    /// <inheritdoc/>
    public override string? Misfit(ILoss loss) =>
        SparseTargets(loss) ? "it takes 0/1 targets shaped like the output, and this loss takes class indices; use sparse_categorical_accuracy" : null;
}
