using Recur.Layers;

namespace Recur.Models;

/// <summary>
/// Keras's <c>LSTM(units, return_sequences=...)</c>: builds an <see cref="Lstm"/> reading <c>[B, T, I]</c>
/// (InputShape <c>[T, I]</c>) into <c>[B, Units]</c>, or <c>[B, T, Units]</c> with <paramref name="ReturnSequences"/>.
/// Weights <c>4·Units·(I + Units) + 4·Units</c> (one bias, as Keras: 80,384 for 128 units on 28 features).
/// </summary>
/// <param name="Units">H, the hidden size; positive.</param>
/// <param name="ForgetBias">
/// Added to the forget gate's pre-activation (TensorFlow 1's <c>forget_bias</c>, the tutorials' 1.0). Keras's
/// <c>unit_forget_bias=True</c> instead starts the bias's forget quarter at 1 and trains it; here the bias starts
/// at 0 and this constant is added on top, which is the same model at initialisation.
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
public sealed record LstmLayer(int Units, float ForgetBias = 1f, bool ReturnSequences = false, float Dropout = 0f, float RecurrentDropout = 0f)
    : LayerConfig
{
    internal override string ClassName => "LSTM";

    internal override string BaseName => "lstm";

    internal override int[] OutputShape(int[] inputShape, string name) =>
        RecurrentShape.Output(Units, ReturnSequences, Dropout, RecurrentDropout, inputShape, name, ClassName, "LstmLayer");

    internal override ILayer Build(int[] inputShape, string name, Rng rng) =>
        new Lstm(inputShape[1], Units, ForgetBias, ReturnSequences, rng: rng, name: name) { Dropout = Dropout, RecurrentDropout = RecurrentDropout };
}
