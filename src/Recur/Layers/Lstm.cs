using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recur.Initializers;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// A long short-term memory layer with TensorFlow 1's <c>BasicLSTMCell</c> semantics, unrolled over
/// the whole sequence (<c>dynamic_rnn</c>). Per step, with <c>z = x_t·W_ihᵀ + h·W_hhᵀ + bias</c> split
/// into gates i, f, g, o:
/// <code>
/// c' = c·σ(f + forgetBias) + σ(i)·tanh(g)
/// h' = tanh(c')·σ(o)
/// </code>
/// Input <c>[B, T, I]</c>; output <c>[B, H]</c> (the last step) or <c>[B, T, H]</c> with
/// <see cref="ReturnSequences"/>; optional initial state; the final state is kept in <see cref="FinalState"/>.
/// </summary>
/// <remarks>
/// <para>Layouts are PyTorch's: <c>weight_ih [4H, I]</c>, <c>weight_hh [4H, H]</c>, gate order i, f, g, o,
/// so weights move to and from <c>torch.nn.LSTM</c> without shuffling. There is one <c>bias [4H]</c>, as in
/// TensorFlow and Keras (LSTM(128) on 28 inputs has 80,384 parameters): to PyTorch, set
/// <c>bias_ih = bias</c>, <c>bias_hh = 0</c>; from PyTorch, <c>bias = bias_ih + bias_hh</c>.
/// <c>torch.nn.LSTM</c> is this layer with <c>forgetBias = 0</c>.</para>
/// <para>Keras stores <c>kernel [I, 4H]</c> and <c>recurrent_kernel [H, 4H]</c>, the transposes, with the same
/// gate order; TensorFlow 1's BasicLSTMCell stores one <c>kernel [I + H, 4H]</c> with gate order i, g (its "j"),
/// f, o.</para>
/// <para>Defaults initialise as Keras's LSTM: Glorot-uniform <c>weight_ih</c>, orthogonal <c>weight_hh</c>,
/// zero bias (the forget bias is the separate <see cref="ForgetBias"/> constant).</para>
/// <para>Inside, the sequence is processed time-major <c>[T, B, ·]</c> so each step is one contiguous slab.
/// Each step is one matrix product of <c>[x_t, h_{t−1}, 1]</c> with <c>[W_ih, W_hh, bias]</c> (packed once per
/// pass) and one fused pass of the cell (LstmCell.cs); the parameter gradients are one product after the
/// backward time loop. The batch is split across <see cref="Threading.MaxThreads"/> threads, each running the
/// whole sequence for its rows; results do not depend on the number of threads (RecurrentLoop.cs, shared with
/// <see cref="Gru"/> and <see cref="SimpleRnn"/>).
/// <c>Forward(training: false)</c> keeps one step of state instead of all, and cannot be followed by
/// <see cref="Backward(Tensor)"/>.</para>
/// </remarks>
public sealed class Lstm : IRecurrentLayer, IRecurrentCell
{
    private readonly Parameter[] _parameters;
    private readonly RecurrentLoop _loop;

    // The cell state, time-major (the rest lives in _loop). B, T: the batch and steps of the last forward call.
    private Tensor? _cells;     // [T + 1, B, H]  c_{-1} = c0, c_0 … c_{T-1}
    private Tensor? _tanhC;     // [T, B, H]      tanh(c_t)
    private Tensor? _stepCells; // [2, B, H]      inference: c_{s-1} and c_s
    private Tensor? _stepTanhC; // [B, H]         inference: one step's tanh(c)
    private Tensor _runCells = null!, _runTanhC = null!; // the set the last Forward used
    private LstmState? _finalState; // [B, H] each, copies of the last step
    private Tensor? _dc;        // [B, H]  backward: the gradient of c, from the last step back to c0
    private LstmState? _initialStateGrad; // [B, H] each
    private LstmLayer _options;

