using Recur.Layers;
using Recur.Tensors;

namespace Recur.Models;

/// <summary>
/// Keras's <c>Activation(activation)</c>: applies <paramref name="Activation"/> to its input; no weights,
/// the output shape is the input's. <c>Activation(Activation.Softmax)</c> after a <see cref="DenseLayer"/>
/// is the same as <c>DenseLayer(units, Activation.Softmax)</c>.
/// </summary>
/// <param name="Activation">The function to apply.</param>
public sealed record ActivationLayer(Activation Activation) : LayerConfig
{
    internal override string ClassName => "Activation";

    internal override string BaseName => "activation";

    internal override int[] OutputShape(int[] inputShape, string name) => (int[])inputShape.Clone();

    internal override ILayer Build(int[] inputShape, string name, Rng rng) => Activation switch
    {
        Activation.Softmax => new Softmax(name),
        _ => new Identity(name),
    };

    /// <summary><paramref name="layer"/> followed by <paramref name="activation"/>, under the layer's name and with its parameters.</summary>
    internal static ILayer Wrap(ILayer layer, Activation activation) =>
        activation == Activation.Linear ? layer : new Chain(layer, new Softmax(layer.Name + "_softmax"));

    /// <summary>A layer that returns its input.</summary>
    private sealed class Identity(string name) : ILayer
    {
        public string Name => name;

        public IReadOnlyList<Parameter> Parameters => [];

        public Tensor Forward(Tensor x, bool training = false) => x;

        public Tensor Backward(Tensor dy) => dy;
    }

    /// <summary>Two layers run as one: the first's name and parameters, the second applied to its output.</summary>
    internal sealed class Chain(ILayer first, ILayer second) : ILayer
    {
        public ILayer First => first;

        public string Name => first.Name;

        public IReadOnlyList<Parameter> Parameters => first.Parameters;

        public Tensor Forward(Tensor x, bool training = false) => second.Forward(first.Forward(x, training), training);

        public Tensor Backward(Tensor dy) => first.Backward(second.Backward(dy));
    }
}
