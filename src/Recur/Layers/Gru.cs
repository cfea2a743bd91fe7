using Recur.Initializers;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// A gated recurrent unit layer with PyTorch's semantics (<c>torch.nn.GRU</c>; Keras's <c>GRU</c> with
/// <c>reset_after=True</c>, its default), unrolled over the whole sequence. Per step, with gates r (reset),
/// z (update) and n (the candidate):
/// <code>
/// r  = σ(W_ir·x + b_ir + W_hr·h + b_hr)
/// z  = σ(W_iz·x + b_iz + W_hz·h + b_hz)
/// n  = tanh(W_in·x + b_in + r ⊙ (W_hn·h + b_hn))
/// h' = (1 − z) ⊙ n + z ⊙ h
/// </code>
/// Input <c>[B, T, I]</c>; output <c>[B, H]</c> (the last step) or <c>[B, T, H]</c> with
/// <see cref="ReturnSequences"/>; optional initial state <c>[B, H]</c>; the final state is kept in <see cref="FinalState"/>.
/// </summary>
/// <remarks>
/// <para>Layouts are PyTorch's: <c>weight_ih [3H, I]</c>, <c>weight_hh [3H, H]</c>, <c>bias_ih [3H]</c>,
/// <c>bias_hh [3H]</c>, gate order r, z, n, so weights move to and from <c>torch.nn.GRU</c> without shuffling.
/// Both biases are kept: <c>b_hn</c> sits inside the reset product, so it is not the same as adding it to
/// <c>b_in</c>. Keras's <c>reset_after=True</c> GRU has the same two biases (GRU(128) on 28 inputs has 60,672
/// parameters); Keras stores <c>kernel [I, 3H]</c> and <c>recurrent_kernel [H, 3H]</c>, the transposes, with gate
/// order z, r, n, and <c>bias [2, 3H]</c> (input bias, recurrent bias).</para>
/// <para>Defaults initialise as Keras's GRU: Glorot-uniform <c>weight_ih</c>, orthogonal <c>weight_hh</c>, zero
/// biases. (PyTorch's own default is uniform(±1/√H) for all four.)</para>
/// <para>Inside, the step operand is <c>[x_t, 1, h_{t−1}, 1]</c> and the weights are laid out as four blocks of H
/// rows, <c>n_x: [W_in, b_in, 0, 0]</c>, <c>r: [W_ir, b_ir, W_hr, b_hr]</c>, <c>z: [W_iz, b_iz, W_hz, b_hz]</c>,
/// <c>n_h: [0, 0, W_hn, b_hn]</c>: the candidate's input and recurrent parts stay apart because the reset gate
/// multiplies only the second. Each step is two matrix products, <c>[x_t, 1]</c> by all four blocks and
/// <c>[h_{t−1}, 1]</c> by the last three (skipping the zeros), and one fused pass of the cell (GruCell.cs). After
/// the backward time loop the gradients are two products, <c>[d n_x, dr, dz]ᵀ·[x, 1]</c> for the input weights and
/// bias and <c>[dr, dz, d n_h]ᵀ·[h, 1]</c> for the recurrent ones. The batch is split across
/// <see cref="Threading.MaxThreads"/> threads with results that do not depend on their number (RecurrentLoop.cs).
/// <c>Forward(training: false)</c> keeps one step of state instead of all, and cannot be followed by
/// <see cref="Backward(Tensor)"/>.</para>
/// </remarks>
public sealed class Gru : IRecurrentLayer, IRecurrentCell
{
    private readonly Parameter[] _parameters;
    private readonly RecurrentLoop _loop;
    private GruLayer _options;

