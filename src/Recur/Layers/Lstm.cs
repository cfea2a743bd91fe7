using Recur.Initializers;
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
/// <see cref="RecurrentLayer.ReturnSequences"/>; optional initial state; the final state is kept in <see cref="RecurrentLayer{TState}.FinalState"/>.
/// </summary>
/// <remarks>
/// <para>With <c>layerNorm: true</c> the cell is Ba, Kiros and Hinton's LN-LSTM (<i>Layer Normalization</i>, 2016, §3.3), with
/// <c>LN(v; α, β) = α ⊙ (v − mean(v)) / √(var(v) + ε) + β</c> over all of v's elements (biased variance, as
/// <c>torch.nn.functional.layer_norm</c>):
/// <code>
/// z  = LN(x_t·W_ihᵀ; α_ih, β_ih) + LN(h·W_hhᵀ; α_hh, β_hh) + bias      (each over the whole 4H; gates i, f, g, o)
/// c' = c·σ(f + forgetBias) + σ(i)·tanh(g)
/// h' = σ(o)·tanh(LN(c'; α_c, β_c))                                      (over H; c' itself is carried, unnormalised)
/// </code>
/// The gains α start at 1 and the shifts β at 0; they are the parameters <c>ln_ih_gain</c>, <c>ln_ih_shift</c>,
/// <c>ln_hh_gain</c>, <c>ln_hh_shift</c> <c>[4H]</c> and <c>ln_c_gain</c>, <c>ln_c_shift</c> <c>[H]</c> after the bias. Each
/// product is normalised over all 4H units, not per gate: the paper's LN-LSTM, PyTorch's own LayerNormLSTMCell
/// (benchmarks/fastrnns) and TensorFlow Addons' LayerNormLSTMCell do so. torch.nn has no such module, so
/// <see cref="RecurrentLayer.ToPyTorch"/> and <see cref="RecurrentLayer.CopyFromPyTorch"/> refuse the layer.</para>
/// 
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
/// <see cref="RecurrentLayer.Backward(Tensor)"/>.</para>
/// </remarks>
public sealed class Lstm : RecurrentLayer<LstmState>
{
    // The cell state, time-major (h lives in the loop). B, T: the batch and steps of the last forward call.
    private Tensor? _cells;     // [T + 1, B, H]  c_{-1} = c0, c_0 … c_{T-1}
    private Tensor? _tanhC;     // [T, B, H]      tanh(c_t)
    private Tensor? _stepCells; // [2, B, H]      inference: c_{s-1} and c_s
    private Tensor? _stepTanhC; // [B, H]         inference: one step's tanh(c)
    private Tensor _runCells = null!, _runTanhC = null!; // the set the last Forward used
    private Tensor? _dc;        // [B, H]  backward: the gradient of c, from the last step back to c0
    private Tensor? _streamTanhC; // [B, H]  Step: tanh(c'), which the step does not keep

