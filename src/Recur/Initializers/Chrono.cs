using Recur.Tensors;

namespace Recur.Initializers;

/// <summary>
/// Chrono initialisation (Tallec and Ollivier, "Can recurrent neural networks warp time?", 2018) of a gated layer's
/// bias, for dependencies up to <see cref="MaxSteps"/> steps long: for each unit, with <c>u</c> uniform in
/// [1, MaxSteps − 1], an LSTM's forget gate starts at <c>log u</c> and its input gate at <c>−log u</c>
/// (<see cref="Layers.Lstm.InitializeChrono"/>), a GRU's update gate at <c>log u</c>
/// (<see cref="Layers.Gru.InitializeChrono"/>); the other gates' biases are 0.
/// </summary>
/// <remarks>
/// Give it as the bias initializer of <see cref="Layers.Lstm"/>, <see cref="Layers.Gru"/>, <c>LstmLayer</c> or
/// <c>GruLayer</c>: those layers know their gates, and draw the time scales from a fork of their random source
/// (<see cref="Rng.Fork"/>) taken after their weights. Any other tensor is refused, since which elements are the
/// gates' is the layer's knowledge.
/// </remarks>
public sealed record Chrono : IInitializer
{
    /// <summary>Creates the initializer.</summary>
    /// <param name="maxSteps">The longest dependency to prepare for, usually the sequence length; at least 3.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSteps"/> is below 3.</exception>
    public Chrono(int maxSteps)
    {
        MaxSteps = maxSteps;
    }

    /// <summary>The longest dependency to prepare for, usually the sequence length; at least 3.</summary>
    public int MaxSteps
    {
        get;
        init
        {
            if (value < 3)
            {
                throw new ArgumentOutOfRangeException(
                    "maxSteps", value, $"Chrono maxSteps is the longest dependency in steps and must be at least 3 (the sequence length, e.g. 784 for MNIST pixels); received {value}.");
            }

            field = value;
        }
    }

    /// <summary>Refuses: only a gated recurrent layer knows where its gates' biases are.</summary>
    /// <exception cref="NotSupportedException">Always.</exception>
    public void Fill(Tensor tensor, int fanIn, int fanOut, Rng rng) =>
        throw new NotSupportedException(
            "Chrono initialises the gate biases of an LSTM or a GRU; give it as the bias initializer of Lstm, Gru, LstmLayer or GruLayer, not of another tensor.");
}