    /// <summary>Creates the layer and initialises its weights.</summary>
    /// <param name="inputSize">I, features per step; positive.</param>
    /// <param name="hiddenSize">H, units; positive.</param>
    /// <param name="returnSequences">Return every step's output <c>[B, T, H]</c> instead of the last <c>[B, H]</c>.</param>
    /// <param name="kernelInitializer">For <c>weight_ih</c>; Glorot uniform when null.</param>
    /// <param name="recurrentInitializer">For <c>weight_hh</c>; orthogonal when null.</param>
    /// <param name="biasInitializer">For <c>bias_ih</c> and <c>bias_hh</c>; zeros when null; <see cref="Chrono"/> runs <see cref="InitializeChrono"/> with a fork of <paramref name="rng"/>.</param>
    /// <param name="rng">The random source for initialisation, kept for the masks of <see cref="Dropout"/> and <see cref="RecurrentDropout"/> (drawn from only while a rate is above 0); <c>new Rng(0)</c> when null.</param>
    /// <param name="name">The layer name.</param>
    public Gru(
        int inputSize,
        int hiddenSize,
        bool returnSequences = false,
        IInitializer? kernelInitializer = null,
        IInitializer? recurrentInitializer = null,
        IInitializer? biasInitializer = null,
        Rng? rng = null,
        string name = "gru")
    {
        ShapeCheck.Positive(inputSize, nameof(inputSize), "Gru");
        ShapeCheck.Positive(hiddenSize, nameof(hiddenSize), "Gru");
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        ReturnSequences = returnSequences;
        Name = name;
        int g3 = 3 * hiddenSize;
        WeightIh = new Parameter("weight_ih", g3, inputSize);
        WeightHh = new Parameter("weight_hh", g3, hiddenSize);
        BiasIh = new Parameter("bias_ih", g3);
        BiasHh = new Parameter("bias_hh", g3);
        _parameters = [WeightIh, WeightHh, BiasIh, BiasHh];
        _loop = new RecurrentLoop(this, Layout(inputSize, hiddenSize), returnSequences, "Gru");

        rng ??= new Rng(0);
        _loop.DropoutRng = rng;
        kernelInitializer ??= new GlorotUniform();
        recurrentInitializer ??= new Orthogonal();
        biasInitializer ??= new Zeros();
        kernelInitializer.Fill(WeightIh.Value, inputSize, g3, rng);
        recurrentInitializer.Fill(WeightHh.Value, hiddenSize, g3, rng);
        if (biasInitializer is Chrono chrono)
        {
            InitializeChrono(chrono.MaxSteps, rng.Fork());
        }
        else
        {
            biasInitializer.Fill(BiasIh.Value, inputSize, g3, rng);
            biasInitializer.Fill(BiasHh.Value, inputSize, g3, rng);
        }

        _options = GruLayer.Of(this, kernelInitializer, recurrentInitializer, biasInitializer);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>I, features per step.</summary>
    public int InputSize { get; }

    /// <summary>H, units.</summary>
    public int HiddenSize { get; }

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
    /// step; kept units are scaled by <c>1 / (1 − rate)</c>. The outputs, the state and the direct path <c>z·h_{t−1}</c> use the undropped h. 0, the default, turns it off; inference and
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
    /// product <c>dx = d·W_ih</c> and returns zeros. Parameter and initial-state gradients are unaffected.
    /// </summary>
    public bool ComputeInputGradient
    {
        get => _loop.ComputeInputGradient;
        set => _loop.ComputeInputGradient = value;
    }

    /// <summary><c>weight_ih [3H, I]</c>, gates r, z, n.</summary>
    public Parameter WeightIh { get; }

    /// <summary><c>weight_hh [3H, H]</c>, gates r, z, n.</summary>
    public Parameter WeightHh { get; }

    /// <summary><c>bias_ih [3H]</c>, gates r, z, n.</summary>
    public Parameter BiasIh { get; }

    /// <summary><c>bias_hh [3H]</c>, gates r, z, n (<c>b_hn</c> is inside the reset product).</summary>
    public Parameter BiasHh { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>
    /// The <see cref="GruLayer"/> that rebuilds this layer: the one it was built from, or its constructor's arguments
    /// (with <c>InputShape = [-1, InputSize]</c> and the initializers it used), with the current dropout rates.
    /// </summary>
    public GruLayer Options
    {
        get => _options with { Dropout = Dropout, RecurrentDropout = RecurrentDropout };
        internal set => _options = value;
    }

    LayerConfig? ILayer.Options => Options;

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
    /// Loads weights from <c>torch.nn.GRU</c> (one layer): <c>weight_ih_l0 [3H, I]</c>, <c>weight_hh_l0 [3H, H]</c>,
    /// <c>bias_ih_l0 [3H]</c>, <c>bias_hh_l0 [3H]</c>, copied as they are (same gate order r, z, n).
    /// </summary>
    /// <exception cref="ArgumentException">A tensor's shape differs from the one stated.</exception>
    public void CopyFromPyTorch(Tensor weightIh, Tensor weightHh, Tensor biasIh, Tensor biasHh)
    {
        ShapeCheck.Like(weightIh, WeightIh.Value, nameof(weightIh), "Gru.CopyFromPyTorch");
        ShapeCheck.Like(weightHh, WeightHh.Value, nameof(weightHh), "Gru.CopyFromPyTorch");
        ShapeCheck.Like(biasIh, BiasIh.Value, nameof(biasIh), "Gru.CopyFromPyTorch");
        ShapeCheck.Like(biasHh, BiasHh.Value, nameof(biasHh), "Gru.CopyFromPyTorch");
        WeightIh.Value.CopyFrom(weightIh);
        WeightHh.Value.CopyFrom(weightHh);
        BiasIh.Value.CopyFrom(biasIh);
        BiasHh.Value.CopyFrom(biasHh);
    }

    /// <summary>
    /// The weights as <c>torch.nn.GRU</c>'s state dict for one layer (copies): <c>weight_ih_l0</c>,
    /// <c>weight_hh_l0</c>, <c>bias_ih_l0</c>, <c>bias_hh_l0</c>.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> ToPyTorch() => new Dictionary<string, Tensor>
    {
        ["weight_ih_l0"] = WeightIh.Value.Clone(),
        ["weight_hh_l0"] = WeightHh.Value.Clone(),
        ["bias_ih_l0"] = BiasIh.Value.Clone(),
        ["bias_hh_l0"] = BiasHh.Value.Clone(),
    };

    /// <summary>
    /// Chrono initialisation (Tallec and Ollivier, 2018) carried to the GRU, whose update gate z plays the LSTM's
    /// forget gate (<c>h' = (1 − z)·n + z·h</c>): for each unit, with <c>u</c> uniform in [1, maxSteps − 1], the update
    /// gate's biases sum to <c>log u</c> (<c>bias_ih</c> takes it, <c>bias_hh</c> 0), so at the start units keep their
    /// state over time scales spread from 1 to <paramref name="maxSteps"/> steps.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">maxSteps is below 3.</exception>
    public void InitializeChrono(int maxSteps, Rng rng)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxSteps, 3);
        ArgumentNullException.ThrowIfNull(rng);
        int h = HiddenSize;
        for (int j = 0; j < h; j++)
        {
            BiasIh.Value.Span[h + j] = MathF.Log(1f + (rng.NextFloat() * (maxSteps - 2)));
            BiasHh.Value.Span[h + j] = 0f;
        }
    }

