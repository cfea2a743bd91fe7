using Recur.Layers;

namespace Recur.Models;

/// <summary>
/// Keras's <c>Bidirectional(layer, merge_mode=..., backward_layer=...)</c>: builds a <see cref="Bidirectional"/> from
/// two copies of the recurrent <paramref name="Layer"/> config (<see cref="LstmLayer"/>, <c>GruLayer</c>,
/// <c>SimpleRnnLayer</c>, or any record whose <see cref="LayerConfig.IsRecurrent"/> is true), named
/// <c>forward_{stem}</c> and <c>backward_{stem}</c> as in Keras, each with its own weights.
/// <c>[B, T, I] → [B, 2·Units]</c> with <see cref="BidirectionalMerge.Concat"/> (or <c>[B, T, 2·Units]</c> when
/// the wrapped layer returns sequences), <c>Units</c> features with <see cref="BidirectionalMerge.Sum"/>.
/// </summary>
/// <param name="Layer">
/// The recurrent layer to run both ways; its InputShape is ignored, and its Name, when set, is the forward
/// direction's whole name.
/// </param>
/// <param name="Merge">How the two directions' outputs combine.</param>
public sealed record BidirectionalLayer(LayerConfig Layer, BidirectionalMerge Merge = BidirectionalMerge.Concat) : LayerConfig
{
    /// <summary>
    /// Keras's <c>backward_layer</c>: the backward direction's own record (its Name, when set, is that direction's
    /// whole name), of the same output size; null, the default, runs a copy of <see cref="Layer"/> backwards.
    /// </summary>
    public LayerConfig? BackwardLayer { get; init; }

    /// <inheritdoc/>
    public override int[] OutputShape(int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(Layer);
        foreach (LayerConfig direction in Directions())
        {
            if (!direction.IsRecurrent)
            {
                throw new ArgumentException($"Layer '{LayerName}' (Bidirectional) wraps a {direction.ClassName}; it needs a recurrent layer such as LstmLayer.", nameof(Layer));
            }
        }

        if (!Enum.IsDefined(Merge))
        {
            throw new ArgumentOutOfRangeException(nameof(Merge), Merge, $"Layer '{LayerName}' (Bidirectional): Merge must be Concat or Sum.");
        }

        // The wrapped records are checked under this layer's name, which the user gave or sees in the summary.
        int[] inner = (Layer with { Name = LayerName }).OutputShape(inputShape);
        if (BackwardLayer is not null && !inner.AsSpan().SequenceEqual((BackwardLayer with { Name = LayerName }).OutputShape(inputShape)))
        {
            throw new ArgumentException(
                $"Layer '{LayerName}' (Bidirectional): the backward layer outputs {FormatShape(BackwardLayer.OutputShape(inputShape))} but the forward one {FormatShape(inner)}; give them the same size.",
                nameof(BackwardLayer));
        }

        if (Merge == BidirectionalMerge.Concat)
        {
            inner[^1] *= 2;
        }

        return inner;
    }

    /// <summary><c>Bidirectional(LSTM(128))</c>.</summary>
    public override string Describe() => $"Bidirectional({Layer.Describe()})";

    /// <inheritdoc/>
    protected override ILayer CreateLayer(int[] inputShape, Rng rng)
    {
        ILayer forward = (Layer with { Name = Layer.Name ?? ForwardName(Layer), InputShape = null }).Build(inputShape, rng.Fork());
        LayerConfig back = BackwardLayer ?? Layer;
        ILayer backward = (back with { Name = BackwardLayer?.Name ?? BackwardName(back), InputShape = null }).Build(inputShape, rng.Fork());
        return forward is IRecurrentLayer f && backward is IRecurrentLayer b
            ? new Bidirectional(f, b, Merge, LayerName)
            : throw new ArgumentException($"Layer '{LayerName}' (Bidirectional) wraps a {Layer.ClassName}, which does not build a recurrent layer.", nameof(Layer));
    }

    /// <summary>The record of a built <see cref="Bidirectional"/>, from its directions' options; null when a direction has none.</summary>
    internal static BidirectionalLayer? Of(Bidirectional layer) =>
        layer.ForwardLayer.Options is { } f && layer.BackwardLayer.Options is { } b ? Of(layer.Name, layer.InputSize, f, b, layer.Merge) : null;

    /// <summary>
    /// The record of a Bidirectional named <paramref name="name"/> reading <paramref name="inputSize"/> features with
    /// the directions <paramref name="forward"/> and <paramref name="backward"/>: default names (Keras's
    /// <c>forward_lstm</c>, <c>backward_lstm</c>) are left out, and <see cref="BackwardLayer"/> is given only when the
    /// backward direction differs from the forward one.
    /// </summary>
    internal static BidirectionalLayer Of(string name, int inputSize, LayerConfig forward, LayerConfig backward, BidirectionalMerge merge)
    {
        LayerConfig f = forward with { Name = forward.Name == ForwardName(forward) ? null : forward.Name, InputShape = null };
        LayerConfig b = backward with { Name = backward.Name == BackwardName(backward) ? null : backward.Name, InputShape = null };
        return new BidirectionalLayer(f, merge) { Name = name, InputShape = [-1, inputSize], BackwardLayer = b == f ? null : b };
    }

    private static string ForwardName(LayerConfig c) => "forward_" + c.BaseName;

    private static string BackwardName(LayerConfig c) => "backward_" + c.BaseName;

    private IEnumerable<LayerConfig> Directions() => BackwardLayer is null ? [Layer] : [Layer, BackwardLayer];
}
