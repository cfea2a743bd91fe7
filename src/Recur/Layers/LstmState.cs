using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// The state an LSTM carries from step to step: hidden state <c>H [B, H]</c> and cell state
/// <c>C [B, H]</c> (TensorFlow's <c>LSTMStateTuple(c, h)</c>, PyTorch's <c>(h, c)</c>).
/// </summary>
/// <param name="H">Hidden state (the output) <c>[B, H]</c>.</param>
/// <param name="C">Cell state <c>[B, H]</c>.</param>
public sealed record LstmState(Tensor H, Tensor C)
{
    /// <summary>A zero state for <paramref name="batch"/> sequences of <paramref name="hiddenSize"/> units.</summary>
    public static LstmState Zeros(int batch, int hiddenSize) => new(new Tensor(batch, hiddenSize), new Tensor(batch, hiddenSize));

    /// <summary>A deep copy.</summary>
    public LstmState Copy() => new(H.Clone(), C.Clone());
}
