using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recur.Tensors;

namespace Recur.Losses;

/// <summary>
/// Softmax cross-entropy from logits, fused and numerically stable (TensorFlow's
/// <c>softmax_cross_entropy_with_logits</c>, PyTorch's <c>cross_entropy</c>), averaged over the batch.
/// For logits <c>z [B, C]</c> and label distributions <c>y [B, C]</c>:
/// <c>loss = −(1/B) Σ_b Σ_c y_bc · log_softmax(z_b)_c</c>, and <c>dL/dz_b = (softmax(z_b)·Σ_c y_bc − y_b) / B</c>,
/// which is the familiar <c>(p − y)/B</c> for one-hot rows. Per step, <c>z [B, T, C]</c>, every step is a row and the
/// mean is over the valid rows (B·T without a mask).
/// </summary>
/// <remarks>The returned <see cref="Gradient"/> and <see cref="Probabilities"/> are buffers reused by the next call.</remarks>
public sealed class SoftmaxCrossEntropy : ILoss
{
    private Tensor? _gradient;
    private Tensor? _probabilities;

    /// <summary>"categorical_crossentropy" (from logits).</summary>
    public string Name => "categorical_crossentropy";

    /// <summary>True: predictions are class scores, so accuracy is meaningful.</summary>
    public bool IsClassification => true;

    /// <summary><c>dL/dlogits [B, (T,) C]</c> of the last call.</summary>
    public Tensor Gradient => _gradient ?? throw new InvalidOperationException("SoftmaxCrossEntropy.Gradient read before Forward.");

    /// <summary><c>softmax(logits) [B, (T,) C]</c> of the last call.</summary>
    public Tensor Probabilities => _probabilities ?? throw new InvalidOperationException("SoftmaxCrossEntropy.Probabilities read before Forward.");

    /// <summary>
    /// <c>logits [B, C]</c>, <c>labels [B, C]</c> (one-hot or any distribution) → the mean loss; fills
    /// <see cref="Gradient"/> and <see cref="Probabilities"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ, or a label is negative or not finite.</exception>
    /// <exception cref="DivergenceException">A logit is NaN or infinite.</exception>
    public float Forward(Tensor logits, Tensor labels) => Forward(logits, labels, null);

    /// <summary>
    /// <c>logits [B, C]</c> or per step <c>[B, T, C]</c>, <c>labels</c> of the same shape (one-hot or any distribution),
    /// <paramref name="mask"/> <c>[B, T]</c> or null → the mean loss over the valid rows (PyTorch's
    /// <c>cross_entropy</c> over <c>[B, C, T]</c>; masked steps add nothing and get a zero gradient); fills
    /// <see cref="Gradient"/> and <see cref="Probabilities"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ, the mask does not fit, or a label of a valid row is negative or not finite.</exception>
    /// <exception cref="DivergenceException">A logit is NaN or infinite.</exception>
    public float Forward(Tensor logits, Tensor labels, SequenceMask? mask)
    {
        CheckLogits(logits, mask);
        ArgumentNullException.ThrowIfNull(labels);
        if (!labels.HasShape(logits.Shape))
        {
            throw new ArgumentException(
                $"SoftmaxCrossEntropy: labels have shape {Tensor.FormatShape(labels.Shape)}, expected {Tensor.FormatShape(logits.Shape)} (one-hot rows matching the logits); pass class indices to the other overload.",
                nameof(labels));
        }

        int c = logits.Dim(-1), b = logits.Length / c;
        ReadOnlySpan<byte> valid = Loss.ValidRows(mask);
        int n = Loss.CountValid(mask, b);
        Span<float> p = Softmax(logits);
        Span<float> g = Buffers.Ensure(ref _gradient, logits.Shape).Span;
        ReadOnlySpan<float> y = labels.Span;
        double loss = 0;
        float invB = 1f / n;
        for (int r = 0; r < b; r++)
        {
            if (!valid.IsEmpty && valid[r] == 0)
            {
                g.Slice(r * c, c).Clear();
                continue;
            }

            ReadOnlySpan<float> yr = y.Slice(r * c, c), zr = logits.Span.Slice(r * c, c);
            float max = TensorPrimitives.Max(zr);
            double logSum = LogSumExpShifted(zr, max);
            double mass = 0;
            for (int j = 0; j < c; j++)
            {
                float yj = yr[j];
                if (!(yj >= 0f) || float.IsInfinity(yj))
                {
                    throw new ArgumentException(
                        $"SoftmaxCrossEntropy: labels[{r}, {j}] = {yj}; labels must be finite and non-negative (one-hot or probabilities).", nameof(labels));
                }

                if (yj != 0f)
                {
                    loss -= yj * ((zr[j] - max) - logSum);
                    mass += yj;
                }
            }

            for (int j = 0; j < c; j++)
            {
                g[r * c + j] = ((float)(p[r * c + j] * mass) - yr[j]) * invB;
            }
        }

        return (float)(loss / n);
    }

