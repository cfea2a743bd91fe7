using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recur.Tensors;

namespace Recur.Losses;

/// <summary>Classification accuracy: the share of rows whose arg-max matches the label.</summary>
public static class Accuracy
{
    /// <summary><c>scores [B, C]</c> (logits or probabilities), <c>labels [B, C]</c> one-hot → matches / B.</summary>
    public static float FromOneHot(Tensor scores, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(scores);
        ArgumentNullException.ThrowIfNull(labels);
        if (scores.Rank != 2 || !labels.HasShape(scores.Shape))
        {
            throw new ArgumentException(
                $"Accuracy: labels have shape {Tensor.FormatShape(labels.Shape)} and scores {Tensor.FormatShape(scores.Shape)}; expected both [batch, classes].", nameof(labels));
        }

        int b = scores.Dim(0), c = scores.Dim(1), hits = 0;
        for (int r = 0; r < b; r++)
        {
            if (TensorPrimitives.IndexOfMax(scores.Span.Slice(r * c, c)) == TensorPrimitives.IndexOfMax(labels.Span.Slice(r * c, c)))
            {
                hits++;
            }
        }

        return b == 0 ? 0f : (float)hits / b;
    }

    /// <summary><c>scores [B, C]</c>, <c>classes [B]</c> class indices → matches / B.</summary>
    public static float FromClasses(Tensor scores, ReadOnlySpan<int> classes)
    {
        ArgumentNullException.ThrowIfNull(scores);
        if (scores.Rank != 2 || classes.Length != scores.Dim(0))
        {
            throw new ArgumentException(
                $"Accuracy: {classes.Length} class indices for scores of shape {Tensor.FormatShape(scores.Shape)}; expected one per row of [batch, classes].", nameof(classes));
        }

        int b = scores.Dim(0), c = scores.Dim(1), hits = 0;
        for (int r = 0; r < b; r++)
        {
            if (TensorPrimitives.IndexOfMax(scores.Span.Slice(r * c, c)) == classes[r])
            {
                hits++;
            }
        }

        return b == 0 ? 0f : (float)hits / b;
    }
}