    /// <summary>Creates the layer and initialises its weights.</summary>
    /// <param name="inputSize">I, features per step; positive.</param>
    /// <param name="hiddenSize">H, units; positive.</param>
    /// <param name="forgetBias">Added to the forget gate before its sigmoid (TensorFlow's BasicLSTMCell; 1.0 in the tutorials, 0 for PyTorch's LSTM).</param>
    /// <param name="returnSequences">Return every step's output <c>[B, T, H]</c> instead of the last <c>[B, H]</c>.</param>
    /// <param name="kernelInitializer">For <c>weight_ih</c>; Glorot uniform when null.</param>
    /// <param name="recurrentInitializer">For <c>weight_hh</c>; orthogonal when null.</param>
    /// <param name="biasInitializer">For <c>bias</c>; zeros when null; <see cref="Chrono"/> runs <see cref="InitializeChrono"/> with a fork of <paramref name="rng"/>.</param>
    /// <param name="rng">The random source for initialisation, kept for the dropout masks of <see cref="RecurrentLayer.Dropout"/> and <see cref="RecurrentLayer.RecurrentDropout"/> (drawn from only while a rate is above 0); <c>new Rng(0)</c> when null.</param>
    /// <param name="name">The layer name.</param>
    /// <param name="layerNorm">Layer-normalise the cell (<see cref="RecurrentLayer.LayerNorm"/>; the equations are in the remarks).</param>
    /// <param name="layerNormEpsilon">ε of the normalisations, finite and above 0 (default Keras's and TensorFlow Addons' default 1e-3, not PyTorch's 1e-5: from a zero state a blank input step (MNIST's first rows) makes every unit's pre-activation equal, and a constant vector's normalisation has slope 1/√ε, compounded step after step); read only with <paramref name="layerNorm"/>.</param>
    public Lstm(
        int inputSize,
        int hiddenSize,
        float forgetBias = 1f,
        bool returnSequences = false,
        IInitializer? kernelInitializer = null,
        IInitializer? recurrentInitializer = null,
        IInitializer? biasInitializer = null,
        Rng? rng = null,
        string name = "lstm",
        bool layerNorm = false,
        float layerNormEpsilon = 1e-3f)
        : base(StateParts.Lstm, inputSize, hiddenSize, 4 * hiddenSize, ["bias"], layerNorm ? NormalizedLayout : static (i, h) => RecurrentLayout.Stacked(i, h, 4 * h),
            returnSequences, name, layerNorm ? NormParameters(hiddenSize) : null)
    {
        if (layerNorm)
        {
            LayerNormEpsilon = CheckLayerNormEpsilon(layerNormEpsilon);
        }

        if (!float.IsFinite(forgetBias))
        {
            throw new ArgumentOutOfRangeException(nameof(forgetBias), forgetBias, $"Lstm: forgetBias must be finite; received {forgetBias}.");
        }

        ForgetBias = forgetBias;
        (IInitializer kernel, IInitializer recurrent, IInitializer bias) = Initialize(kernelInitializer, recurrentInitializer, biasInitializer, rng, InitializeChrono);
        CurrentOptions = LstmLayer.Of(this, kernel, recurrent, bias);
    }

    /// <summary>The layer-normalised cell's layout: p_x and p_h apart in 4H gate columns each, then the cell's own (LayerNormCell.cs).</summary>
    private static RecurrentLayout NormalizedLayout(int input, int hidden) =>
        RecurrentLayout.Normalized(input, hidden, 4 * hidden, LayerNormCell.LstmGates(hidden), false);

    /// <summary>The gains (ones) and shifts (zeros) of the input, recurrent and cell-state normalisations.</summary>
    private static (string, int, float)[] NormParameters(int hidden) =>
        [("ln_ih_gain", 4 * hidden, 1f), ("ln_ih_shift", 4 * hidden, 0f), ("ln_hh_gain", 4 * hidden, 1f), ("ln_hh_shift", 4 * hidden, 0f),
         ("ln_c_gain", hidden, 1f), ("ln_c_shift", hidden, 0f)];

    /// <summary>The constant added to the forget gate's pre-activation (TensorFlow's <c>forget_bias</c>).</summary>
    public float ForgetBias { get; }

    /// <summary><c>bias [4H]</c>, gates i, f, g, o.</summary>
    public Parameter Bias => Biases[0];

    /// <summary>The <see cref="LstmLayer"/> that rebuilds this layer: the one it was built from, or its constructor's arguments and the initializers it used, with the current dropout rates.</summary>
    public LstmLayer Options
    {
        get => (LstmLayer)CurrentOptions;
        internal set => CurrentOptions = value;
    }

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

