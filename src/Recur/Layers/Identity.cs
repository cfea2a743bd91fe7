using Recur.Tensors;

namespace Recur.Layers;

/// <summary>A layer that returns its input (Keras's <c>Identity</c>, <c>Activation("linear")</c>): no parameters, any shape.</summary>
public sealed class Identity : IMaskedLayer
{
    private int _rank;

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

    /// <inheritdoc/>
    public SequenceMask? InputMask { get; set; }

    /// <summary>The input's mask, passed on for a sequence <c>[B, T, ·]</c> (a mask ends at any other shape).</summary>
    public SequenceMask? OutputMask => _rank == 3 ? InputMask : null;

    /// <summary><paramref name="x"/> itself.</summary>
    public Tensor Forward(Tensor x, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        _rank = x.Rank;
        return x;
    }

    /// <summary><paramref name="dy"/> itself.</summary>
    public Tensor Backward(Tensor dy) => dy;
}
