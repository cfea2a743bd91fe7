using Recur.Tensors;

namespace Recur.Losses;

/// <summary>
/// A loss that is the mean of one function of each prediction and its target (Keras's regression losses and binary
/// cross-entropy: the mean over the last axis, then over the rows). <c>predictions [B, F]</c> or per step
/// <c>[B, T, F]</c>, targets of the same shape (or, for <c>F = 1</c>, without the last axis: Keras's <c>[B, T]</c>
/// targets for <c>[B, T, 1]</c> predictions). With a mask <c>[B, T]</c> the mean is over the valid steps' elements;
/// masked steps add nothing and get a zero gradient.
/// </summary>
public abstract class ElementwiseLoss : ILoss
{
    private Tensor? _gradient;

    /// <summary>The Keras name of the loss.</summary>
    public abstract string Name { get; }

    /// <summary>False: accuracy does not apply (binary cross-entropy says true).</summary>
    public virtual bool IsClassification => false;

    /// <summary><c>dL/dpredictions</c> of the last call, shaped like the predictions.</summary>
    public Tensor Gradient => _gradient ?? throw new InvalidOperationException($"{GetType().Name}.Gradient read before Forward.");

    /// <summary><c>predictions [B, …]</c>, <c>targets</c> of the same shape → the mean of the elements' losses.</summary>
    /// <exception cref="ArgumentException">The shapes differ, or an input is outside the loss's domain.</exception>
    public float Forward(Tensor predictions, Tensor targets) => Forward(predictions, targets, null);

    /// <summary>
    /// <c>predictions [B, F]</c> or <c>[B, T, F]</c>, <c>targets</c> shaped alike, <paramref name="mask"/> <c>[B, T]</c>
    /// or null → the mean of the elements' losses over the valid steps.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ, the mask does not fit, or an input is outside the loss's domain.</exception>
    public float Forward(Tensor predictions, Tensor targets, SequenceMask? mask)
    {
        Loss.CheckSameShape(predictions, targets, Name);
        Loss.CheckMask(predictions, mask, Name);
        CheckInputs(predictions, targets, mask);
        int f = predictions.Dim(-1), rows = predictions.Length / f;
        ReadOnlySpan<byte> valid = Loss.ValidRows(mask);
        int count = Loss.CountValid(mask, rows) * f;
        Span<float> g = Buffers.Ensure(ref _gradient, predictions.Shape).Span;
        ReadOnlySpan<float> p = predictions.Span, y = targets.Span;
        double sum = 0;
        float scale = 1f / count;
        for (int r = 0; r < rows; r++)
        {
            if (!valid.IsEmpty && valid[r] == 0)
            {
                g.Slice(r * f, f).Clear();
                continue;
            }

            for (int i = r * f; i < (r + 1) * f; i++)
            {
                sum += Element(p[i], y[i], scale, out g[i]);
            }
        }

        return (float)(sum / count);
    }

    /// <summary>
    /// One element's loss (in double, summed by the caller) and its gradient times <paramref name="scale"/>, which is
    /// one over the number of elements averaged.
    /// </summary>
    protected abstract double Element(float prediction, float target, float scale, out float gradient);

    /// <summary>
    /// Checks the values of <c>predictions [B, (T,) F]</c> and their targets before the loss is computed (the targets of
    /// steps that <paramref name="mask"/> masks may be padding); nothing by default.
    /// </summary>
    /// <exception cref="ArgumentException">A value is outside the loss's domain.</exception>
    protected virtual void CheckInputs(Tensor predictions, Tensor targets, SequenceMask? mask)
    {
    }
}