    /// <summary>
    /// <c>logits [B, C]</c>, <c>classes [B]</c> (class indices in [0, C)) → the mean loss; fills
    /// <see cref="Gradient"/> and <see cref="Probabilities"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ or a class index is out of range.</exception>
    public float Forward(Tensor logits, ReadOnlySpan<int> classes) => Forward(logits, classes, null);

    /// <summary>
    /// <c>logits [B, C]</c> or per step <c>[B, T, C]</c>, <c>classes</c> one index in [0, C) per row (<c>[B]</c> or
    /// <c>[B·T]</c>, row-major), <paramref name="mask"/> <c>[B, T]</c> or null → the mean loss over the valid rows
    /// (PyTorch's <c>ignore_index</c>: the class of a masked row is not read); fills <see cref="Gradient"/> and
    /// <see cref="Probabilities"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths differ, the mask does not fit, or a class index of a valid row is out of range.</exception>
    public float Forward(Tensor logits, ReadOnlySpan<int> classes, SequenceMask? mask)
    {
        CheckLogits(logits, mask);
        int c = logits.Dim(-1), b = logits.Length / c;
        if (classes.Length != b)
        {
            throw new ArgumentException(
                $"SoftmaxCrossEntropy: {classes.Length} class indices given for a batch of {b} logits rows; expected one per row.", nameof(classes));
        }

        ReadOnlySpan<byte> valid = Loss.ValidRows(mask);
        int n = Loss.CountValid(mask, b);
        Span<float> p = Softmax(logits);
        Span<float> g = Buffers.Ensure(ref _gradient, logits.Shape).Span;
        double loss = 0;
        float invB = 1f / n;
        for (int r = 0; r < b; r++)
        {
            Span<float> gr = g.Slice(r * c, c);
            if (!valid.IsEmpty && valid[r] == 0)
            {
                gr.Clear();
                continue;
            }

            int k = classes[r];
            if ((uint)k >= (uint)c)
            {
                throw new ArgumentException(
                    $"SoftmaxCrossEntropy: classes[{r}] = {k} is outside [0, {c}) for logits of {c} classes.", nameof(classes));
            }

            ReadOnlySpan<float> zr = logits.Span.Slice(r * c, c);
            float max = TensorPrimitives.Max(zr);
            loss -= (zr[k] - max) - LogSumExpShifted(zr, max);
            TensorPrimitives.Multiply(p.Slice(r * c, c), invB, gr);
            gr[k] -= invB;
        }

        return (float)(loss / n);
    }

    /// <summary>Row-wise softmax of <c>logits [B, (T,) C]</c> into <see cref="Probabilities"/>.</summary>
    private Span<float> Softmax(Tensor logits)
    {
        int c = logits.Dim(-1), b = logits.Length / c;
        Span<float> p = Buffers.Ensure(ref _probabilities, logits.Shape).Span;
        for (int r = 0; r < b; r++)
        {
            TensorPrimitives.SoftMax(logits.Span.Slice(r * c, c), p.Slice(r * c, c));
        }

        return p;
    }

    /// <summary><c>log Σ_j exp(z_j − max)</c>, in double.</summary>
    private static double LogSumExpShifted(ReadOnlySpan<float> z, float max)
    {
        double sum = 0;
        for (int j = 0; j < z.Length; j++)
        {
            sum += Math.Exp(z[j] - max);
        }

        return Math.Log(sum);
    }

    private static void CheckLogits(Tensor logits, SequenceMask? mask)
    {
        ArgumentNullException.ThrowIfNull(logits);
        if (logits.Rank is not (2 or 3) || logits.Length == 0)
        {
            throw new ArgumentException(
                $"SoftmaxCrossEntropy: logits have shape {Tensor.FormatShape(logits.Shape)}, expected [batch, classes] or [batch, steps, classes] with every size positive.", nameof(logits));
        }

        Loss.CheckMask(logits, mask, "SoftmaxCrossEntropy");

        ReadOnlySpan<float> z = logits.Span;
        for (int i = 0; i < z.Length; i++)
        {
            if (!float.IsFinite(z[i]))
            {
                throw new DivergenceException(
                    $"SoftmaxCrossEntropy: logits[{i / logits.Dim(-1)}, {i % logits.Dim(-1)}] = {z[i]} is not finite; the model has diverged (lower the learning rate or clip gradients).");
            }
        }
    }
}
