using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recur.Initializers;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// The Elman recurrent layer (<c>torch.nn.RNN</c>, Keras's <c>SimpleRNN</c>), unrolled over the whole sequence.
/// Per step, with act tanh (the default) or relu (<see cref="Activation"/>):
/// <code>
/// h' = act(W_ih·x + W_hh·h + bias)
/// </code>
/// Input <c>[B, T, I]</c>; output <c>[B, H]</c> (the last step) or <c>[B, T, H]</c> with
/// <see cref="ReturnSequences"/>; optional initial state <c>[B, H]</c>; the final state is kept in <see cref="FinalState"/>.
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
/// instead of all, and cannot be followed by <see cref="Backward(Tensor)"/>.</para>
/// </remarks>
public sealed class SimpleRnn : IRecurrentLayer, IRecurrentCell
{
    private readonly Parameter[] _parameters;
    private readonly RecurrentLoop _loop;
    private SimpleRnnLayer _options;

    /// <summary>Creates the layer and initialises its weights.</summary>
    /// <param name="inputSize">I, features per step; positive.</param>
    /// <param name="hiddenSize">H, units; positive.</param>
    /// <param name="activation">The nonlinearity, tanh or relu.</param>
    /// <param name="returnSequences">Return every step's output <c>[B, T, H]</c> instead of the last <c>[B, H]</c>.</param>
    /// <param name="kernelInitializer">For <c>weight_ih</c>; Glorot uniform when null.</param>
    /// <param name="recurrentInitializer">For <c>weight_hh</c>; orthogonal when null.</param>
    /// <param name="biasInitializer">For <c>bias</c>; zeros when null.</param>
    /// <param name="rng">The random source for initialisation, kept for the masks of <see cref="Dropout"/> and <see cref="RecurrentDropout"/> (drawn from only while a rate is above 0); <c>new Rng(0)</c> when null.</param>
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
    {
        ShapeCheck.Positive(inputSize, nameof(inputSize), "SimpleRnn");
        ShapeCheck.Positive(hiddenSize, nameof(hiddenSize), "SimpleRnn");
        if (!Enum.IsDefined(activation))
        {
            throw new ArgumentOutOfRangeException(nameof(activation), activation, $"SimpleRnn: activation {activation} is not one of Tanh, Relu.");
        }

        InputSize = inputSize;
        HiddenSize = hiddenSize;
        Activation = activation;
        ReturnSequences = returnSequences;
        Name = name;
        WeightIh = new Parameter("weight_ih", hiddenSize, inputSize);
        WeightHh = new Parameter("weight_hh", hiddenSize, hiddenSize);
        Bias = new Parameter("bias", hiddenSize);
        _parameters = [WeightIh, WeightHh, Bias];
        _loop = new RecurrentLoop(this, RecurrentLayout.Stacked(inputSize, hiddenSize, hiddenSize), returnSequences, "SimpleRnn");

        rng ??= new Rng(0);
        _loop.DropoutRng = rng;
        kernelInitializer ??= new GlorotUniform();
        recurrentInitializer ??= new Orthogonal();
        biasInitializer ??= new Zeros();
        kernelInitializer.Fill(WeightIh.Value, inputSize, hiddenSize, rng);
        recurrentInitializer.Fill(WeightHh.Value, hiddenSize, hiddenSize, rng);
        biasInitializer.Fill(Bias.Value, inputSize, hiddenSize, rng);
        _options = SimpleRnnLayer.Of(this, kernelInitializer, recurrentInitializer, biasInitializer);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>I, features per step.</summary>
    public int InputSize { get; }

    /// <summary>H, units.</summary>
    public int HiddenSize { get; }

    /// <summary>The nonlinearity, tanh or relu.</summary>
    public RnnActivation Activation { get; }

    /// <summary>Whether <see cref="Forward(Tensor, bool)"/> returns <c>[B, T, H]</c> rather than <c>[B, H]</c>.</summary>
    public bool ReturnSequences { get; }

    /// <summary>
    /// Keras's <c>dropout</c>: in training, the fraction of input features dropped before the input product, with one
    /// mask per sequence and feature <c>[B, I]</c> drawn per forward pass and used at every step (variational dropout,
    /// Gal and Ghahramani 2016); kept features are scaled by <c>1 / (1 − rate)</c>. 0, the default, turns it off;
    /// inference and <see cref="Step(Tensor, Tensor)"/> never drop.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in [0, 1).</exception>
    public float Dropout
    {
        get => _loop.Dropout;
        set => _loop.Dropout = value;
    }

    /// <summary>
    /// Keras's <c>recurrent_dropout</c>: in training, the fraction of the units of <c>h_{t−1}</c> dropped where it enters
    /// the recurrent product <c>W_hh·h_{t−1}</c>, with one mask <c>[B, H]</c> drawn per forward pass and used at every
    /// step; kept units are scaled by <c>1 / (1 − rate)</c>. The outputs and the state use the undropped h. 0, the default, turns it off; inference and
    /// <see cref="Step(Tensor, Tensor)"/> never drop.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in [0, 1).</exception>
    public float RecurrentDropout
    {
        get => _loop.RecurrentDropout;
        set => _loop.RecurrentDropout = value;
    }

    /// <summary>
    /// Whether <see cref="Backward(Tensor?, Tensor?)"/> computes the gradient with respect to the input (default
    /// true). A first layer, whose input is data, needs none: set this to false there and Backward skips the
    /// product <c>dx = dz·W_ih</c> and returns zeros. Parameter and initial-state gradients are unaffected.
    /// </summary>
    public bool ComputeInputGradient
    {
        get => _loop.ComputeInputGradient;
        set => _loop.ComputeInputGradient = value;
    }

    /// <summary><c>weight_ih [H, I]</c>.</summary>
    public Parameter WeightIh { get; }

    /// <summary><c>weight_hh [H, H]</c>.</summary>
    public Parameter WeightHh { get; }

    /// <summary><c>bias [H]</c> (PyTorch's <c>bias_ih + bias_hh</c>).</summary>
    public Parameter Bias { get; }

    /// <summary>
    /// The <see cref="SimpleRnnLayer"/> that rebuilds this layer: the one it was built from, or its constructor's arguments
    /// (with <c>InputShape = [-1, InputSize]</c> and the initializers it used), with the current dropout rates.
    /// </summary>
    public SimpleRnnLayer Options
    {
        get => _options with { Dropout = Dropout, RecurrentDropout = RecurrentDropout };
        internal set => _options = value;
    }

    LayerConfig? ILayer.Options => Options;

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>The time loop, for tests (its dropout masks).</summary>
    internal RecurrentLoop Loop => _loop;

    /// <summary>The state after the last step of the last forward pass <c>[B, H]</c> (owned by the layer).</summary>
    public Tensor FinalState => _loop.FinalH;

    /// <summary>
    /// The gradient with respect to the initial state of the last forward pass <c>[B, H]</c>, set by
    /// <see cref="Backward(Tensor?, Tensor?)"/> (a zero initial state gets it too).
    /// </summary>
    public Tensor InitialStateGradient => _loop.InitialStateGradient;

    /// <summary>
    /// Loads weights from <c>torch.nn.RNN</c> (one layer, the same nonlinearity): <c>weight_ih_l0 [H, I]</c>,
    /// <c>weight_hh_l0 [H, H]</c> are copied; <c>bias = bias_ih_l0 + bias_hh_l0</c> (each <c>[H]</c>).
    /// </summary>
    /// <exception cref="ArgumentException">A tensor's shape differs from the one stated.</exception>
    public void CopyFromPyTorch(Tensor weightIh, Tensor weightHh, Tensor biasIh, Tensor biasHh)
    {
        ShapeCheck.Like(weightIh, WeightIh.Value, nameof(weightIh), "SimpleRnn.CopyFromPyTorch");
        ShapeCheck.Like(weightHh, WeightHh.Value, nameof(weightHh), "SimpleRnn.CopyFromPyTorch");
        ShapeCheck.Like(biasIh, Bias.Value, nameof(biasIh), "SimpleRnn.CopyFromPyTorch");
        ShapeCheck.Like(biasHh, Bias.Value, nameof(biasHh), "SimpleRnn.CopyFromPyTorch");
        WeightIh.Value.CopyFrom(weightIh);
        WeightHh.Value.CopyFrom(weightHh);
        TensorPrimitives.Add(biasIh.Span, biasHh.Span, Bias.Value.Span);
    }

    /// <summary>
    /// The weights as <c>torch.nn.RNN</c>'s state dict for one layer (copies): <c>weight_ih_l0</c>, <c>weight_hh_l0</c>,
    /// <c>bias_ih_l0 = bias</c> and <c>bias_hh_l0 = 0</c>.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> ToPyTorch() => new Dictionary<string, Tensor>
    {
        ["weight_ih_l0"] = WeightIh.Value.Clone(),
        ["weight_hh_l0"] = WeightHh.Value.Clone(),
        ["bias_ih_l0"] = Bias.Value.Clone(),
        ["bias_hh_l0"] = new Tensor(HiddenSize),
    };

    /// <summary>A zero state <c>[batch, H]</c>.</summary>
    public Tensor ZeroState(int batch)
    {
        ShapeCheck.Positive(batch, nameof(batch), "SimpleRnn.ZeroState");
        return new Tensor(batch, HiddenSize);
    }

    /// <summary><c>x: [B, T, I] → [B, H]</c>, or <c>[B, T, H]</c> with <see cref="ReturnSequences"/>, from a zero state.</summary>
    public Tensor Forward(Tensor x, bool training = false) => _loop.Forward(x, null, training);

    /// <summary>
    /// <c>x: [B, T, I]</c>, optional <c>initialState [B, H]</c> → <c>[B, H]</c>, or <c>[B, T, H]</c> with
    /// <see cref="ReturnSequences"/> (owned by the layer). The final state is then in <see cref="FinalState"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A shape differs from the one stated.</exception>
    public Tensor Forward(Tensor x, Tensor? initialState, bool training = false) => _loop.Forward(x, initialState, training);

    /// <summary><c>dy</c> shaped like the last output → <c>dx [B, T, I]</c>; adds into the parameter gradients.</summary>
    public Tensor Backward(Tensor dy) => Backward(dy, null);

    /// <summary>
    /// Back-propagates through the last forward pass. <paramref name="dy"/> is shaped like its output
    /// (<c>[B, H]</c> or <c>[B, T, H]</c>; null means zero); <paramref name="dFinalH"/> (<c>[B, H]</c>, optional) is
    /// the gradient with respect to <see cref="FinalState"/>. Returns <c>dx [B, T, I]</c> (owned by the layer), adds
    /// into the parameter gradients and sets <see cref="InitialStateGradient"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No forward pass with <c>training: true</c> preceded this call, or
    /// Backward already ran after it (the backward pass overwrites the forward pass's outputs with their gradients).</exception>
    /// <exception cref="ArgumentException">A gradient's shape differs from the output or state it belongs to.</exception>
    public Tensor Backward(Tensor? dy, Tensor? dFinalH)
    {
        _loop.CheckBackward(dy, dFinalH);
        Tensor dx = _loop.RunBackward(dy, dFinalH);

        StackedWeights.AddGradients(_loop.WeightGradient(0), WeightIh, WeightHh, Bias);
        return dx;
    }

    /// <summary>
    /// One step of the cell: <c>x_t [B, I]</c>, <c>state [B, H]</c> → the new state <c>[B, H]</c>, which is also the
    /// step's output (a new tensor; the same numbers as a step of <see cref="Forward(Tensor, Tensor?, bool)"/>).
    /// Keeps nothing for <see cref="Backward(Tensor)"/>: it is the inference and streaming API.
    /// </summary>
    /// <exception cref="ArgumentException">A shape differs from the one stated.</exception>
    public Tensor Step(Tensor x, Tensor state) => _loop.Step(x, state);

    /// <summary>
    /// TensorFlow's <c>static_rnn</c>: runs <see cref="Step"/> over a list of per-step inputs <c>[B, I]</c> and
    /// returns the list of per-step outputs <c>[B, H]</c>; <paramref name="finalState"/> receives the last state.
    /// </summary>
    public IReadOnlyList<Tensor> Unroll(IReadOnlyList<Tensor> inputs, Tensor? initialState, out Tensor finalState) =>
        RecurrentLoop.Unroll(inputs, initialState, ZeroState, Step, s => s, "SimpleRnn", out finalState);

    /// <summary><c>[W_ih, W_hh, bias] [H, I + H + 1]</c>.</summary>
    void IRecurrentCell.FillWeights(Span<float> weights) => StackedWeights.Fill(weights, WeightIh, WeightHh, Bias);

    /// <summary>h' = act(z), kept in the gates for backward.</summary>
    unsafe void IRecurrentCell.Forward(in RecurrentStep step) =>
        SimpleRnnCell.Forward(Simd.Default, step.Gates, step.HNext, step.Ld, step.Rows, HiddenSize, Activation);

    /// <summary>dz = dh·act'.</summary>
    unsafe void IRecurrentCell.Backward(in RecurrentStep step) =>
        SimpleRnnCell.Backward(Simd.Default, step.Gates, step.Dh, step.Gates, step.Rows, HiddenSize, Activation);
}
