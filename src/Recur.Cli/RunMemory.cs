using Recur.Layers;
using Recur.Models;

namespace Recur.Cli;

/// <summary>
/// Whether a <c>recur train</c> run fits in memory, asked of <see cref="MemoryEstimate"/> before the model is built (and,
/// on MNIST, before the images are read): the model the options describe, its gradients and optimizer slots, the
/// activations of a batch and the data.
/// </summary>
internal static class RunMemory
{
    /// <summary>The bytes of the MNIST images and labels held as floats: 70,000 × (784 + 1) × 4.</summary>
    public const double MnistBytes = 70_000.0 * (784 + 1) * 4;

    /// <summary>
    /// The layers <see cref="TrainRun.BuildModel"/> builds for these options, as records (no names or weights): only
    /// their sizes matter here.
    /// </summary>
    public static List<LayerConfig> Records(TrainSettings settings, int steps, int classes, int? vocabularySize, bool labelSteps)
    {
        var records = new List<LayerConfig>();
        if (vocabularySize is int vocabulary)
        {
            records.Add(new EmbeddingLayer(vocabulary, settings.Text?.EmbeddingDim ?? 32));
        }

        if (settings.InputProjection)
        {
            records.Add(new DenseLayer(settings.Hidden));
        }

        for (int k = 0; k < settings.Layers; k++)
        {
            LayerConfig recurrent = TrainRun.Recurrent(settings, returnSequences: labelSteps || k < settings.Layers - 1, steps);
            records.Add(settings.Bidirectional ? new BidirectionalLayer(recurrent) : recurrent);
        }

        if (settings.Model == "lmu" && settings.MemoryOnly)
        {
            records.Add(TrainRun.MemoryHead(settings));
        }

        records.Add(new DenseLayer(classes));
        return records;
    }

    /// <summary>
    /// Null when training fits in <paramref name="available"/> bytes (by default what this process may use), else the
    /// one-line problem naming the options to lower.
    /// </summary>
    /// <param name="settings">The run's options.</param>
    /// <param name="steps">T, the steps of a sequence.</param>
    /// <param name="features">F, the features of a step (ignored with a vocabulary: token ids).</param>
    /// <param name="classes">The output layer's units.</param>
    /// <param name="vocabularySize">For token ids, the Embedding's vocabulary; else null.</param>
    /// <param name="labelSteps">Whether every recurrent layer returns its sequence (a label per step).</param>
    /// <param name="dataBytes">The data held in memory.</param>
    /// <param name="available">The bytes allowed; null: <see cref="MemoryEstimate.AvailableBytes"/>.</param>
    public static string? Problem(TrainSettings settings, int steps, int features, int classes, int? vocabularySize, bool labelSteps, double dataBytes, long? available = null)
    {
        List<LayerConfig> records = Records(settings, steps, classes, vocabularySize, labelSteps);
        int[] input = vocabularySize is null ? [steps, features] : [steps];
        int slots = settings.Optimizer == "sgd" ? 0 : 2;
        double bytes = MemoryEstimate.TrainingBytes(records, input, settings.BatchSize, slots, dataBytes);
        long allowed = available ?? MemoryEstimate.AvailableBytes;
        long largest = MemoryEstimate.LargestTensor(records, input);
        if (bytes <= allowed && largest <= Array.MaxLength)
        {
            return null;
        }

        long parameters = MemoryEstimate.Parameters(records, input);
        return FormattableString.Invariant(
            $"the model ({parameters:N0} parameters) trained on batches of {settings.BatchSize:N0} sequences of {steps:N0} steps needs about {MemoryEstimate.Format(bytes)}, ") +
            $"more than the {MemoryEstimate.Format(allowed)} this process may use; lower --batch-size, --hidden or --layers.";
    }
}
