using Recur.Tensors;

namespace Recur.Losses;

/// <summary>
/// A loss over a batch: <see cref="Forward(Tensor, Tensor)"/> returns the mean loss and leaves <c>dL/dpredictions</c>
/// in <see cref="Gradient"/>, a buffer reused by the next call.
/// </summary>
public interface ILoss
{
    /// <summary>The Keras name of the loss, e.g. <c>categorical_crossentropy</c>.</summary>
    string Name { get; }

    /// <summary>True when predictions are class scores and targets name classes, so accuracy applies.</summary>
    bool IsClassification { get; }

    /// <summary><c>predictions [B, C]</c>, <c>targets [B, C]</c> → the mean loss over the batch.</summary>
    float Forward(Tensor predictions, Tensor targets);

    /// <summary>
    /// The mean loss over the valid steps of a sequence output: <c>predictions [B, T, ·]</c>, targets to match, and
    /// <paramref name="mask"/> <c>[B, T]</c> (null: every step valid). Masked steps add nothing to the loss and get a
    /// zero gradient (Keras's masked losses; PyTorch's <c>ignore_index</c>).
    /// </summary>
    /// <exception cref="NotSupportedException">This loss does not take masks and the mask is not full.</exception>
    float Forward(Tensor predictions, Tensor targets, SequenceMask? mask) =>
        mask is null || mask.IsFull
            ? Forward(predictions, targets)
            : throw new NotSupportedException($"{Name} does not skip masked steps; use a loss that does, or train without a mask.");

    /// <summary><c>dL/dpredictions</c> of the last <see cref="Forward(Tensor, Tensor)"/>, shaped like the predictions.</summary>
    Tensor Gradient { get; }
}

/// <summary>
/// Thrown when a loss or its inputs are NaN or infinite: training has diverged. The message says
/// where and suggests the fix (a lower learning rate, gradient clipping).
/// </summary>
public sealed class DivergenceException : ArithmeticException
{
    /// <summary>Creates the exception with its message.</summary>
    public DivergenceException(string message) : base(message)
    {
    }
}
