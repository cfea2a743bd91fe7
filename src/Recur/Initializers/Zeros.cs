using Recur.Tensors;

namespace Recur.Initializers;

/// <summary>Fills with 0 (PyTorch's <c>zeros_</c>, Keras's <c>"zeros"</c>, the usual bias initializer).</summary>
public sealed record Zeros : IInitializer
{
    /// <summary>The shared instance.</summary>
    public static Zeros Instance { get; } = new();

    /// <inheritdoc/>
    public void Fill(Tensor tensor, int fanIn, int fanOut, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(rng);
        tensor.Fill(0f);
    }
}
