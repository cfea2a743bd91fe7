using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recur.Tensors;

namespace Recur.Losses;

/// <summary>
/// Helpers for what <c>Sequential.Predict</c> returns (Keras users write <c>np.argmax(model.predict(x), -1)</c>): the
/// class of each row, and probabilities from logits. Each works over the last axis, on <c>[B, C]</c> and per step on
/// <c>[B, T, C]</c>, and returns a new array or tensor.
/// </summary>
public static class Predictions
{
    /// <summary>
    /// The index of the largest score of each row (the first on ties): <c>scores [B, C] → [B]</c>, or
    /// <c>[B, T, C] → [B·T]</c> row-major (step t of sequence b at <c>b·T + t</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is empty or has no class axis.</exception>
    public static int[] ArgMax(Tensor scores)
    {
        int c = CheckRows(scores, nameof(ArgMax));
        var classes = new int[scores.Length / c];
        for (int r = 0; r < classes.Length; r++)
        {
            classes[r] = TensorPrimitives.IndexOfMax(scores.Span.Slice(r * c, c));
        }

        return classes;
    }

    /// <summary>
    /// Softmax over the last axis: <c>logits [B, (T,) C] →</c> probabilities of the same shape, each row summing to 1;
    /// the row's maximum is subtracted first, so any finite logits give finite probabilities.
    /// </summary>
    /// <exception cref="ArgumentException">The tensor is empty or has no class axis.</exception>
    public static Tensor Softmax(Tensor logits)
    {
        int c = CheckRows(logits, nameof(Softmax));
        var p = new Tensor(logits.Shape.ToArray());
        for (int r = 0; r < logits.Length / c; r++)
        {
            // System.Numerics.Tensors' SoftMax does not subtract the maximum: a logit above ~709 gives NaN.
            Span<float> row = p.Span.Slice(r * c, c);
            ReadOnlySpan<float> z = logits.Span.Slice(r * c, c);
            TensorPrimitives.Subtract(z, TensorPrimitives.Max(z), row);
            TensorPrimitives.Exp(row, row);
            TensorPrimitives.Divide(row, TensorPrimitives.Sum(row), row);
        }

        return p;
    }

    /// <summary>The logistic sigmoid of every element: <c>logits [B, …] →</c> probabilities of the same shape (for a <see cref="BinaryCrossentropy"/> from logits).</summary>
    /// <exception cref="ArgumentException">The tensor is empty or has no class axis.</exception>
    public static Tensor Sigmoid(Tensor logits)
    {
        CheckRows(logits, nameof(Sigmoid));
        var p = new Tensor(logits.Shape.ToArray());
        TensorPrimitives.Sigmoid(logits.Span, p.Span);
        return p;
    }

    private static int CheckRows(Tensor t, string what)
    {
        ArgumentNullException.ThrowIfNull(t);
        if (t.Rank < 2 || t.Length == 0)
        {
            throw new ArgumentException(
                $"Predictions.{what}: the tensor has shape {Tensor.FormatShape(t.Shape)}; give the model's output, [batch, classes] or [batch, steps, classes].", nameof(t));
        }

        return t.Dim(-1);
    }
}
