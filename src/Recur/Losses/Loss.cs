using Recur.Tensors;

namespace Recur.Losses;

/// <summary>Losses by their Keras names, the accuracy metric for any classification loss, and the checks losses share.</summary>
public static class Loss
{
    private static readonly ClassAccuracy OneHotAccuracy = new("accuracy");
    private static readonly ClassAccuracy SparseAccuracy = new("accuracy", sparse: true);
    private static readonly BinaryAccuracy ProbabilityBinaryAccuracy = new(0.5f, "accuracy");
    private static readonly BinaryAccuracy LogitsBinaryAccuracy = new(0f, "accuracy");

    /// <summary>The names <see cref="FromName"/> knows, in the order its error message lists them.</summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "categorical_crossentropy", "sparse_categorical_crossentropy", "binary_crossentropy",
        "mse", "mean_squared_error", "mae", "mean_absolute_error", "huber",
    ];

    /// <summary>
    /// The loss named <paramref name="name"/> as Keras names it: <c>categorical_crossentropy</c>,
    /// <c>sparse_categorical_crossentropy</c>, <c>binary_crossentropy</c> (all three from probabilities, as Keras's
    /// strings are, unless <paramref name="fromLogits"/>), <c>mse</c> / <c>mean_squared_error</c>,
    /// <c>mae</c> / <c>mean_absolute_error</c>, <c>huber</c> (delta 1).
    /// </summary>
    /// <exception cref="ArgumentException">The name is unknown; the message lists the known ones.</exception>
    public static ILoss FromName(string name, bool fromLogits = false) => name switch
    {
        "categorical_crossentropy" => new CategoricalCrossentropy(fromLogits),
        "sparse_categorical_crossentropy" => new SparseCategoricalCrossentropy(fromLogits),
        "binary_crossentropy" => new BinaryCrossentropy(fromLogits),
        "mse" or "mean_squared_error" => new MeanSquaredError(),
        "mae" or "mean_absolute_error" => new MeanAbsoluteError(),
        "huber" => new Huber(),
        _ => throw new ArgumentException(
            $"Unknown loss '{name}'; use one of {string.Join(", ", Names)} (categorical_crossentropy for one-hot labels, sparse_categorical_crossentropy for class indices).", nameof(name)),
    };

    /// <summary>
    /// The share of rows of <c>predictions [B, C]</c> whose arg-max is the target class: targets one-hot <c>[B, C]</c>,
    /// or class indices <c>[B]</c> for <see cref="SparseCategoricalCrossentropy"/>; for
    /// <see cref="BinaryCrossentropy"/>, Keras's binary accuracy (see <see cref="BinaryAccuracy"/>).
    /// </summary>
    public static float Accuracy(ILoss loss, Tensor predictions, Tensor targets) => Accuracy(loss, predictions, targets, null);

    /// <summary>
    /// The accuracy of <see cref="Accuracy(ILoss, Tensor, Tensor)"/> over every valid step of a sequence output:
    /// <c>predictions [B, C]</c> or <c>[B, T, C]</c>, targets one-hot <c>[B, (T,) C]</c> or class indices
    /// <c>[B, (T)]</c>, <paramref name="mask"/> <c>[B, T]</c> or null; matches / valid steps.
    /// </summary>
    public static float Accuracy(ILoss loss, Tensor predictions, Tensor targets, SequenceMask? mask)
    {
        ArgumentNullException.ThrowIfNull(loss);
        Metric metric = loss switch
        {
            BinaryCrossentropy { FromLogits: true } => LogitsBinaryAccuracy,
            BinaryCrossentropy => ProbabilityBinaryAccuracy,
            SparseCategoricalCrossentropy => SparseAccuracy,
            _ => OneHotAccuracy,
        };
        MetricTotal t = metric.Measure(predictions, targets, mask);
        return t.Count == 0 ? 0f : (float)t.Sum / (int)t.Count; // hits / rows, as a float (whole numbers, exact)
    }

    /// <summary>Throws unless <c>predictions</c> is <c>[B, C]</c> or <c>[B, T, C]</c> with every size positive.</summary>
    internal static void CheckScores(Tensor predictions, string loss)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        if (predictions.Rank is not (2 or 3) || predictions.Length == 0)
        {
            throw new ArgumentException(
                $"{loss}: the model's output has shape {Tensor.FormatShape(predictions.Shape)}, expected [batch, classes] or, per step, [batch, steps, classes]; end the model with a Dense layer of one unit per class.",
                nameof(predictions));
        }
    }

    /// <summary>
    /// Throws unless every prediction is a probability, so a model that forgot its final activation gets told
    /// (<paramref name="activation"/>: <c>Softmax</c> or <c>Sigmoid</c>).
    /// </summary>
    internal static void CheckProbabilities(Tensor predictions, string loss, string activation = "Softmax")
    {
        ReadOnlySpan<float> p = predictions.Span;
        for (int i = 0; i < p.Length; i++)
        {
            if (!(p[i] >= 0f && p[i] <= 1f))
            {
                throw new ArgumentException(
                    $"{loss}: prediction [{i / predictions.Dim(-1)}, {i % predictions.Dim(-1)}] = {p[i]} is not a probability; with fromLogits: false the model must end in a {activation.ToLowerInvariant()} "
                    + $"(DenseLayer(units, Activation.{activation}) or ActivationLayer(Activation.{activation})); for a model ending in a plain Dense, use fromLogits: true.",
                    nameof(predictions));
            }
        }
    }

    /// <summary>Throws unless <paramref name="mask"/> is null or <c>[B, T]</c> of <c>predictions [B, T, ·]</c>.</summary>
    internal static void CheckMask(Tensor predictions, SequenceMask? mask, string loss)
    {
        if (mask is not null && (predictions.Rank != 3 || mask.Batch != predictions.Dim(0) || mask.Steps != predictions.Dim(1)))
        {
            throw new ArgumentException(
                $"{loss}: the mask is [{mask.Batch}, {mask.Steps}] but the model's output has shape {Tensor.FormatShape(predictions.Shape)}; "
                + "a mask applies to a sequence output [batch, steps, ·] of the same batch and steps (a recurrent layer with ReturnSequences: true before the Dense).",
                nameof(mask));
        }
    }

    /// <summary>The mask's <c>[B·T]</c> validity by row, or an empty span when every row is valid.</summary>
    internal static ReadOnlySpan<byte> ValidRows(SequenceMask? mask) => mask is null || mask.IsFull ? default : mask.Valid;

    /// <summary>Valid rows out of <paramref name="rows"/>: all of them without a mask.</summary>
    internal static int CountValid(SequenceMask? mask, int rows) => mask is null || mask.IsFull ? rows : (int)mask.ValidSteps;

    /// <summary>
    /// Throws unless <c>targets</c> is shaped like <c>predictions</c>, or is <c>predictions</c>' shape without a last
    /// axis of 1 (Keras's <c>[B, T]</c> targets for <c>[B, T, 1]</c> predictions).
    /// </summary>
    internal static void CheckSameShape(Tensor predictions, Tensor targets, string loss)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(targets);
        if (targets.HasShape(predictions.Shape))
        {
            return;
        }

        bool squeezed = predictions.Dim(-1) == 1 && targets.Rank == predictions.Rank - 1 && targets.Shape.SequenceEqual(predictions.Shape[..^1]);
        if (!squeezed)
        {
            throw new ArgumentException(
                $"{loss}: targets have shape {Tensor.FormatShape(targets.Shape)} but the model outputs {Tensor.FormatShape(predictions.Shape)}; give targets shaped like the output.", nameof(targets));
        }
    }
}
