using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recur.Initializers;
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
/// <see cref="RecurrentLayer.ReturnSequences"/>; optional initial state <c>[B, H]</c>; the final state is kept in <see cref="RecurrentLayer{TState}.FinalState"/>.
/// <para>With <c>layerNorm: true</c> the two products are each layer-normalised over their 3H units before the biases
/// (Ba, Kiros and Hinton 2016, §3.3, carried to the GRU), and PyTorch's reset placement is kept — r multiplies the whole
/// normalised recurrent part of the candidate, its bias <c>b_hn</c> included:
/// <code>
/// a_x = LN(W_ih·x; α_ih, β_ih) + b_ih,   a_h = LN(W_hh·h; α_hh, β_hh) + b_hh     (each [3H]: r, z, n)
/// r  = σ(a_x,r + a_h,r)
/// z  = σ(a_x,z + a_h,z)
/// n  = tanh(a_x,n + r ⊙ a_h,n)
/// h' = (1 − z) ⊙ n + z ⊙ h
/// </code>
/// with <c>LN(v; α, β) = α ⊙ (v − mean(v)) / √(var(v) + ε) + β</c>; the gains (<c>ln_ih_gain</c>, <c>ln_hh_gain</c>
/// <c>[3H]</c>) start at 1, the shifts (<c>ln_ih_shift</c>, <c>ln_hh_shift</c>) at 0. There is no cell state to normalise;
/// h' is a convex mix of n and h, both bounded. torch.nn has no such module: <see cref="RecurrentLayer.ToPyTorch"/> and
/// <see cref="RecurrentLayer.CopyFromPyTorch"/> refuse the layer.</para>
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
/// <see cref="RecurrentLayer.Backward(Tensor)"/>.</para>
/// </remarks>
public sealed class Gru : RecurrentLayer<Tensor>
{
    /// <summary>Creates the layer and initialises its weights.</summary>
    /// <param name="inputSize">I, features per step; positive.</param>
    /// <param name="hiddenSize">H, units; positive.</param>
    /// <param name="returnSequences">Return every step's output <c>[B, T, H]</c> instead of the last <c>[B, H]</c>.</param>
    /// <param name="kernelInitializer">For <c>weight_ih</c>; Glorot uniform when null.</param>
    /// <param name="recurrentInitializer">For <c>weight_hh</c>; orthogonal when null.</param>
    /// <param name="biasInitializer">For <c>bias_ih</c> and <c>bias_hh</c>; zeros when null; <see cref="Chrono"/> runs <see cref="InitializeChrono"/> with a fork of <paramref name="rng"/>.</param>
    /// <param name="rng">The random source for initialisation, kept for the dropout masks of <see cref="RecurrentLayer.Dropout"/> and <see cref="RecurrentLayer.RecurrentDropout"/> (drawn from only while a rate is above 0); <c>new Rng(0)</c> when null.</param>
    /// <param name="name">The layer name.</param>
    /// <param name="layerNorm">Layer-normalise the cell (<see cref="RecurrentLayer.LayerNorm"/>; the equations are in the summary).</param>
    /// <param name="layerNormEpsilon">ε of the normalisations, finite and above 0 (default 1e-3, as Lstm's); read only with <paramref name="layerNorm"/>.</param>
    public Gru(
        int inputSize,
        int hiddenSize,
        bool returnSequences = false,
        IInitializer? kernelInitializer = null,
        IInitializer? recurrentInitializer = null,
        IInitializer? biasInitializer = null,
        Rng? rng = null,
        string name = "gru",
        bool layerNorm = false,
        float layerNormEpsilon = 1e-3f)
        : base(StateParts.Hidden, inputSize, hiddenSize, 3 * hiddenSize, ["bias_ih", "bias_hh"], layerNorm ? NormalizedLayout : Layout, returnSequences, name,
            layerNorm ? NormParameters(hiddenSize) : null)
    {
        if (layerNorm)
        {
            LayerNormEpsilon = CheckLayerNormEpsilon(layerNormEpsilon);
        }

        (IInitializer kernel, IInitializer recurrent, IInitializer bias) = Initialize(kernelInitializer, recurrentInitializer, biasInitializer, rng, InitializeChrono);
        CurrentOptions = GruLayer.Of(this, kernel, recurrent, bias);
    }

    /// <summary><c>bias_ih [3H]</c>, gates r, z, n.</summary>
    public Parameter BiasIh => Biases[0];

    /// <summary><c>bias_hh [3H]</c>, gates r, z, n (<c>b_hn</c> is inside the reset product).</summary>
    public Parameter BiasHh => Biases[1];