    /// <summary>Creates the layer and initialises its weights.</summary>
    /// <param name="inputSize">I, features per step; positive.</param>
    /// <param name="hiddenSize">H, units; positive.</param>
    /// <param name="forgetBias">Added to the forget gate before its sigmoid (TensorFlow's BasicLSTMCell; 1.0 in the tutorials, 0 for PyTorch's LSTM).</param>
    /// <param name="returnSequences">Return every step's output <c>[B, T, H]</c> instead of the last <c>[B, H]</c>.</param>
    /// <param name="kernelInitializer">For <c>weight_ih</c>; Glorot uniform when null.</param>
    /// <param name="recurrentInitializer">For <c>weight_hh</c>; orthogonal when null.</param>
    /// <param name="biasInitializer">For <c>bias</c>; zeros when null; <see cref="Chrono"/> runs <see cref="InitializeChrono"/> with a fork of <paramref name="rng"/>.</param>
    /// <param name="rng">The random source for initialisation, kept for the masks of <see cref="Dropout"/> and <see cref="RecurrentDropout"/> (drawn from only while a rate is above 0); <c>new Rng(0)</c> when null.</param>
    /// <param name="name">The layer name.</param>
    public Lstm(
        int inputSize,
        int hiddenSize,
        float forgetBias = 1f,
        bool returnSequences = false,
        IInitializer? kernelInitializer = null,
        IInitializer? recurrentInitializer = null,
        IInitializer? biasInitializer = null,
        Rng? rng = null,
        string name = "lstm")
    {
        ShapeCheck.Positive(inputSize, nameof(inputSize), "Lstm");
        ShapeCheck.Positive(hiddenSize, nameof(hiddenSize), "Lstm");
        if (!float.IsFinite(forgetBias))
        {
            throw new ArgumentOutOfRangeException(nameof(forgetBias), forgetBias, $"Lstm: forgetBias must be finite; received {forgetBias}.");
        }

        InputSize = inputSize;
        HiddenSize = hiddenSize;
        ForgetBias = forgetBias;
        ReturnSequences = returnSequences;
        Name = name;
        WeightIh = new Parameter("weight_ih", 4 * hiddenSize, inputSize);
        WeightHh = new Parameter("weight_hh", 4 * hiddenSize, hiddenSize);
        Bias = new Parameter("bias", 4 * hiddenSize);
        _parameters = [WeightIh, WeightHh, Bias];
        _loop = new RecurrentLoop(this, RecurrentLayout.Stacked(inputSize, hiddenSize, 4 * hiddenSize), returnSequences, "Lstm");

        rng ??= new Rng(0);
        _loop.DropoutRng = rng;
        kernelInitializer ??= new GlorotUniform();
        recurrentInitializer ??= new Orthogonal();
        biasInitializer ??= new Zeros();
        kernelInitializer.Fill(WeightIh.Value, inputSize, 4 * hiddenSize, rng);
        recurrentInitializer.Fill(WeightHh.Value, hiddenSize, 4 * hiddenSize, rng);
        if (biasInitializer is Chrono chrono)
        {
            InitializeChrono(chrono.MaxSteps, rng.Fork());
        }
        else
        {
            biasInitializer.Fill(Bias.Value, inputSize, 4 * hiddenSize, rng);
        }

        _options = LstmLayer.Of(this, kernelInitializer, recurrentInitializer, biasInitializer);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>I, features per step.</summary>
    public int InputSize { get; }

    /// <summary>H, units.</summary>
    public int HiddenSize { get; }

    /// <summary>The constant added to the forget gate's pre-activation (TensorFlow's <c>forget_bias</c>).</summary>
    public float ForgetBias { get; }

    /// <summary>Whether <see cref="Forward(Tensor, bool)"/> returns <c>[B, T, H]</c> rather than <c>[B, H]</c>.</summary>
    public bool ReturnSequences { get; }

    /// <summary>
    /// Keras's <c>dropout</c>: in training, the fraction of input features dropped before the input product, with one
    /// mask per sequence and feature <c>[B, I]</c> drawn per forward pass and used at every step (variational dropout,
    /// Gal and Ghahramani 2016); kept features are scaled by <c>1 / (1 − rate)</c>. 0, the default, turns it off;
    /// inference and <see cref="Step(Tensor, LstmState)"/> never drop.
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
    /// step; kept units are scaled by <c>1 / (1 − rate)</c>. The cell state c and the outputs use the undropped h. 0, the default, turns it off; inference and
    /// <see cref="Step(Tensor, LstmState)"/> never drop.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in [0, 1).</exception>
    public float RecurrentDropout
    {
        get => _loop.RecurrentDropout;
        set => _loop.RecurrentDropout = value;
    }

    /// <summary>
    /// Whether <see cref="Backward(Tensor?, Tensor?, Tensor?)"/> computes the gradient with respect to the input
    /// (default true). A first layer, whose input is data, needs none: set this to false there and
    /// Backward skips the product <c>dx = dz·W_ih</c> (<c>2·T·B·4H·I</c> operations) and returns zeros.
    /// Parameter and initial-state gradients are unaffected.
    /// </summary>
    public bool ComputeInputGradient
    {
        get => _loop.ComputeInputGradient;
        set => _loop.ComputeInputGradient = value;
    }

    /// <summary><c>weight_ih [4H, I]</c>, gates i, f, g, o.</summary>
    public Parameter WeightIh { get; }

    /// <summary><c>weight_hh [4H, H]</c>, gates i, f, g, o.</summary>
    public Parameter WeightHh { get; }

    /// <summary><c>bias [4H]</c>, gates i, f, g, o.</summary>
    public Parameter Bias { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>
    /// The <see cref="LstmLayer"/> that rebuilds this layer: the one it was built from, or its constructor's arguments
    /// (with <c>InputShape = [-1, InputSize]</c> and the initializers it used), with the current dropout rates.
    /// </summary>
    public LstmLayer Options
    {
        get => _options with { Dropout = Dropout, RecurrentDropout = RecurrentDropout };
        internal set => _options = value;
    }

    LayerConfig? ILayer.Options => Options;

    /// <summary>The time loop, for tests (its dropout masks).</summary>
    internal RecurrentLoop Loop => _loop;

    /// <summary>The state after the last step of the last forward pass, <c>H, C: [B, H]</c> (owned by the layer).</summary>
    public LstmState FinalState => _finalState ?? throw new InvalidOperationException("Lstm.FinalState read before Forward.");

    /// <summary>
    /// The gradient with respect to the initial state of the last forward pass, <c>[B, H]</c> each, set by
    /// <see cref="Backward(Tensor, Tensor?, Tensor?)"/> (zero-state inputs get it too).
    /// </summary>
    public LstmState InitialStateGradient =>
        _initialStateGrad ?? throw new InvalidOperationException("Lstm.InitialStateGradient read before Backward.");

    /// <summary>
    /// Loads weights from <c>torch.nn.LSTM</c> (one layer): <c>weight_ih_l0 [4H, I]</c>, <c>weight_hh_l0 [4H, H]</c>
    /// are copied; <c>bias = bias_ih_l0 + bias_hh_l0</c> (each <c>[4H]</c>). Gate order is the same (i, f, g, o).
    /// PyTorch's LSTM has no forget bias: the result equals it when <see cref="ForgetBias"/> is 0.
    /// </summary>
    /// <exception cref="ArgumentException">A tensor's shape differs from the one stated.</exception>
    public void CopyFromPyTorch(Tensor weightIh, Tensor weightHh, Tensor biasIh, Tensor biasHh)
    {
        ShapeCheck.Like(weightIh, WeightIh.Value, nameof(weightIh), "Lstm.CopyFromPyTorch");
        ShapeCheck.Like(weightHh, WeightHh.Value, nameof(weightHh), "Lstm.CopyFromPyTorch");
        ShapeCheck.Like(biasIh, Bias.Value, nameof(biasIh), "Lstm.CopyFromPyTorch");
        ShapeCheck.Like(biasHh, Bias.Value, nameof(biasHh), "Lstm.CopyFromPyTorch");
        WeightIh.Value.CopyFrom(weightIh);
        WeightHh.Value.CopyFrom(weightHh);
        TensorPrimitives.Add(biasIh.Span, biasHh.Span, Bias.Value.Span);
    }

    /// <summary>
    /// The weights as <c>torch.nn.LSTM</c>'s state dict for one layer (copies): <c>weight_ih_l0</c>, <c>weight_hh_l0</c>,
    /// <c>bias_ih_l0 = bias</c> and <c>bias_hh_l0 = 0</c>.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> ToPyTorch() => new Dictionary<string, Tensor>
    {
        ["weight_ih_l0"] = WeightIh.Value.Clone(),
        ["weight_hh_l0"] = WeightHh.Value.Clone(),
        ["bias_ih_l0"] = Bias.Value.Clone(),
        ["bias_hh_l0"] = new Tensor(4 * HiddenSize),
    };

    /// <summary>
    /// Chrono initialisation (Tallec and Ollivier, "Can recurrent neural networks warp time?", 2018) for
    /// dependencies up to <paramref name="maxSteps"/> steps long: for each unit, with <c>u</c> uniform in
    /// [1, maxSteps − 1], the forget gate's pre-activation bias (with <see cref="ForgetBias"/>) becomes <c>log u</c>
    /// and the input gate's <c>−log u</c>, so at the start the units remember over time scales spread from 1 to
    /// <paramref name="maxSteps"/> steps instead of all forgetting within a few (σ(1) = 0.73 per step keeps
    /// nothing over a 784-step sequence). Replaces the input and forget quarters of <see cref="Bias"/>.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">maxSteps is below 3.</exception>
    public void InitializeChrono(int maxSteps, Rng rng)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSteps, 3);
        ArgumentNullException.ThrowIfNull(rng);
        Span<float> bias = Bias.Value.Span;
        int h = HiddenSize;
        for (int j = 0; j < h; j++)
        {
            float log = MathF.Log(1f + (rng.NextFloat() * (maxSteps - 2)));
            bias[j] = -log;                 // input gate
            bias[h + j] = log - ForgetBias; // forget gate: σ(bias + ForgetBias) = σ(log u)
        }
    }

