using Recur.Initializers;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// The Elman recurrent layer (<c>torch.nn.RNN</c>, Keras's <c>SimpleRNN</c>), unrolled over the whole sequence.
/// Per step, with act tanh (the default) or relu (<see cref="Activation"/>):
/// <code>
/// h' = act(W_ih·x + W_hh·h + bias)
/// </code>
/// Input <c>[B, T, I]</c>; output <c>[B, H]</c> (the last step) or <c>[B, T, H]</c> with
/// <see cref="RecurrentLayer.ReturnSequences"/>; optional initial state <c>[B, H]</c>; the final state is kept in <see cref="RecurrentLayer{TState}.FinalState"/>.
/// </summary>
/// <remarks>
/// <para>Layouts are PyTorch's: <c>weight_ih [H, I]</c>, <c>weight_hh [H, H]</c>. There is one <c>bias [H]</c>, as
/// in Keras (SimpleRNN(128) on 28 inputs has 20,096 parameters): to PyTorch, set <c>bias_ih = bias</c>,
/// <c>bias_hh = 0</c>; from PyTorch, <c>bias = bias_ih + bias_hh</c>. Keras stores <c>kernel [I, H]</c> and
/// <c>recurrent_kernel [H, H]</c>, the transposes.</para>
/// <para>Defaults initialise as Keras's SimpleRNN: Glorot-uniform <c>weight_ih</c>, orthogonal <c>weight_hh</c>,
/// zero bias.</para>
/// <para>Inside, each step is one matrix product of <c>[x_t, h_{t−1}, 1]</c> with <c>[W_ih, W_hh, bias]</c> (packed
/// once per pass) and one pass of the activation (SimpleRnnCell.cs); the parameter gradients are one product after
/// the backward time loop. The batch is split across <see cref="Threading.MaxThreads"/> threads with results that
/// do not depend on their number (RecurrentLoop.cs). <c>Forward(training: false)</c> keeps one step of state
/// instead of all, and cannot be followed by <see cref="RecurrentLayer.Backward(Tensor)"/>.</para>
/// </remarks>
public sealed class SimpleRnn : RecurrentLayer<Tensor>
{
    /// <summary>Creates the layer and initialises its weights.</summary>
    /// <param name="inputSize">I, features per step; positive.</param>
    /// <param name="hiddenSize">H, units; positive.</param>
    /// <param name="activation">The nonlinearity, tanh or relu.</param>
    /// <param name="returnSequences">Return every step's output <c>[B, T, H]</c> instead of the last <c>[B, H]</c>.</param>
    /// <param name="kernelInitializer">For <c>weight_ih</c>; Glorot uniform when null.</param>
    /// <param name="recurrentInitializer">For <c>weight_hh</c>; orthogonal when null.</param>
    /// <param name="biasInitializer">For <c>bias</c>; zeros when null.</param>
    /// <param name="rng">The random source for initialisation, kept for the dropout masks of <see cref="RecurrentLayer.Dropout"/> and <see cref="RecurrentLayer.RecurrentDropout"/> (drawn from only while a rate is above 0); <c>new Rng(0)</c> when null.</param>
    /// <param name="name">The layer name.</param>
    public SimpleRnn(
        int inputSize,
        int hiddenSize,
        RnnActivation activation = RnnActivation.Tanh,
        bool returnSequences = false,
        IInitializer? kernelInitializer = null,
        IInitializer? recurrentInitializer = null,
        IInitializer? biasInitializer = null,
        Rng? rng = null,
        string name = "simple_rnn")
        : base(StateParts.Hidden, inputSize, hiddenSize, hiddenSize, ["bias"], static (i, h) => RecurrentLayout.Stacked(i, h, h), returnSequences, name)
    {
        if (!Enum.IsDefined(activation))
        {
            throw new ArgumentOutOfRangeException(nameof(activation), activation, $"SimpleRnn: activation {activation} is not one of Tanh, Relu.");
        }

        Activation = activation;
        (IInitializer kernel, IInitializer recurrent, IInitializer bias) = Initialize(kernelInitializer, recurrentInitializer, biasInitializer, rng);
        CurrentOptions = SimpleRnnLayer.Of(this, kernel, recurrent, bias);
    }

    /// <summary>The nonlinearity, tanh or relu.</summary>
    public RnnActivation Activation { get; }

    /// <summary><c>bias [H]</c> (PyTorch's <c>bias_ih + bias_hh</c>).</summary>
    public Parameter Bias => Biases[0];

    /// <summary>The <see cref="SimpleRnnLayer"/> that rebuilds this layer: the one it was built from, or its constructor's arguments and the initializers it used, with the current dropout rates.</summary>
    public SimpleRnnLayer Options
    {
        get => (SimpleRnnLayer)CurrentOptions;
        internal set => CurrentOptions = value;
    }

    /// <summary>h' = act(z), kept in the gates for backward.</summary>
    private protected override unsafe void CellForward(in RecurrentStep step) =>
        SimpleRnnCell.Forward(Simd.Default, step.Gates, step.HNext, step.Ld, step.Rows, HiddenSize, Activation);

    /// <summary>dz = dh·act'.</summary>
    private protected override unsafe void CellBackward(in RecurrentStep step) =>
        SimpleRnnCell.Backward(Simd.Default, step.Gates, step.Dh, step.Gates, step.Rows, HiddenSize, Activation);
}