    /// <summary>A zero state <c>[batch, H]</c>.</summary>
    public Tensor ZeroState(int batch)
    {
        ShapeCheck.Positive(batch, nameof(batch), "Gru.ZeroState");
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
    /// Backward already ran after it (the backward pass overwrites the forward pass's gate activations).</exception>
    /// <exception cref="ArgumentException">A gradient's shape differs from the output or state it belongs to.</exception>
    public Tensor Backward(Tensor? dy, Tensor? dFinalH)
    {
        _loop.CheckBackward(dy, dFinalH);
        Tensor dx = _loop.RunBackward(dy, dFinalH);
        int i = InputSize, h = HiddenSize;
        Span<float> dWih = WeightIh.Grad.Span, dWhh = WeightHh.Grad.Span, dBih = BiasIh.Grad.Span, dBhh = BiasHh.Grad.Span;

        // Input block [3H, I + 1], rows n, r, z: row k is PyTorch's gate row (k + 2H) mod 3H; [dW_ih | db_ih].
        ReadOnlySpan<float> input = _loop.WeightGradient(0);
        for (int k = 0; k < 3 * h; k++)
        {
            int g = (k + (2 * h)) % (3 * h);
            ReadOnlySpan<float> row = input.Slice(k * (i + 1), i + 1);
            Span<float> w = dWih.Slice(g * i, i);
            System.Numerics.Tensors.TensorPrimitives.Add(w, row[..i], w);
            dBih[g] += row[i];
        }

        // Recurrent block [3H, H + 1], rows r, z, n as PyTorch's: [dW_hh | db_hh].
        ReadOnlySpan<float> recurrent = _loop.WeightGradient(1);
        for (int g = 0; g < 3 * h; g++)
        {
            ReadOnlySpan<float> row = recurrent.Slice(g * (h + 1), h + 1);
            Span<float> w = dWhh.Slice(g * h, h);
            System.Numerics.Tensors.TensorPrimitives.Add(w, row[..h], w);
            dBhh[g] += row[h];
        }

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
        RecurrentLoop.Unroll(inputs, initialState, ZeroState, Step, s => s, "Gru", out finalState);

    /// <summary>
    /// <c>xh = [x, 1, h, 1]</c>; gate blocks n_x, r, z, n_h. Per step, two products: <c>[x, 1]</c> by every block (n_h's
    /// part is zero), then <c>[h, 1]</c> by r, z and n_h added on — not one product of <c>[x, 1, h, 1]</c>, which would
    /// also multiply n_x's zero recurrent part (a quarter of the work; two products measured 15% faster). The input
    /// gradient and weights from the first three blocks against <c>[x, 1]</c>; the recurrent ones from the last three
    /// against <c>[h, 1]</c>, added to the direct <c>dh'·z</c>.
    /// </summary>
    private static RecurrentLayout Layout(int input, int hidden)
    {
        int g3 = 3 * hidden, g4 = 4 * hidden;
        var inputBlock = new WeightBlock(0, g3, 0, input + 1);
        var recurrentBlock = new WeightBlock(hidden, g3, input + 1, hidden + 1);
        return new RecurrentLayout(input, hidden, g4, input + 1, input + hidden + 2, [input, input + hidden + 1],
            [new WeightBlock(0, g4, 0, input + 1), recurrentBlock], inputBlock with { Columns = input }, recurrentBlock with { Columns = hidden },
            true, [inputBlock, recurrentBlock]);
    }

    /// <summary>
    /// The weights <c>[4H, I + H + 2]</c> against <c>[x, 1, h, 1]</c>: rows n_x <c>[W_in, b_in, 0, 0]</c>,
    /// r <c>[W_ir, b_ir, W_hr, b_hr]</c>, z <c>[W_iz, b_iz, W_hz, b_hz]</c>, n_h <c>[0, 0, W_hn, b_hn]</c>.
    /// </summary>
    void IRecurrentCell.FillWeights(Span<float> weights)
    {
        int i = InputSize, h = HiddenSize, ld = i + h + 2;
        ReadOnlySpan<float> wih = WeightIh.Value.Span, whh = WeightHh.Value.Span, bih = BiasIh.Value.Span, bhh = BiasHh.Value.Span;
        weights.Clear();
        for (int k = 0; k < 3 * h; k++)
        {
            // Input part of block k / H (n_x, r, z): PyTorch's gate row (k + 2H) mod 3H.
            int g = (k + (2 * h)) % (3 * h);
            Span<float> row = weights.Slice(k * ld, ld);
            wih.Slice(g * i, i).CopyTo(row);
            row[i] = bih[g];

            // Recurrent part of block k / H + 1 (r, z, n_h): PyTorch's gate row k.
            row = weights.Slice((k + h) * ld, ld);
            whh.Slice(k * h, h).CopyTo(row[(i + 1)..]);
            row[i + h + 1] = bhh[k];
        }
    }

    /// <summary>The fused cell update of one step.</summary>
    unsafe void IRecurrentCell.Forward(in RecurrentStep step) =>
        GruCell.Forward(Simd.Default, step.Gates, step.HPrev, step.HNext, step.Ld, step.Rows, HiddenSize);

    /// <summary>The cell backward of one step; leaves <c>dh'·z</c> in dh for the recurrent product to add to.</summary>
    unsafe void IRecurrentCell.Backward(in RecurrentStep step) =>
        GruCell.Backward(Simd.Default, step.Gates, step.HPrev, step.Ld, step.Dh, step.Gates, step.Rows, HiddenSize);
}
