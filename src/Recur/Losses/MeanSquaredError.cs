using Recur.Tensors;

namespace Recur.Losses;

/// <summary>
/// Mean squared error (Keras's <c>mse</c>), for regression such as predicting a sequence's next values:
/// <c>predictions</c> and <c>targets</c> of the same shape <c>[B, …]</c>, loss <c>mean((p − y)²)</c> over every
/// element, gradient <c>2(p − y)/N</c> with N the element count.
/// </summary>
public sealed class MeanSquaredError : ILoss
{
    private Tensor? _gradient;

    /// <summary>"mse".</summary>
    public string Name => "mse";

    /// <summary>False: accuracy does not apply.</summary>
    public bool IsClassification => false;

    /// <summary><c>dL/dpredictions</c> of the last call.</summary>
    public Tensor Gradient => _gradient ?? throw new InvalidOperationException("MeanSquaredError.Gradient read before Forward.");

    /// <summary><c>predictions [B, …]</c>, <c>targets</c> of the same shape → the mean squared difference.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public float Forward(Tensor predictions, Tensor targets)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(targets);
        if (!targets.HasShape(predictions.Shape))
        {
            throw new ArgumentException(
                $"mse: targets have shape {Tensor.FormatShape(targets.Shape)} but the model outputs {Tensor.FormatShape(predictions.Shape)}; give targets shaped like the output.", nameof(targets));
        }

        Span<float> g = Buffers.Ensure(ref _gradient, predictions.Shape).Span;
        ReadOnlySpan<float> p = predictions.Span, y = targets.Span;
        double sum = 0;
        float scale = 2f / p.Length;
        for (int i = 0; i < p.Length; i++)
        {
            float d = p[i] - y[i];
            sum += (double)d * d;
            g[i] = scale * d;
        }

        return (float)(sum / p.Length);
    }
}
