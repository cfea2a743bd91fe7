using Recur.Tensors;

namespace Recur.Losses;

/// <summary>
/// A loss over a batch: <see cref="Forward"/> returns the mean loss and leaves <c>dL/dpredictions</c>
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

    /// <summary><c>dL/dpredictions</c> of the last <see cref="Forward"/>, shaped like the predictions.</summary>
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
