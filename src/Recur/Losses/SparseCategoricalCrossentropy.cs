using Recur.Tensors;

namespace Recur.Losses;

/// <summary>
/// Keras's <c>SparseCategoricalCrossentropy(from_logits)</c>: cross-entropy against class indices, given as a float
/// tensor <c>[B]</c> (or <c>[B, 1]</c>) of whole numbers in <c>[0, C)</c>, averaged over the batch. From logits it is
/// <see cref="SoftmaxCrossEntropy"/>'s class-index form; from probabilities <c>−(1/B) Σ log(clip(p[b, y_b], 1e-7, 1 − 1e-7))</c>.
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

    /// <summary><c>dL/dpredictions [B, C]</c> of the last call.</summary>
    public Tensor Gradient => FromLogits ? _logits.Gradient : _gradient ?? throw new InvalidOperationException("SparseCategoricalCrossentropy.Gradient read before Forward.");

    /// <summary><c>predictions [B, C]</c>, <c>targets [B]</c> class indices → the mean loss.</summary>
    /// <exception cref="ArgumentException">The targets are one-hot or of the wrong count, or an index is not a whole number in [0, C).</exception>
    public float Forward(Tensor predictions, Tensor targets)
    {
        Loss.CheckScores(predictions, Name);
        ArgumentNullException.ThrowIfNull(targets);
        int b = predictions.Dim(0), c = predictions.Dim(1);
        if (targets.Rank == 2 && targets.Dim(1) > 1)
        {
            throw new ArgumentException(
                $"{Name}: targets have shape {Tensor.FormatShape(targets.Shape)}, which looks one-hot; this loss takes class indices [batch]: use categorical_crossentropy for one-hot labels.",
                nameof(targets));
        }

        if (targets.Length != b || targets.Rank > 2)
        {
            throw new ArgumentException(
                $"{Name}: targets have shape {Tensor.FormatShape(targets.Shape)} for {b} predictions; give one class index per example, shape [{b}].", nameof(targets));
        }

        int[] classes = _classes is { Length: var n } && n >= b ? _classes : (_classes = new int[b]);
        for (int r = 0; r < b; r++)
        {
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
            return _logits.Forward(predictions, classes.AsSpan(0, b));
        }

        Loss.CheckProbabilities(predictions, Name);
        Tensor gradient = Buffers.Ensure(ref _gradient, predictions.Shape);
        gradient.Fill(0f);
        double loss = 0;
        for (int r = 0; r < b; r++)
        {
            int k = r * c + classes[r];
            float p = predictions.Span[k], pc = Math.Clamp(p, Epsilon, 1f - Epsilon);
            loss -= Math.Log(pc);
            gradient.Span[k] = p == pc ? -1f / (pc * b) : 0f;
        }

        return (float)(loss / b);
    }
}