    /// <summary>A zero state for <paramref name="batch"/> sequences.</summary>
    public LstmState ZeroState(int batch)
    {
        ShapeCheck.Positive(batch, nameof(batch), "Lstm.ZeroState");
        return LstmState.Zeros(batch, HiddenSize);
    }

    /// <summary><c>x: [B, T, I] → [B, H]</c>, or <c>[B, T, H]</c> with <see cref="ReturnSequences"/>, from a zero state.</summary>
    public Tensor Forward(Tensor x, bool training = false) => Forward(x, null, training);

    /// <summary>
    /// <c>x: [B, T, I]</c>, optional <c>initialState (H, C: [B, H])</c> → <c>[B, H]</c>, or <c>[B, T, H]</c> with
    /// <see cref="ReturnSequences"/>. The final state is then in <see cref="FinalState"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A shape differs from the one stated.</exception>
    public Tensor Forward(Tensor x, LstmState? initialState, bool training = false)
    {
        (int b, int t) = _loop.CheckInput(x);
        if (initialState is not null)
        {
            CheckState(initialState, b, nameof(initialState));
        }

        // Training keeps every step's cell state for Backward; inference keeps two steps.
        int h = HiddenSize;
        _runCells = training ? Buffers.Ensure(ref _cells, t + 1, b, h) : Buffers.Ensure(ref _stepCells, 2, b, h);
        _runTanhC = training ? Buffers.Ensure(ref _tanhC, t, b, h) : Buffers.Ensure(ref _stepTanhC, b, h);
        _finalState = EnsureState(_finalState, b);
        _loop.Begin(x, initialState?.H, training);
        if (initialState is null)
        {
            _runCells.Span[..(b * h)].Clear();
        }
        else
        {
            initialState.C.Span.CopyTo(_runCells.Span);
        }

        Tensor y = _loop.RunForward(x);
        _loop.FinalH.Span.CopyTo(_finalState.H.Span);
        _runCells.Span.Slice(_loop.LastBlock * b * h, b * h).CopyTo(_finalState.C.Span);
        return y;
    }

