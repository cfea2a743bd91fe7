using Recur.Layers;
using Recur.Optimizers;
using Recur.Tensors;

namespace Recur.Training;

/// <summary>
/// What the training loop (<see cref="Trainer"/>) and its callbacks see of a model: one optimisation step, an
/// evaluation, the weights and the optimizer, the generators it draws from in training, and a way to save it.
/// <c>Recur.Models.Sequential</c> implements it; <c>Training</c> knows nothing else of <c>Models</c>.
/// </summary>
public interface ITrainable
{
    /// <summary>Every trainable parameter, in a fixed order.</summary>
    IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>The optimizer; null before the model is compiled.</summary>
    Optimizer? Optimizer { get; }

    /// <summary>The metrics reported besides the loss (<c>accuracy</c> or none).</summary>
    IReadOnlyList<string> Metrics { get; }

    /// <summary>Set by a callback (e.g. <see cref="EarlyStopping"/>) to end training after the current batch.</summary>
    bool StopTraining { get; set; }

    /// <summary>Epochs completed (saved with the model; Keras's <c>initial_epoch</c> to resume).</summary>
    int Epoch { get; set; }

    /// <summary>
    /// The generators the model draws from in training (dropout masks), each once, in a fixed order; the loop saves
    /// and restores their states in a checkpoint.
    /// </summary>
    IReadOnlyList<Rng> RandomSources { get; }

    /// <summary>One optimisation step on a batch: forward, loss, backward, clipping, update.</summary>
    /// <returns>The batch's loss and accuracy, measured before the update.</returns>
    /// <exception cref="Losses.DivergenceException">The loss or the gradients are not finite; the weights are left as they were.</exception>
    BatchResult TrainOnBatch(Tensor x, Tensor y);

    /// <summary>One optimisation step on a batch of sequences under a mask <c>[B, T]</c> (null: every step valid).</summary>
    /// <exception cref="NotSupportedException">The model does not take masks and the mask is not full.</exception>
    BatchResult TrainOnBatch(Tensor x, Tensor y, SequenceMask? mask) =>
        mask is null || mask.IsFull ? TrainOnBatch(x, y) : throw new NotSupportedException("This model does not take sequence masks.");

    /// <summary>
    /// One optimisation step of data-parallel training on this process's shard of a batch, under a mask <c>[b, T]</c>
    /// (null: every step valid): forward and backward on the shard, then <paramref name="reduction"/> sums the shards'
    /// gradients and measurements over its group, then clipping and the update on the whole batch's gradients. A
    /// reduction made with a shard count (<see cref="GradientReduction.Group"/> null) is given the whole batch and runs
    /// its shards one after the other.
    /// </summary>
    /// <returns>The whole batch's loss and accuracy (over every shard), measured before the update.</returns>
    /// <exception cref="NotSupportedException">The model does not support data-parallel training.</exception>
    BatchResult TrainOnBatch(Tensor x, Tensor y, SequenceMask? mask, GradientReduction reduction) =>
        throw new NotSupportedException("This model does not support data-parallel training.");

    /// <summary>Loss and metrics on sequences of the given lengths (PyTorch's lengths; null: every step valid).</summary>
    /// <exception cref="NotSupportedException">The model does not take lengths.</exception>
    BatchResult Evaluate(Tensor x, Tensor y, int batchSize, int[]? lengths) =>
        lengths is null ? Evaluate(x, y, batchSize) : throw new NotSupportedException("This model does not take sequence lengths.");

    /// <summary>Loss and accuracy on <c>x</c>, <c>y</c> without changing the model, in batches of <paramref name="batchSize"/>.</summary>
    BatchResult Evaluate(Tensor x, Tensor y, int batchSize = 1000);

    /// <summary>Copies of every parameter's values, in <see cref="Parameters"/> order.</summary>
    float[][] GetWeights();

    /// <summary>Sets every parameter's values from arrays as <see cref="GetWeights"/> returns them.</summary>
    void SetWeights(IReadOnlyList<float[]> weights);

    /// <summary>Saves the model, with its optimizer state, as a model directory.</summary>
    void Save(string path);

    /// <summary>Puts the weights, optimizer state and epoch of a directory written by <see cref="Save"/> into this model.</summary>
    /// <exception cref="InvalidDataException">The directory does not hold a model built and compiled like this one.</exception>
    void Restore(string path);
}
