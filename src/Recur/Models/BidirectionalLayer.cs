using Recur.Layers;

namespace Recur.Models;

/// <summary>
/// Keras's <c>Bidirectional(layer, merge_mode=...)</c>: builds a <see cref="Bidirectional"/> from two copies of
/// the recurrent <paramref name="Layer"/> config (<see cref="LstmLayer"/>, <c>GruLayer</c>, <c>SimpleRnnLayer</c>),
/// named <c>forward_{stem}</c> and <c>backward_{stem}</c> as in Keras, each with its own weights.
/// <c>[B, T, I] → [B, 2·Units]</c> with <see cref="BidirectionalMerge.Concat"/> (or <c>[B, T, 2·Units]</c> when
/// the wrapped layer returns sequences), <c>Units</c> features with <see cref="BidirectionalMerge.Sum"/>.
/// </summary>
/// <param name="Layer">The recurrent layer to run both ways; its Name and InputShape are ignored.</param>
/// <param name="Merge">How the two directions' outputs combine.</param>
public sealed record BidirectionalLayer(LayerConfig Layer, BidirectionalMerge Merge = BidirectionalMerge.Concat) : LayerConfig
{
    internal override string ClassName => "Bidirectional";

    internal override string BaseName => "bidirectional";

    internal override int[] OutputShape(int[] inputShape, string name)
    {
        ArgumentNullException.ThrowIfNull(Layer);
        if (Layer is BidirectionalLayer or DenseLayer or DropoutLayer or ActivationLayer)
        {
            throw new ArgumentException($"Layer '{name}' (Bidirectional) wraps a {Layer.ClassName}; it needs a recurrent layer such as LstmLayer.", nameof(Layer));
        }

        if (!Enum.IsDefined(Merge))
        {
            throw new ArgumentOutOfRangeException(nameof(Merge), Merge, $"Layer '{name}' (Bidirectional): Merge must be Concat or Sum.");
        }

        int[] inner = Layer.OutputShape(inputShape, name);
        if (Merge == BidirectionalMerge.Concat)
        {
            inner[^1] *= 2;
        }

        return inner;
    }

    internal override ILayer Build(int[] inputShape, string name, Rng rng)
    {
        ILayer forward = Layer.Build(inputShape, "forward_" + Layer.BaseName, rng.Fork());
        ILayer backward = Layer.Build(inputShape, "backward_" + Layer.BaseName, rng.Fork());
        return forward is IRecurrentLayer f && backward is IRecurrentLayer b
            ? new Bidirectional(f, b, Merge, name)
            : throw new ArgumentException($"Layer '{name}' (Bidirectional) wraps a {Layer.ClassName}, which is not a recurrent layer.", nameof(Layer));
    }

}