    /// <summary><c>dy</c> shaped like the last output → <c>dx [B, T, I]</c>; adds into the parameter gradients.</summary>
    public Tensor Backward(Tensor dy) => Backward(dy, null, null);

    /// <summary>
    /// Back-propagates through the last forward pass. <paramref name="dy"/> is shaped like its output
    /// (<c>[B, H]</c> or <c>[B, T, H]</c>; null means zero); <paramref name="dFinalH"/> and
    /// <paramref name="dFinalC"/> (<c>[B, H]</c>, optional) are gradients with respect to <see cref="FinalState"/>.
    /// Returns <c>dx [B, T, I]</c>, adds into the parameter gradients and sets <see cref="InitialStateGradient"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No forward pass with <c>training: true</c> preceded this call, or
    /// Backward already ran after it (the backward pass overwrites the forward pass's gate activations).</exception>
    /// <exception cref="ArgumentException">A gradient's shape differs from the output or state it belongs to.</exception>
    public Tensor Backward(Tensor? dy, Tensor? dFinalH, Tensor? dFinalC)
    {
        _loop.CheckBackward(dy, dFinalH);
        if (dFinalC is not null)
        {
            ShapeCheck.Same(dFinalC, _finalState!.C, nameof(dFinalC), "Lstm");
        }

        int b = _loop.Batch, h = HiddenSize;
        Span<float> dc = Buffers.Ensure(ref _dc, b, h).Span;
        if (dFinalC is null)
        {
            dc.Clear();
        }
        else
        {
            dFinalC.Span.CopyTo(dc);
        }

        _initialStateGrad = EnsureState(_initialStateGrad, b);
        Tensor dx = _loop.RunBackward(dy, dFinalH);
        _loop.InitialStateGradient.Span.CopyTo(_initialStateGrad.H.Span);
        dc.CopyTo(_initialStateGrad.C.Span);

        StackedWeights.AddGradients(_loop.WeightGradient(0), WeightIh, WeightHh, Bias);
        return dx;
    }

