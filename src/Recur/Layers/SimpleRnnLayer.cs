using Recur.Initializers;

namespace Recur.Layers;

/// <summary>
/// Keras's <c>SimpleRNN(units, activation=..., return_sequences=...)</c>: builds a <see cref="SimpleRnn"/> reading
/// <c>[B, T, I]</c> (InputShape <c>[T, I]</c>) into <c>[B, Units]</c>, or <c>[B, T, Units]</c> with
/// <paramref name="ReturnSequences"/>. Weights <c>Units·(I + Units) + Units</c> (one bias, as Keras: 20,096 for 128
/// units on 28 features).
/// </summary>
/// <remarks>
/// The defaults are Keras's: Glorot-uniform <see cref="RecurrentLayerConfig.KernelInitializer"/>, orthogonal
/// <see cref="RecurrentLayerConfig.RecurrentInitializer"/>, zero <see cref="RecurrentLayerConfig.BiasInitializer"/>.
/// </remarks>
/// <param name="Units">H, the hidden size; positive.</param>
/// <param name="Activation">The nonlinearity, <see cref="RnnActivation.Tanh"/> (Keras's default) or <see cref="RnnActivation.Relu"/>.</param>
/// <param name="ReturnSequences">Return every step's output rather than the last one.</param>
/// <param name="Dropout">
/// Keras's <c>dropout</c>: the fraction of input features dropped in training, one mask per sequence and feature used
/// at every step, in [0, 1); 0 turns it off.
/// </param>
/// <param name="RecurrentDropout">
/// Keras's <c>recurrent_dropout</c>: the fraction of the previous state's units dropped from the recurrent product in
/// training, one mask per sequence and unit used at every step, in [0, 1); 0 turns it off. The masks come from the
/// model's seed.
/// </param>
public sealed record SimpleRnnLayer(
    int Units, RnnActivation Activation = RnnActivation.Tanh, bool ReturnSequences = false, float Dropout = 0f, float RecurrentDropout = 0f)
    : RecurrentLayerConfig(Units, ReturnSequences, Dropout, RecurrentDropout)
{
    /// <inheritdoc/>
    public override int[] OutputShape(int[] inputShape) => LayerNorm
        ? throw new ArgumentException($"Layer '{LayerName}' (SimpleRNN): LayerNorm is for an LSTM or a GRU; a SimpleRNN has no layer-normalised cell. Set LayerNorm = false or use LSTM or GRU.", nameof(LayerNorm))
        : base.OutputShape(inputShape);

    /// <summary><c>, relu</c> for a relu layer.</summary>
    protected override string DescribeArguments() => Activation == RnnActivation.Relu ? ", relu" : "";

    /// <inheritdoc/>
    protected override ILayer CreateLayer(int[] inputShape, Rng rng)
    {
        var rnn = new SimpleRnn(inputShape[1], Units, Activation, ReturnSequences, KernelInitializer, RecurrentInitializer, BiasInitializer, rng, LayerName)
        {
            Dropout = Dropout,
            RecurrentDropout = RecurrentDropout,
        };
        rnn.Options = (SimpleRnnLayer)Built(inputShape);
        return rnn;
    }

    /// <summary>The record of a <see cref="SimpleRnn"/> built from its constructor: its sizes, activation and initializers.</summary>
    internal static SimpleRnnLayer Of(SimpleRnn layer, IInitializer kernel, IInitializer recurrent, IInitializer bias) =>
        (SimpleRnnLayer)new SimpleRnnLayer(layer.HiddenSize, layer.Activation, layer.ReturnSequences).Describing(layer, kernel, recurrent, bias);
}
