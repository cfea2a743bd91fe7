using Recur.Layers;

namespace Recur.Models;

/// <summary>
/// Keras's <c>Dense(units, activation=..., use_bias=...)</c>: builds a <see cref="Dense"/> over the last axis,
/// <c>[B, F] → [B, Units]</c> (or <c>[B, T, F] → [B, T, Units]</c>), followed by a <see cref="Softmax"/> when
/// <paramref name="Activation"/> is <see cref="Models.Activation.Softmax"/>. Weights <c>Units·F (+ Units)</c>.
/// </summary>
/// <param name="Units">Output features; positive.</param>
/// <param name="Activation">Applied to the output; <see cref="Models.Activation.Linear"/> (logits) by default.</param>
/// <param name="UseBias">Whether the layer adds a bias.</param>
public sealed record DenseLayer(int Units, Activation Activation = Activation.Linear, bool UseBias = true) : LayerConfig
{
    internal override string ClassName => "Dense";

    internal override string BaseName => "dense";

    internal override int[] OutputShape(int[] inputShape, string name)
    {
        ShapeCheck.Positive(Units, nameof(Units), "DenseLayer");
        if (inputShape.Length is not (1 or 2) || inputShape[^1] <= 0)
        {
            throw ShapeError(name, ClassName, inputShape, "(None, features) or (None, steps, features)");
        }

        int[] output = (int[])inputShape.Clone();
        output[^1] = Units;
        return output;
    }

    internal override ILayer Build(int[] inputShape, string name, Rng rng)
    {
        var dense = new Dense(inputShape[^1], Units, UseBias, rng: rng, name: name);
        return ActivationLayer.Wrap(dense, Activation);
    }
}