    /// <summary>
    /// One step of the cell (TensorFlow's <c>cell(x_t, state)</c>): <c>x_t [B, I]</c>, <c>state (H, C: [B, H])</c>
    /// → the new state, whose <c>H [B, H]</c> is the step's output. Allocates new tensors and keeps nothing for
    /// <see cref="Backward(Tensor)"/>: it is the inference and streaming API; train through <see cref="Forward(Tensor, LstmState?, bool)"/>.
    /// </summary>
    public LstmState Step(Tensor x, LstmState state)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2 || x.Dim(1) != InputSize)
        {
            throw ShapeCheck.Error(x, nameof(x), "Lstm.Step", $"[batch, {InputSize}]");
        }
        ArgumentNullException.ThrowIfNull(state);
        int b = x.Dim(0), h = HiddenSize, g4 = 4 * h;
        CheckState(state, b, nameof(state));

        var z = new float[b * g4];
        for (int i = 0; i < b; i++)
        {
            Bias.Value.Span.CopyTo(z.AsSpan(i * g4, g4));
        }

        Gemm.Multiply(false, true, b, g4, InputSize, 1f, x.Span, InputSize, WeightIh.Value.Span, InputSize, 1f, z, g4);
        Gemm.Multiply(false, true, b, g4, h, 1f, state.H.Span, h, WeightHh.Value.Span, h, 1f, z, g4);
        var next = LstmState.Zeros(b, h);
        var tanhC = new float[b * h];
        unsafe
        {
            fixed (float* pz = z, pc = state.C.Data, pn = next.C.Data, pt = tanhC, ph = next.H.Data)
            {
                LstmCell.Forward(Simd.Default, pz, pc, pn, pt, ph, h, b, h, ForgetBias);
            }
        }

        return next;
    }

    /// <summary>
    /// TensorFlow's <c>static_rnn</c>: runs <see cref="Step"/> over a list of per-step inputs <c>[B, I]</c>
    /// and returns the list of per-step outputs <c>[B, H]</c>; <paramref name="finalState"/> receives the last state.
    /// </summary>
    public IReadOnlyList<Tensor> Unroll(IReadOnlyList<Tensor> inputs, LstmState? initialState, out LstmState finalState) =>
        RecurrentLoop.Unroll(inputs, initialState, ZeroState, Step, s => s.H, "Lstm", out finalState);

    /// <summary><c>[W_ih, W_hh, bias] [4H, I + H + 1]</c>.</summary>
    void IRecurrentCell.FillWeights(Span<float> cat) => StackedWeights.Fill(cat, WeightIh, WeightHh, Bias);

    /// <summary>The fused cell update of one step: gates activated in place, c and tanh(c) into this step's blocks, h into the loop's.</summary>
    unsafe void IRecurrentCell.Forward(in RecurrentStep step)
    {
        nint h = HiddenSize;
        fixed (float* cells = _runCells.Data, tanhC = _runTanhC.Data)
        {
            LstmCell.Forward(Simd.Default, step.Gates, cells + (step.StateRow * h), cells + (step.NextRow * h), tanhC + (step.GateRow * h),
                step.HNext, step.Ld, step.Rows, HiddenSize, ForgetBias);
        }
    }

    /// <summary>The cell backward of one step: the gate gradients over the activations, and the gradient of c carried back one step.</summary>
    unsafe void IRecurrentCell.Backward(in RecurrentStep step)
    {
        nint h = HiddenSize;
        fixed (float* cells = _cells!.Data, tanhC = _tanhC!.Data, dc = _dc!.Data)
        {
            LstmCell.Backward(Simd.Default, step.Gates, cells + (step.StateRow * h), tanhC + (step.GateRow * h), step.Dh, dc + (step.Row0 * h),
                step.Gates, step.Rows, HiddenSize);
        }
    }

    private void CheckState(LstmState state, int batch, string name)
    {
        ArgumentNullException.ThrowIfNull(state, name);
        _loop.CheckState(state.H, batch, name, "H");
        _loop.CheckState(state.C, batch, name, "C");
    }

    private LstmState EnsureState(LstmState? state, int batch) =>
        state is not null && state.H.HasShape(batch, HiddenSize) ? state : LstmState.Zeros(batch, HiddenSize);
}
