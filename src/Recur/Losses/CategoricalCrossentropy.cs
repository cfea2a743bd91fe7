using Recur.Tensors;

namespace Recur.Losses;

/// <summary>
/// Keras's <c>CategoricalCrossentropy(from_logits)</c>: cross-entropy against one-hot (or probability) labels
/// <c>[B, C]</c>, averaged over the batch; per step, <c>[B, T, C]</c> against <c>[B, T, C]</c>, averaged over the
/// valid steps. From logits it is <see cref="SoftmaxCrossEntropy"/> (fused, stable); from probabilities <c>p</c> (a
/// model ending in softmax) it is <c>−(1/N) Σ y·log(clip(p, 1e-7, 1 − 1e-7))</c> over the N valid rows, Keras's
/// clipping, with gradient <c>−y/(N·p)</c> where p is not clipped.
/// </summary>
/// <param name="fromLogits">True when the model outputs logits (a plain Dense), false when it outputs probabilities.</param>
public sealed class CategoricalCrossentropy(bool fromLogits = false) : ILoss
{
    private const float Epsilon = 1e-7f;
    private readonly SoftmaxCrossEntropy _logits = new();
    private Tensor? _gradient;

    /// <summary>Whether the predictions are logits.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <summary>"categorical_crossentropy".</summary>
    public string Name => "categorical_crossentropy";

    /// <summary>True.</summary>
    public bool IsClassification => true;

    /// <summary><c>dL/dpredictions [B, (T,) C]</c> of the last call.</summary>
    public Tensor Gradient => FromLogits ? _logits.Gradient : _gradient ?? throw new InvalidOperationException("CategoricalCrossentropy.Gradient read before Forward.");

    /// <summary><c>predictions [B, C]</c> (logits or probabilities), <c>targets [B, C]</c> one-hot → the mean loss.</summary>
    /// <exception cref="ArgumentException">The targets are not <c>[B, C]</c> (e.g. class indices: use <see cref="SparseCategoricalCrossentropy"/>), or, from probabilities, a prediction is outside [0, 1].</exception>
    public float Forward(Tensor predictions, Tensor targets) => Forward(predictions, targets, null);

    /// <summary>
    /// <c>predictions [B, C]</c> or <c>[B, T, C]</c>, <c>targets</c> one-hot of the same shape, <paramref name="mask"/>
    /// <c>[B, T]</c> or null → the mean loss over the valid rows; masked steps get a zero gradient.
    /// </summary>
    /// <exception cref="ArgumentException">The targets are not shaped like the predictions, the mask does not fit, or, from probabilities, a prediction is outside [0, 1].</exception>
    public float Forward(Tensor predictions, Tensor targets, SequenceMask? mask)
    {
        Loss.CheckScores(predictions, Name);
        ArgumentNullException.ThrowIfNull(targets);
        int c = predictions.Dim(-1);
        if (!targets.HasShape(predictions.Shape))
        {
            string hint = targets.Rank == predictions.Rank - 1 || (targets.Rank == predictions.Rank && targets.Dim(-1) == 1)
                ? "these look like class indices: use sparse_categorical_crossentropy, or one-hot encode them"
                : $"give one-hot rows of {c} classes, one per example";
            throw new ArgumentException(
                $"{Name}: targets have shape {Tensor.FormatShape(targets.Shape)} but the model outputs {Tensor.FormatShape(predictions.Shape)}; {hint}.", nameof(targets));
        }

        if (FromLogits)
        {
            return _logits.Forward(predictions, targets, mask);
        }

        Loss.CheckMask(predictions, mask, Name);
        Loss.CheckProbabilities(predictions, Name);
        int rows = predictions.Length / c;
        ReadOnlySpan<byte> valid = Loss.ValidRows(mask);
        int b = Loss.CountValid(mask, rows);
        Span<float> g = Buffers.Ensure(ref _gradient, predictions.Shape).Span;
        ReadOnlySpan<float> p = predictions.Span, y = targets.Span;
        double loss = 0;
        for (int i = 0; i < p.Length; i++)
        {
            if (!valid.IsEmpty && valid[i / c] == 0)
            {
                g[i] = 0f;
                continue;
            }

            float yi = y[i];
            if (!(yi >= 0f) || float.IsInfinity(yi))
            {
                throw new ArgumentException($"{Name}: targets[{i / c}, {i % c}] = {yi}; labels must be finite and non-negative (one-hot).", nameof(targets));
            }

            float pi = Math.Clamp(p[i], Epsilon, 1f - Epsilon);
            loss -= yi * Math.Log(pi);
            g[i] = p[i] == pi ? -yi / (pi * b) : 0f;
        }

        return (float)(loss / b);
    }
}