    /// <summary>The <see cref="GruLayer"/> that rebuilds this layer: the one it was built from, or its constructor's arguments and the initializers it used, with the current dropout rates.</summary>
    public GruLayer Options
    {
        get => (GruLayer)CurrentOptions;
        internal set => CurrentOptions = value;
    }

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

        MarkWeightsChanged();
    }

    /// <summary>
    /// The two gradient blocks into the parameters: the input block <c>[3H, I + 1]</c> (rows n_x, r, z) into
    /// <c>[dW_ih | db_ih]</c>, the recurrent block <c>[3H, H + 1]</c> (rows r, z, n_h) into <c>[dW_hh | db_hh]</c>.
    /// </summary>
    private protected override void AddWeightGradients()
    {
        if (LayerNorm)
        {
            base.AddWeightGradients();
            return;
        }

        int i = InputSize, h = HiddenSize;
        Span<float> dWih = WeightIh.Grad.Span, dWhh = WeightHh.Grad.Span, dBih = BiasIh.Grad.Span, dBhh = BiasHh.Grad.Span;

        // Input block [3H, I + 1], rows n, r, z: row k is PyTorch's gate row (k + 2H) mod 3H; [dW_ih | db_ih].
        ReadOnlySpan<float> input = Loop.WeightGradient(0);
        for (int k = 0; k < 3 * h; k++)
        {
            int g = (k + (2 * h)) % (3 * h);
            ReadOnlySpan<float> row = input.Slice(k * (i + 1), i + 1);
            Span<float> w = dWih.Slice(g * i, i);
            TensorPrimitives.Add(w, row[..i], w);
            dBih[g] += row[i];
        }

        // Recurrent block [3H, H + 1], rows r, z, n as PyTorch's: [dW_hh | db_hh].
        ReadOnlySpan<float> recurrent = Loop.WeightGradient(1);
        for (int g = 0; g < 3 * h; g++)
        {
            ReadOnlySpan<float> row = recurrent.Slice(g * (h + 1), h + 1);
            Span<float> w = dWhh.Slice(g * h, h);
            TensorPrimitives.Add(w, row[..h], w);
            dBhh[g] += row[h];
        }
    }

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
    private protected override void FillWeights(Span<float> weights)
    {
        if (LayerNorm)
        {
            base.FillWeights(weights);
            return;
        }

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
    private protected override unsafe void CellForward(in RecurrentStep step)
    {
        if (LayerNorm)
        {
            LayerNormCell.GruForward(Simd.Default, step.Gates, LayerNormCell.GruGates(HiddenSize), step.HPrev, step.HNext, step.Ld, step.Rows, HiddenSize, NormPointers());
        }
        else
        {
            GruCell.Forward(Simd.Default, step.Gates, step.HPrev, step.HNext, step.Ld, step.Rows, HiddenSize);
        }
    }

    /// <summary>The cell backward of one step; leaves <c>dh'·z</c> in dh for the recurrent product to add to.</summary>
    private protected override unsafe void CellBackward(in RecurrentStep step)
    {
        if (!LayerNorm)
        {
            GruCell.Backward(Simd.Default, step.Gates, step.HPrev, step.Ld, step.Dh, step.Gates, step.Rows, HiddenSize);
            return;
        }

        fixed (float* accumulators = NormGradients.Data)
        {
            LayerNormCell.GruBackward(Simd.Default, step.Gates, LayerNormCell.GruGates(HiddenSize), step.HPrev, step.Ld, step.Dh,
                accumulators + (step.Row0 * (nint)LayerNormCell.GruAccumulators(HiddenSize)), step.Rows, HiddenSize, NormPointers());
        }
    }

    /// <summary>The layer-normalised cell's layout: p_x and p_h apart in 3H gate columns each (gates r, z, n), then the cell's own (LayerNormCell.cs).</summary>
    private static RecurrentLayout NormalizedLayout(int input, int hidden) =>
        RecurrentLayout.Normalized(input, hidden, 3 * hidden, LayerNormCell.GruGates(hidden), true);

    /// <summary>The gains (ones) and shifts (zeros) of the input and recurrent normalisations.</summary>
    private static (string, int, float)[] NormParameters(int hidden) =>
        [("ln_ih_gain", 3 * hidden, 1f), ("ln_ih_shift", 3 * hidden, 0f), ("ln_hh_gain", 3 * hidden, 1f), ("ln_hh_shift", 3 * hidden, 0f)];
}
