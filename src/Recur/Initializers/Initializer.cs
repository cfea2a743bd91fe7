using Recur.Tensors;

namespace Recur.Initializers;

/// <summary>
/// Factories for the stock initializers, PyTorch's fan rule, and a
/// <see cref="Fill(IInitializer, Tensor, Rng)"/> extension that applies it.
/// </summary>
public static class Initializer
{
    /// <summary>All zeros.</summary>
    public static Zeros Zeros => Zeros.Instance;

    /// <summary>Glorot (Xavier) uniform, limit √(6 / (fanIn + fanOut)).</summary>
    public static GlorotUniform GlorotUniform => GlorotUniform.Instance;

    /// <summary>Every element <paramref name="value"/>.</summary>
    public static Constant Constant(float value) => new(value);

    /// <summary>N(<paramref name="mean"/>, <paramref name="stddev"/>²), as <c>tf.random_normal</c>.</summary>
    public static RandomNormal RandomNormal(float mean = 0f, float stddev = 1f) => new(mean, stddev);

    /// <summary>U(<paramref name="minVal"/>, <paramref name="maxVal"/>), Keras's <c>RandomUniform</c> (±0.05 by default).</summary>
    public static RandomUniform RandomUniform(float minVal = -0.05f, float maxVal = 0.05f) => new(minVal, maxVal);

    /// <summary>A random orthogonal matrix times <paramref name="gain"/>.</summary>
    public static Orthogonal Orthogonal(float gain = 1f) => new(gain);

    /// <summary>PyTorch's U(−1/√H, 1/√H); H = <paramref name="hiddenSize"/>, or the fan-in when null.</summary>
    public static TorchUniform TorchUniform(int? hiddenSize = null) => new(hiddenSize);

    /// <summary>
    /// Fan-in and fan-out of a tensor in PyTorch's layout <c>[out, in, k...]</c>
    /// (<c>torch.nn.init._calculate_fan_in_and_fan_out</c>): with receptive field
    /// r = product of dims 2.., fanIn = Dim(1)·r and fanOut = Dim(0)·r. For a rank-1 tensor
    /// (a bias <c>[out]</c>, for which PyTorch raises) both are its length.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="shape"/> is empty.</exception>
    public static (int FanIn, int FanOut) Fans(ReadOnlySpan<int> shape)
    {
        if (shape.Length == 0)
        {
            throw new ArgumentException("Fans need a shape with at least one dimension.", nameof(shape));
        }

        if (shape.Length == 1)
        {
            return (shape[0], shape[0]);
        }

        int receptive = 1;
        for (int i = 2; i < shape.Length; i++)
        {
            receptive *= shape[i];
        }

        return (shape[1] * receptive, shape[0] * receptive);
    }

    /// <summary>
    /// Fills <paramref name="tensor"/> with <paramref name="initializer"/>, taking the fans
    /// from its shape by <see cref="Fans"/> (PyTorch's <c>[out, in]</c> layout).
    /// </summary>
    public static void Fill(this IInitializer initializer, Tensor tensor, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(initializer);
        ArgumentNullException.ThrowIfNull(tensor);
        var (fanIn, fanOut) = Fans(tensor.Shape);
        initializer.Fill(tensor, fanIn, fanOut, rng);
    }

    /// <summary>Fills with <c>(float)(−bound + 2·bound·u)</c>, u uniform in [0, 1), in order.</summary>
    internal static void FillUniform(Span<float> data, double bound, Rng rng)
    {
        double width = 2.0 * bound;
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (float)(width * rng.NextDouble() - bound);
        }
    }
}