        MarkWeightsChanged();
    }

    /// <summary>
    /// Back-propagates through the last forward pass, with the gradients of <see cref="RecurrentLayer{TState}.FinalState"/>
    /// given apart: <paramref name="dFinalH"/> and <paramref name="dFinalC"/> (<c>[B, H]</c>, each optional, null meaning
    /// zero). Otherwise as <see cref="RecurrentLayer{TState}.Backward(Tensor, TState)"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No forward pass with <c>training: true</c> preceded this call, or
    /// Backward already ran after it (the backward pass overwrites the forward pass's gate activations).</exception>
    /// <exception cref="ArgumentException">A gradient's shape differs from the output or state it belongs to.</exception>
    public Tensor Backward(Tensor? dy, Tensor? dFinalH, Tensor? dFinalC) => BackwardFromParts(dy, dFinalH, dFinalC);

    /// <summary>The streaming step's cell: c from the state, c' and h' into <paramref name="into"/> (RecurrentLayer{TState}.Step).</summary>
    private protected override unsafe void StepCell(Tensor gates, LstmState state, LstmState into)
    {
        int b = gates.Dim(0), h = HiddenSize;
        Tensor tanhC = Buffers.Ensure(ref _streamTanhC, b, h);
        fixed (float* z = gates.Data, c = state.C.Data, cNext = into.C.Data, t = tanhC.Data, hNext = into.H.Data)
        {
            if (LayerNorm)
            {
                LayerNormCell.LstmForward(Simd.Default, z, gates.Dim(1), c, cNext, t, hNext, h, b, h, ForgetBias, NormPointers());
            }
            else
            {
                LstmCell.Forward(Simd.Default, z, c, cNext, t, hNext, h, b, h, ForgetBias);
            }
        }
    }

    /// <summary>Training keeps every step's cell state for Backward, inference two steps; c0 (or zeros) into the first block.</summary>
    private protected override void BeginCellState(Tensor? c0, bool training)
    {
        int b = Loop.Batch, t = Loop.Steps, h = HiddenSize;
        _runCells = training ? Buffers.Ensure(ref _cells, t + 1, b, h) : Buffers.Ensure(ref _stepCells, 2, b, h);
        _runTanhC = training ? Buffers.Ensure(ref _tanhC, t, b, h) : Buffers.Ensure(ref _stepTanhC, b, h);
        if (c0 is null)
        {
            _runCells.Span[..(b * h)].Clear();
        }
        else
        {
            Loop.ToRowOrder(c0.Span, _runCells.Span, h);
        }
    }

    /// <summary>Each sequence's c after its last (valid) step.</summary>
    private protected override void CopyFinalCellState(Tensor c) => Loop.CopyFinalStates(_runCells.Span, c.Span, HiddenSize);

    /// <summary>dc starts as the final c's gradient, or zeros.</summary>
    private protected override void BeginCellGradient(Tensor? dFinalC)
    {
        Span<float> dc = Buffers.Ensure(ref _dc, Loop.Batch, HiddenSize).Span;
        if (dFinalC is null)
        {
            dc.Clear();
        }
        else
        {
            Loop.ToRowOrder(dFinalC.Span, dc, HiddenSize);
        }
    }

    /// <summary>dc, carried back to c0.</summary>
    private protected override void CopyInitialCellGradient(Tensor dc0) => Loop.ToBatchOrder(_dc!.Span, dc0.Span, HiddenSize);

    /// <summary>The fused cell update of one step: gates activated in place, c and tanh(c) into this step's blocks, h into the loop's.</summary>
    private protected override unsafe void CellForward(in RecurrentStep step)
    {
        nint h = HiddenSize;
        fixed (float* cells = _runCells.Data, tanhC = _runTanhC.Data)
        {
            if (LayerNorm)
            {
                LayerNormCell.LstmForward(Simd.Default, step.Gates, LayerNormCell.LstmGates(HiddenSize), cells + (step.StateRow * h), cells + (step.NextRow * h),
                    tanhC + (step.GateRow * h), step.HNext, step.Ld, step.Rows, HiddenSize, ForgetBias, NormPointers());
                return;
            }

            LstmCell.Forward(Simd.Default, step.Gates, cells + (step.StateRow * h), cells + (step.NextRow * h), tanhC + (step.GateRow * h),
                step.HNext, step.Ld, step.Rows, HiddenSize, ForgetBias);
        }
    }

    /// <summary>The cell backward of one step: the gate gradients over the activations, and the gradient of c carried back one step.</summary>
    private protected override unsafe void CellBackward(in RecurrentStep step)
    {
        nint h = HiddenSize;
        fixed (float* cells = _cells!.Data, tanhC = _tanhC!.Data, dc = _dc!.Data, accumulators = LayerNorm ? NormGradients.Data : null)
        {
            if (LayerNorm)
            {
                LayerNormCell.LstmBackward(Simd.Default, step.Gates, LayerNormCell.LstmGates(HiddenSize), cells + (step.StateRow * h), tanhC + (step.GateRow * h),
                    step.Dh, dc + (step.Row0 * h), accumulators + (step.Row0 * (nint)LayerNormCell.LstmAccumulators(HiddenSize)), step.Rows, HiddenSize, NormPointers());
                return;
            }

            LstmCell.Backward(Simd.Default, step.Gates, cells + (step.StateRow * h), tanhC + (step.GateRow * h), step.Dh, dc + (step.Row0 * h),
                step.Gates, step.Rows, HiddenSize);
        }
    }
}
