using Recur.Initializers;

namespace Recur.Layers;

/// <summary>
/// Keras's <c>Dense(units, activation=..., use_bias=...)</c>: builds a <see cref="Dense"/> over the last axis,
/// <c>[B, F] → [B, Units]</c> (or, Keras's <c>TimeDistributed(Dense)</c>, every step: <c>[B, T, F] → [B, T, Units]</c>),
/// followed by its <paramref name="Activation"/>: a <see cref="Softmax"/> for <see cref="Layers.Activation.Softmax"/>,
/// a <see cref="PointwiseActivation"/> for sigmoid, tanh and relu. Weights <c>Units·F (+ Units)</c>.
/// </summary>
/// <remarks>
/// The defaults are Keras's: Glorot-uniform <see cref="KernelInitializer"/>, zero <see cref="BiasInitializer"/>
/// (the engine <see cref="Dense"/> keeps PyTorch's uniform(±1/√F) for both).
/// </remarks>
/// <param name="Units">Output features; positive.</param>
/// <param name="Activation">Applied to the output; <see cref="Layers.Activation.Linear"/> (logits) by default.</param>
/// <param name="UseBias">Whether the layer adds a bias.</param>
public sealed record DenseLayer(int Units, Activation Activation = Activation.Linear, bool UseBias = true) : LayerConfig
{
    /// <summary>For <c>weight [Units, F]</c> (Keras's <c>kernel</c>, its transpose); Glorot uniform by default.</summary>
    public IInitializer KernelInitializer { get; init; } = new GlorotUniform();

    /// <summary>For <c>bias [Units]</c>; zeros by default.</summary>
    public IInitializer BiasInitializer { get; init; } = new Zeros();

    /// <summary>
    /// F, the size of the input's last axis (Keras 2's <c>input_dim</c>, PyTorch's <c>in_features</c>), checked
    /// against the input when set; null, the default, takes it from the layer before. A built <see cref="Dense"/>
    /// reports it, so a model whose first layer is a Dense — which takes <c>[F]</c> and <c>[T, F]</c> examples alike,
    /// so fixes no input shape — can be rebuilt from its file.
    /// </summary>
    public int? InputDim { get; init; }

    /// <inheritdoc/>
    public override int[] OutputShape(int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        ShapeCheck.Positive(Units, nameof(Units), "DenseLayer");
        if (InputDim is int dim)
        {
            ShapeCheck.Positive(dim, nameof(InputDim), "DenseLayer");
        }

        if (inputShape.Length is not (1 or 2) || inputShape[^1] <= 0 || (InputDim is int f && inputShape[^1] != f))
        {
            string features = InputDim is int d ? d.ToString(System.Globalization.CultureInfo.InvariantCulture) : "features";
            throw ShapeError(inputShape, $"(None, {features}) or (None, steps, {features})");
        }

        int[] output = (int[])inputShape.Clone();
        output[^1] = Units;
        return output;
    }

    /// <summary><c>Dense(10)</c>.</summary>
    public override string Describe() => $"Dense({Units})";

    /// <inheritdoc/>
    internal override int[]? StandaloneInputShape => InputShape ?? (InputDim is int f ? [f] : null);

    /// <inheritdoc/>
    protected override ILayer CreateLayer(int[] inputShape, Rng rng)
    {
        var dense = new Dense(inputShape[^1], Units, UseBias, KernelInitializer, BiasInitializer, rng, LayerName);
        DenseLayer built = this with { Name = LayerName, InputDim = inputShape[^1] };
        if (Activation == Activation.Linear)
        {
            dense.Options = built;
            return dense;
        }

        return new Chain(dense, ActivationLayer.Engine(Activation, $"{LayerName}_{ActivationLayer.KerasName(Activation)}"), built);
    }

    /// <summary>The record of a <see cref="Dense"/> built from its constructor: its sizes and initializers.</summary>
    internal static DenseLayer Of(Dense layer, IInitializer kernel, IInitializer bias) =>
        new(layer.OutFeatures, Activation.Linear, layer.Bias is not null)
        {
            Name = layer.Name,
            InputDim = layer.InFeatures,
            KernelInitializer = kernel,
            BiasInitializer = bias,
        };
}
