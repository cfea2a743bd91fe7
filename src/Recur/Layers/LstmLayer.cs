using Recur.Initializers;

namespace Recur.Layers;

/// <summary>
/// Keras's <c>LSTM(units, return_sequences=...)</c>: builds an <see cref="Lstm"/> reading <c>[B, T, I]</c>
/// (InputShape <c>[T, I]</c>) into <c>[B, Units]</c>, or <c>[B, T, Units]</c> with <paramref name="ReturnSequences"/>.
/// Weights <c>4·Units·(I + Units) + 4·Units</c> (one bias, as Keras: 80,384 for 128 units on 28 features).
/// </summary>
/// <remarks>
/// The defaults are Keras's: Glorot-uniform <see cref="RecurrentLayerConfig.KernelInitializer"/>, orthogonal
/// <see cref="RecurrentLayerConfig.RecurrentInitializer"/>, zero <see cref="RecurrentLayerConfig.BiasInitializer"/> and <see cref="UnitForgetBias"/> (the
/// bias's forget quarter starts at 1 and trains), no constant forget bias. TensorFlow 1's <c>BasicLSTMCell</c> of the
/// tutorials is <c>ForgetBias: 1</c> with <c>UnitForgetBias = false</c>, the same model at initialisation.
/// </remarks>
/// <param name="Units">H, the hidden size; positive.</param>
/// <param name="ForgetBias">
/// A constant added to the forget gate's pre-activation (TensorFlow 1's <c>forget_bias</c>, 1.0 in the tutorials);
/// 0, Keras's and PyTorch's, by default.
/// </param>
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
public sealed record LstmLayer(int Units, float ForgetBias = 0f, bool ReturnSequences = false, float Dropout = 0f, float RecurrentDropout = 0f)
    : RecurrentLayerConfig(Units, ReturnSequences, Dropout, RecurrentDropout)
{
    /// <summary>
    /// Keras's <c>unit_forget_bias</c> (true by default): after <see cref="RecurrentLayerConfig.BiasInitializer"/>, the forget gate's quarter
    /// of the bias is set to 1. Not with a <see cref="Chrono"/> bias, which sets that quarter itself.
    /// </summary>
    public bool UnitForgetBias { get; init; } = true;

    /// <inheritdoc/>
    public override int[] OutputShape(int[] inputShape)
    {
        if (UnitForgetBias && BiasInitializer is Chrono)
        {
            throw new ArgumentException(
                $"Layer '{LayerName}' (LSTM): UnitForgetBias and a Chrono BiasInitializer both set the forget gate's bias; set UnitForgetBias = false with Chrono.", nameof(UnitForgetBias));
        }

        return base.OutputShape(inputShape);
    }

    /// <inheritdoc/>
    protected override ILayer CreateLayer(int[] inputShape, Rng rng)
    {
        var lstm = new Lstm(inputShape[1], Units, ForgetBias, ReturnSequences, KernelInitializer, RecurrentInitializer, BiasInitializer, rng, LayerName,
            LayerNorm, LayerNormEpsilon)
        {
            Dropout = Dropout,
            RecurrentDropout = RecurrentDropout,
        };
        if (UnitForgetBias)
        {
            lstm.Bias.Value.Span.Slice(Units, Units).Fill(1f); // gates i, f, g, o
        }

        lstm.Options = (LstmLayer)Built(inputShape);
        return lstm;
    }

    /// <summary>The record of an <see cref="Lstm"/> built from its constructor: its sizes and initializers, no unit forget bias.</summary>
    internal static LstmLayer Of(Lstm layer, IInitializer kernel, IInitializer recurrent, IInitializer bias) =>
        (LstmLayer)new LstmLayer(layer.HiddenSize, layer.ForgetBias, layer.ReturnSequences) { UnitForgetBias = false }.Describing(layer, kernel, recurrent, bias);
}
