using Recur.Initializers;

namespace Recur.Layers;

/// <summary>
/// Keras's <c>GRU(units, return_sequences=...)</c> (with its default <c>reset_after=True</c>, PyTorch's GRU): builds a
/// <see cref="Gru"/> reading <c>[B, T, I]</c> (InputShape <c>[T, I]</c>) into <c>[B, Units]</c>, or <c>[B, T, Units]</c>
/// with <paramref name="ReturnSequences"/>. Weights <c>3·Units·(I + Units) + 6·Units</c> (two biases, as Keras:
/// 60,672 for 128 units on 28 features).
/// </summary>
/// <remarks>
/// The defaults are Keras's: Glorot-uniform <see cref="RecurrentLayerConfig.KernelInitializer"/>, orthogonal
/// <see cref="RecurrentLayerConfig.RecurrentInitializer"/>, zero <see cref="RecurrentLayerConfig.BiasInitializer"/> (both biases).
/// </remarks>
/// <param name="Units">H, the hidden size; positive.</param>
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
public sealed record GruLayer(int Units, bool ReturnSequences = false, float Dropout = 0f, float RecurrentDropout = 0f)
    : RecurrentLayerConfig(Units, ReturnSequences, Dropout, RecurrentDropout)
{
    /// <inheritdoc/>
    protected override ILayer CreateLayer(int[] inputShape, Rng rng)
    {
        var gru = new Gru(inputShape[1], Units, ReturnSequences, KernelInitializer, RecurrentInitializer, BiasInitializer, rng, LayerName, LayerNorm, LayerNormEpsilon)
        {
            Dropout = Dropout,
            RecurrentDropout = RecurrentDropout,
        };
        gru.Options = (GruLayer)Built(inputShape);
        return gru;
    }

    /// <summary>The record of a <see cref="Gru"/> built from its constructor: its sizes and initializers.</summary>
    internal static GruLayer Of(Gru layer, IInitializer kernel, IInitializer recurrent, IInitializer bias) =>
        (GruLayer)new GruLayer(layer.HiddenSize, layer.ReturnSequences).Describing(layer, kernel, recurrent, bias);
}
