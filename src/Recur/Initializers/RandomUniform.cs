using System.Globalization;
using System.Text.Json.Serialization;
using Recur.Tensors;

namespace Recur.Initializers;

/// <summary>
/// Fills with independent draws from U(<see cref="MinVal"/>, <see cref="MaxVal"/>): Keras's <c>RandomUniform</c>
/// (<c>"uniform"</c>), whose defaults, ±0.05, are what Keras's <c>Embedding</c> starts from; PyTorch's
/// <c>uniform_(a, b)</c>.
/// </summary>
/// <remarks>
/// Each element is <c>(float)(MinVal + (MaxVal − MinVal)·u)</c>, u from <see cref="Rng.NextDouble"/>, in row-major
/// order. The fans are ignored. In <c>config.json</c> the bounds are Keras's <c>minval</c> and <c>maxval</c>.
/// </remarks>
public sealed record RandomUniform : IInitializer
{
    /// <summary>Creates the initializer.</summary>
    /// <param name="minVal">The lower bound; finite.</param>
    /// <param name="maxVal">The upper bound; finite and above <paramref name="minVal"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A bound is not finite, or <paramref name="maxVal"/> is not above <paramref name="minVal"/>.</exception>
    public RandomUniform(float minVal = -0.05f, float maxVal = 0.05f)
    {
        MinVal = minVal;
        MaxVal = maxVal;
        CheckOrder();
    }

    /// <summary>The lower bound (Keras's <c>minval</c>); finite.</summary>
    [JsonPropertyName("minval")]
    public float MinVal
    {
        get;
        init => field = Finite(value, "minVal");
    }

    /// <summary>The upper bound (Keras's <c>maxval</c>); finite and above <see cref="MinVal"/>.</summary>
    [JsonPropertyName("maxval")]
    public float MaxVal
    {
        get;
        init => field = Finite(value, "maxVal");
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException"><see cref="MaxVal"/> is not above <see cref="MinVal"/> (a <c>with</c> expression can make such a record).</exception>
    public void Fill(Tensor tensor, int fanIn, int fanOut, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(rng);
        CheckOrder();
        Span<float> data = tensor.Span;
        double min = MinVal;
        double width = (double)MaxVal - MinVal;
        for (int i = 0; i < data.Length; i++)
        {
            data[i] = (float)(min + (width * rng.NextDouble()));
        }
    }

    private static float Finite(float value, string name) =>
        float.IsFinite(value) ? value : throw new ArgumentOutOfRangeException(name, value, $"RandomUniform {name} must be finite, got {value}.");

    private void CheckOrder()
    {
        if (!(MaxVal > MinVal))
        {
            throw new ArgumentOutOfRangeException(
                "maxVal", MaxVal, string.Create(CultureInfo.InvariantCulture, $"RandomUniform maxVal must be above minVal ({MinVal}), got {MaxVal}; give the bounds in order, e.g. RandomUniform(-0.05f, 0.05f)."));
        }
    }
}
