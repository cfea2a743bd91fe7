using Recur.Tensors;

namespace Recur.Losses;

/// <summary>
/// Keras's <c>BinaryCrossentropy(from_logits)</c>: each output is the probability of its own yes-or-no label, targets
/// in [0, 1] shaped like the predictions (shapes as <see cref="ElementwiseLoss"/>), the loss averaged over the last
/// axis and the (valid) rows. From logits <c>z</c> (PyTorch's <c>BCEWithLogitsLoss</c>) it is computed stably as
/// <c>max(z, 0) − z·y + log(1 + e^−|z|)</c>, gradient <c>(σ(z) − y)/N</c>; from probabilities <c>p</c> (a model ending
/// in a sigmoid; PyTorch's <c>BCELoss</c>) it is <c>−(y·log p + (1 − y)·log(1 − p))</c> with p clipped to
/// <c>[1e-7, 1 − 1e-7]</c> as Keras clips, gradient <c>(p − y)/(p(1 − p)·N)</c> where p is not clipped, else 0.
/// </summary>
/// <param name="fromLogits">True when the model outputs logits (a plain Dense), false when it outputs probabilities.</param>
public sealed class BinaryCrossentropy(bool fromLogits = false) : ElementwiseLoss
{
    private const float Epsilon = 1e-7f;

    /// <summary>Whether the predictions are logits.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <summary>"binary_crossentropy".</summary>
    public override string Name => "binary_crossentropy";

    /// <summary>True: <c>accuracy</c> is Keras's binary accuracy (threshold 0.5 on probabilities, 0 on logits).</summary>
    public override bool IsClassification => true;

    /// <inheritdoc/>
    protected override double Element(float prediction, float target, float scale, out float gradient)
    {
        if (FromLogits)
        {
            double z = prediction, e = Math.Exp(-Math.Abs(z));
            double sigmoid = z >= 0 ? 1 / (1 + e) : e / (1 + e);
            gradient = scale * (float)(sigmoid - target);
            return Math.Max(z, 0) - (z * target) + Math.Log(1 + e);
        }

        float pc = Math.Clamp(prediction, Epsilon, 1f - Epsilon);
        double p = pc;
        gradient = prediction == pc ? scale * (float)((p - target) / (p * (1 - p))) : 0f;
        return -((target * Math.Log(p)) + ((1 - target) * Math.Log(1 - p)));
    }

    /// <inheritdoc/>
    protected override void CheckInputs(Tensor predictions, Tensor targets, SequenceMask? mask)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(targets);
        if (!FromLogits)
        {
            Loss.CheckProbabilities(predictions, Name, "Sigmoid");
        }

        ReadOnlySpan<float> y = targets.Span;
        ReadOnlySpan<byte> valid = Loss.ValidRows(mask);
        int f = predictions.Dim(-1);
        for (int i = 0; i < y.Length; i++)
        {
            if ((valid.IsEmpty || valid[i / f] != 0) && !(y[i] >= 0f && y[i] <= 1f))
            {
                throw new ArgumentException(
                    $"{Name}: targets[{i}] = {y[i]} is not in [0, 1]; binary cross-entropy takes 0/1 labels (or probabilities), one per output.", nameof(targets));
            }
        }
    }
}
