using Recur.Tensors;

namespace Recur.Initializers;

/// <summary>
/// Glorot (Xavier) uniform: independent draws from U(−limit, limit), limit =
/// √(6 / (fanIn + fanOut)). Keras's default kernel initializer (its <c>glorot_uniform</c>)
/// and PyTorch's <c>xavier_uniform_</c> with gain 1.
/// </summary>
/// <remarks>
/// Each element is <c>(float)(−limit + 2·limit·u)</c>, u from <see cref="Rng.NextDouble"/>, in
/// row-major order. See <see cref="IInitializer"/> for how the fans are given.
/// </remarks>
public sealed record GlorotUniform : IInitializer
{
    /// <summary>The shared instance.</summary>
    public static GlorotUniform Instance { get; } = new();

    /// <summary>The bound √(6 / (fanIn + fanOut)).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A fan is negative or both are zero.</exception>
    public static double Limit(int fanIn, int fanOut)
    {
        if (fanIn < 0 || fanOut < 0 || fanIn + (long)fanOut == 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(fanIn), fanIn,
                $"GlorotUniform needs fanIn ≥ 0, fanOut ≥ 0 and fanIn + fanOut > 0, got fanIn = {fanIn}, fanOut = {fanOut}.");
        }

        return Math.Sqrt(6.0 / (fanIn + (double)fanOut));
    }

    /// <inheritdoc/>
    public void Fill(Tensor tensor, int fanIn, int fanOut, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(rng);
        Initializer.FillUniform(tensor.Span, Limit(fanIn, fanOut), rng);
    }
}
