using Recur.Tensors;

namespace Recur.Losses;

/// <summary>
/// Keras's <c>SparseCategoricalCrossentropy(from_logits)</c>: cross-entropy against class indices, given as a float
/// tensor <c>[B]</c> (or <c>[B, 1]</c>) of whole numbers in <c>[0, C)</c>, averaged over the batch; per step,
/// predictions <c>[B, T, C]</c> against <c>[B, T]</c> (or <c>[B, T, 1]</c>), averaged over the valid steps (PyTorch's
/// <c>cross_entropy</c> over <c>[B, C, T]</c> with <c>ignore_index</c>: the class of a masked step is not read). From
/// logits it is <see cref="SoftmaxCrossEntropy"/>'s class-index form; from probabilities
/// <c>−(1/N) Σ log(clip(p[r, y_r], 1e-7, 1 − 1e-7))</c> over the N valid rows.
/// </summary>
/// <param name="fromLogits">True when the model outputs logits, false when it outputs probabilities.</param>
public sealed class SparseCategoricalCrossentropy(bool fromLogits = false) : ILoss
{
    private const float Epsilon = 1e-7f;
    private readonly SoftmaxCrossEntropy _logits = new();
    private Tensor? _gradient;
    private int[]? _classes;

    /// <summary>Whether the predictions are logits.</summary>
    public bool FromLogits { get; } = fromLogits;

    /// <summary>"sparse_categorical_crossentropy".</summary>
    public string Name => "sparse_categorical_crossentropy";

    /// <summary>True.</summary>
    public bool IsClassification => true;

    /// <summary><c>dL/dpredictions [B, (T,) C]</c> of the last call.</summary>
    public Tensor Gradient => FromLogits ? _logits.Gradient : _gradient ?? throw new InvalidOperationException("SparseCategoricalCrossentropy.Gradient read before Forward.");

    /// <summary><c>predictions [B, C]</c>, <c>targets [B]</c> class indices → the mean loss.</summary>
    /// <exception cref="ArgumentException">The targets are one-hot or of the wrong count, or an index is not a whole number in [0, C).</exception>
    public float Forward(Tensor predictions, Tensor targets) => Forward(predictions, targets, null);

    /// <summary>
    /// <c>predictions [B, C]</c> or <c>[B, T, C]</c>, <c>targets [B]</c> or <c>[B, T]</c> class indices,
    /// <paramref name="mask"/> <c>[B, T]</c> or null → the mean loss over the valid rows; masked steps get a zero
    /// gradient and their targets are not read.
    /// </summary>
    /// <exception cref="ArgumentException">The targets are one-hot or of the wrong shape, the mask does not fit, or an index of a valid row is not a whole number in [0, C).</exception>
    public float Forward(Tensor predictions, Tensor targets, SequenceMask? mask)
    {
        Loss.CheckScores(predictions, Name);
        ArgumentNullException.ThrowIfNull(targets);
        Loss.CheckMask(predictions, mask, Name);
        int c = predictions.Dim(-1), b = predictions.Length / c;
        string expected = Tensor.FormatShape(predictions.Shape[..^1]);
        if (targets.Rank == predictions.Rank && targets.Dim(-1) > 1)
        {
            throw new ArgumentException(
                $"{Name}: targets have shape {Tensor.FormatShape(targets.Shape)}, which looks one-hot; this loss takes class indices {expected}: use categorical_crossentropy for one-hot labels.",
                nameof(targets));
        }

        bool fits = targets.Rank is var rank && (rank == predictions.Rank - 1 || rank == predictions.Rank)
            && targets.Shape[..(predictions.Rank - 1)].SequenceEqual(predictions.Shape[..^1]);
        if (targets.Length != b || !fits)
        {
            throw new ArgumentException(
                $"{Name}: targets have shape {Tensor.FormatShape(targets.Shape)} for predictions {Tensor.FormatShape(predictions.Shape)}; give one class index per example (and step), shape {expected}.", nameof(targets));
        }

        ReadOnlySpan<byte> valid = Loss.ValidRows(mask);
        int[] classes = _classes is { Length: var n } && n >= b ? _classes : (_classes = new int[b]);
        for (int r = 0; r < b; r++)
        {
            if (!valid.IsEmpty && valid[r] == 0)
            {
                classes[r] = 0; // ignored: a masked step's target may be padding
                continue;
            }

            float t = targets.Span[r];
            if (!(t >= 0f && t < c) || t != MathF.Floor(t))
            {
                throw new ArgumentException(
                    $"{Name}: targets[{r}] = {t} is not a class index in [0, {c}) for a model with {c} outputs; check the labels or the last layer's units.", nameof(targets));
            }

            classes[r] = (int)t;
        }

        if (FromLogits)
        {
            return _logits.Forward(predictions, classes.AsSpan(0, b), mask);
        }

        Loss.CheckProbabilities(predictions, Name);
        int count = Loss.CountValid(mask, b);
        Tensor gradient = Buffers.Ensure(ref _gradient, predictions.Shape);
        gradient.Fill(0f);
        double loss = 0;
        for (int r = 0; r < b; r++)
        {
            if (!valid.IsEmpty && valid[r] == 0)
            {
                continue;
            }

            int k = r * c + classes[r];
            float p = predictions.Span[k], pc = Math.Clamp(p, Epsilon, 1f - Epsilon);
            loss -= Math.Log(pc);
            gradient.Span[k] = p == pc ? -1f / (pc * count) : 0f;
        }

        return (float)(loss / count);
    }
}
