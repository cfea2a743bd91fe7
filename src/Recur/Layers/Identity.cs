using Recur.Tensors;

namespace Recur.Layers;

/// <summary>A layer that returns its input (Keras's <c>Identity</c>, <c>Activation("linear")</c>): no parameters, any shape.</summary>
public sealed class Identity : IMaskedLayer
{

    /// <summary>Creates the layer.</summary>
    /// <param name="name">The layer name.</param>
    public Identity(string name = "identity")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>None: the layer has no parameters.</summary>
    public IReadOnlyList<Parameter> Parameters => [];

    /// <summary><c>ActivationLayer(Activation.Linear)</c> with this layer's name.</summary>
    public LayerConfig Options => new ActivationLayer(Activation.Linear) { Name = Name };

    /// <summary>The mask of the next <see cref="Forward"/>'s input (see <see cref="IMaskedLayer.InputMask"/>); null when every step is valid.</summary>
    public SequenceMask? InputMask { get; set; }

    /// <summary>The last <see cref="Forward"/>'s input mask when its input was a sequence <c>[B, T, …]</c>; null for <c>[B, F]</c> or no mask.</summary>
    public SequenceMask? OutputMask { get; private set; }

    /// <summary><paramref name="x"/> itself.</summary>
    public Tensor Forward(Tensor x, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        OutputMask = MaskFlow.PassOn(InputMask, x, "Identity");
        return x;
    }

    /// <summary><paramref name="dy"/> itself.</summary>
    public Tensor Backward(Tensor dy) => dy;
}
