using Recur.Tensors;

namespace Recur.Initializers;

/// <summary>
/// PyTorch's default initialisation: independent draws from U(−k, k) with k = 1/√H.
/// With <see cref="HiddenSize"/> set, H is that size — what <c>torch.nn.RNN</c>,
/// <c>LSTM</c> and <c>GRU</c> (and their cells) do for every weight and bias. Without it,
/// H is the fan-in — what <c>torch.nn.Linear</c> does for both its weight
/// (<c>kaiming_uniform_(a=√5)</c>, whose bound reduces to 1/√fanIn) and its bias.
/// </summary>
/// <remarks>
/// Each element is <c>(float)(−k + 2k·u)</c>, u from <see cref="Rng.NextDouble"/>, in
/// row-major order (PyTorch's <c>uniform_(−k, k)</c> formula; the random stream itself is
/// Recur's, not PyTorch's).
/// </remarks>
public sealed record TorchUniform : IInitializer
{
    /// <summary>Creates the initializer.</summary>
    /// <param name="hiddenSize">
    /// H for recurrent layers (bound 1/√H); null to use the fan-in (bound 1/√fanIn, as Linear).
    /// </param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="hiddenSize"/> is not positive.</exception>
    public TorchUniform(int? hiddenSize = null)
    {
        HiddenSize = hiddenSize;
    }

    /// <summary>The hidden size whose inverse square root is the bound, or null to use the fan-in.</summary>
    public int? HiddenSize
    {
        get;
        init
        {
            if (value is <= 0)
            {
                throw new ArgumentOutOfRangeException(
                    "hiddenSize", value, $"TorchUniform hiddenSize must be positive (or null to use the fan-in), got {value}.");
            }

            field = value;
        }
    }

    /// <summary>The bound k = 1/√H for the given fan-in.</summary>
    /// <exception cref="ArgumentOutOfRangeException">No hidden size is set and <paramref name="fanIn"/> is not positive.</exception>
    public double Bound(int fanIn)
    {
        if (HiddenSize is int h)
        {
            return 1.0 / Math.Sqrt(h);
        }

        if (fanIn <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(fanIn), fanIn, $"TorchUniform without a hiddenSize needs a positive fanIn, got {fanIn}.");
        }

        return 1.0 / Math.Sqrt(fanIn);
    }

    /// <inheritdoc/>
    public void Fill(Tensor tensor, int fanIn, int fanOut, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(rng);
        Initializer.FillUniform(tensor.Span, Bound(fanIn), rng);
    }
}
