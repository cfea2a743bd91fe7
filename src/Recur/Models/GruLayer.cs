using Recur.Layers;

namespace Recur.Models;

/// <summary>
/// Keras's <c>GRU(units, return_sequences=...)</c> (with its default <c>reset_after=True</c>, PyTorch's GRU): builds a
/// <see cref="Gru"/> reading <c>[B, T, I]</c> (InputShape <c>[T, I]</c>) into <c>[B, Units]</c>, or <c>[B, T, Units]</c>
/// with <paramref name="ReturnSequences"/>. Weights <c>3·Units·(I + Units) + 6·Units</c> (two biases, as Keras:
/// 60,672 for 128 units on 28 features).
/// </summary>
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
public sealed record GruLayer(int Units, bool ReturnSequences = false, float Dropout = 0f, float RecurrentDropout = 0f) : LayerConfig
{
    internal override string ClassName => "GRU";

    internal override string BaseName => "gru";

    internal override int[] OutputShape(int[] inputShape, string name) =>
        RecurrentShape.Output(Units, ReturnSequences, Dropout, RecurrentDropout, inputShape, name, ClassName, "GruLayer");

    internal override ILayer Build(int[] inputShape, string name, Rng rng) =>
        new Gru(inputShape[1], Units, ReturnSequences, rng: rng, name: name) { Dropout = Dropout, RecurrentDropout = RecurrentDropout };
}
