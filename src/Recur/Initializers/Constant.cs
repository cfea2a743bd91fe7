using Recur.Tensors;

namespace Recur.Initializers;

/// <summary>
/// Fills with one value (PyTorch's <c>constant_</c>, TensorFlow's <c>tf.constant</c>; the
/// TensorFlow RNN tutorials initialise their output bias with 0.1).
/// </summary>
public sealed record Constant : IInitializer
{
    /// <summary>Creates the initializer.</summary>
    /// <param name="value">The value; must be finite.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="value"/> is NaN or infinite.</exception>
    public Constant(float value)
    {
        Value = value;
    }

    /// <summary>The value every element gets; finite.</summary>
    public float Value
    {
        get;
        init
        {
            if (!float.IsFinite(value))
            {
                throw new ArgumentOutOfRangeException(
                    nameof(value), value, $"Constant value must be finite, got {value}.");
            }

            field = value;
        }
    }

    /// <inheritdoc/>
    public void Fill(Tensor tensor, int fanIn, int fanOut, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(rng);
        tensor.Fill(Value);
    }
}
