using Recur.Tensors;

namespace Recur.Initializers;

/// <summary>
/// Fills with independent draws from N(<see cref="Mean"/>, <see cref="Stddev"/>²), not
/// truncated: TensorFlow's <c>tf.random_normal</c>, which the TensorFlow RNN tutorials use
/// for their output weights (mean 0, stddev 1), PyTorch's <c>normal_</c>, Keras's
/// <c>RandomNormal</c> (whose default stddev is 0.05, not 1).
/// </summary>
/// <remarks>Each element is <c>(float)(Mean + Stddev·z)</c>, z from <see cref="Rng.NextGaussian"/>, in row-major order.</remarks>
public sealed record RandomNormal : IInitializer
{
    /// <summary>Creates the initializer.</summary>
    /// <param name="mean">The mean; finite.</param>
    /// <param name="stddev">The standard deviation; finite and positive.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public RandomNormal(float mean = 0f, float stddev = 1f)
    {
        Mean = mean;
        Stddev = stddev;
    }

    /// <summary>The mean; finite.</summary>
    public float Mean
    {
        get;
        init
        {
            if (!float.IsFinite(value))
            {
                throw new ArgumentOutOfRangeException(
                    "mean", value, $"RandomNormal mean must be finite, got {value}.");
            }

            field = value;
        }
    }

    /// <summary>The standard deviation; finite and positive.</summary>
    public float Stddev
    {
        get;
        init
        {
            if (!(value > 0f) || !float.IsFinite(value))
            {
                throw new ArgumentOutOfRangeException(
                    "stddev", value, $"RandomNormal stddev must be finite and positive, got {value}.");
            }

            field = value;
        }
    }

    /// <inheritdoc/>
    public void Fill(Tensor tensor, int fanIn, int fanOut, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(rng);
        Span<float> data = tensor.Span;
        double mean = Mean;
        double stddev = Stddev;
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (float)(mean + stddev * rng.NextGaussian());
        }
    }
}
