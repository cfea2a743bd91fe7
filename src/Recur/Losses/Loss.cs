using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recur.Tensors;

namespace Recur.Losses;

/// <summary>Losses by their Keras names, and the accuracy metric for any classification loss.</summary>
public static class Loss
{
    /// <summary>
    /// The loss named <paramref name="name"/> as Keras names it: <c>categorical_crossentropy</c>,
    /// <c>sparse_categorical_crossentropy</c> (both from probabilities, as Keras's strings are; construct
    /// the classes with <c>fromLogits: true</c> for logits), <c>mse</c> / <c>mean_squared_error</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The name is unknown.</exception>
    public static ILoss FromName(string name, bool fromLogits = false) => name switch
    {
        "categorical_crossentropy" => new CategoricalCrossentropy(fromLogits),
        "sparse_categorical_crossentropy" => new SparseCategoricalCrossentropy(fromLogits),
        "mse" or "mean_squared_error" => new MeanSquaredError(),
        _ => throw new ArgumentException(
            $"Unknown loss '{name}'; use categorical_crossentropy (one-hot labels), sparse_categorical_crossentropy (class indices) or mse.", nameof(name)),
    };

    /// <summary>
    /// The share of rows of <c>predictions [B, C]</c> whose arg-max is the target class: targets one-hot <c>[B, C]</c>,
    /// or class indices <c>[B]</c> for <see cref="SparseCategoricalCrossentropy"/>.
    /// </summary>
    public static float Accuracy(ILoss loss, Tensor predictions, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(loss);
        if (loss is not SparseCategoricalCrossentropy)
        {
            return Losses.Accuracy.FromOneHot(predictions, targets);
        }

        int b = predictions.Dim(0), c = predictions.Dim(1), hits = 0;
        for (int r = 0; r < b; r++)
        {
            if (TensorPrimitives.IndexOfMax(predictions.Span.Slice(r * c, c)) == (int)targets.Span[r])
            {
                hits++;
            }
        }

        return b == 0 ? 0f : (float)hits / b;
    }

    /// <summary>Throws unless <c>predictions</c> is <c>[B, C]</c> with both positive.</summary>
    internal static void CheckScores(Tensor predictions, string loss)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        if (predictions.Rank != 2 || predictions.Dim(0) == 0 || predictions.Dim(1) == 0)
        {
            throw new ArgumentException(
                $"{loss}: the model's output has shape {Tensor.FormatShape(predictions.Shape)}, expected [batch, classes]; end the model with a Dense layer of one unit per class.",
                nameof(predictions));
        }
    }

    /// <summary>Throws unless every prediction is a probability, so a model that forgot its softmax gets told.</summary>
    internal static void CheckProbabilities(Tensor predictions, string loss)
    {
        ReadOnlySpan<float> p = predictions.Span;
        for (int i = 0; i < p.Length; i++)
        {
            if (!(p[i] >= 0f && p[i] <= 1f))
            {
                throw new ArgumentException(
                    $"{loss}: prediction [{i / predictions.Dim(-1)}, {i % predictions.Dim(-1)}] = {p[i]} is not a probability; with fromLogits: false the model must end in a softmax "
                    + "(DenseLayer(units, Activation.Softmax) or ActivationLayer(Activation.Softmax)); for a model ending in a plain Dense, use fromLogits: true.",
                    nameof(predictions));
            }
        }
    }
}
