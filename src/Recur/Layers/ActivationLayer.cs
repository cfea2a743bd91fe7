namespace Recur.Layers;

/// <summary>
/// Keras's <c>Activation(activation)</c>: applies <paramref name="Activation"/> to its input (linear, softmax over the
/// last axis, or sigmoid, tanh, relu element by element); no weights, the output shape is the input's.
/// <c>Activation(Activation.Softmax)</c> after a <see cref="DenseLayer"/> is the same as
/// <c>DenseLayer(units, Activation.Softmax)</c>.
/// </summary>
/// <param name="Activation">The function to apply.</param>
public sealed record ActivationLayer(Activation Activation) : LayerConfig
{
    /// <inheritdoc/>
    public override int[] OutputShape(int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (!Enum.IsDefined(Activation))
        {
            throw new ArgumentOutOfRangeException(nameof(Activation), Activation, $"Layer '{LayerName}' (Activation): Activation must be Linear, Softmax, Sigmoid, Tanh or Relu.");
        }

        return (int[])inputShape.Clone();
    }

    /// <summary><c>Activation(softmax)</c>.</summary>
    public override string Describe() => $"Activation({KerasName(Activation)})";

    /// <summary>Keras's name of <paramref name="activation"/>: <c>linear</c>, <c>softmax</c>, <c>sigmoid</c>, <c>tanh</c>, <c>relu</c>.</summary>
    internal static string KerasName(Activation activation) => activation.ToString().ToLowerInvariant();

    /// <summary>The engine layer that applies <paramref name="activation"/>.</summary>
    internal static ILayer Engine(Activation activation, string name) => activation switch
    {
        Activation.Linear => new Identity(name),
        Activation.Softmax => new Softmax(name),
        _ => new PointwiseActivation(activation, name),
    };

    /// <inheritdoc/>
    protected override ILayer CreateLayer(int[] inputShape, Rng rng) => Engine(Activation, LayerName);
}
