using Recur.Layers;

namespace Recur.Models;

/// <summary>
/// Keras's <c>Activation(activation)</c>: applies <paramref name="Activation"/> to its input; no weights,
/// the output shape is the input's. <c>Activation(Activation.Softmax)</c> after a <see cref="DenseLayer"/>
/// is the same as <c>DenseLayer(units, Activation.Softmax)</c>.
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
            throw new ArgumentOutOfRangeException(nameof(Activation), Activation, $"Layer '{LayerName}' (Activation): Activation must be Linear or Softmax.");
        }

        return (int[])inputShape.Clone();
    }

    /// <summary><c>Activation(softmax)</c>.</summary>
    public override string Describe() => $"Activation({(Activation == Activation.Softmax ? "softmax" : "linear")})";

    /// <inheritdoc/>
    protected override ILayer CreateLayer(int[] inputShape, Rng rng) => Activation switch
    {
        Activation.Softmax => new Softmax(LayerName),
        _ => new Identity(LayerName),
    };
}
