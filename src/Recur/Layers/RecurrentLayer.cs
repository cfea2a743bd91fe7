using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recur.Initializers;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// What <see cref="Lstm"/>, <see cref="Gru"/> and <see cref="SimpleRnn"/> share that does not depend on the type of
/// their state: sizes, dropout rates, the input-gradient switch, the weights and their PyTorch form, and the time
/// loop (RecurrentLoop.cs) that runs them. The state-typed half — initial and final state, Step, Unroll — is
/// <see cref="RecurrentLayer{TState}"/>; hold a layer as <c>RecurrentLayer</c> to set its rates or move its weights
/// without knowing whether its state is <c>h</c> or <c>(h, c)</c>.
/// </summary>
/// <remarks>
/// <para>Every layer has PyTorch's <c>weight_ih [G, I]</c> and <c>weight_hh [G, H]</c> (G = 4H for an LSTM, gates i, f, g,
/// o; 3H for a GRU, r, z, n; H for a simple RNN) and either one bias <c>[G]</c> (<c>bias</c>, TensorFlow's and Keras's:
/// an LSTM, a simple RNN) or PyTorch's two (<c>bias_ih</c>, <c>bias_hh</c>: a GRU, where <c>b_hn</c> sits inside the
/// reset product). <see cref="Parameters"/> are these, in that order.</para>
/// <para>The constructor is <c>private protected</c>: the layers derive from this class to share their code, and a
/// new kind needs the internal loop and cell interfaces, so outside this assembly it is a type to hold layers by,
/// not to derive from.</para>
/// </remarks>
public abstract class RecurrentLayer : IRecurrentLayer, IRandomLayer, IRecurrentCell, IMaskedLayer
{
    private readonly Parameter[] _parameters;
    private readonly Parameter[] _biases;
    private readonly Parameter[] _norms;
    private readonly RecurrentLoop _loop;
    private readonly Rng[] _randomSources = [null!];
    private RecurrentLayerConfig _options = null!;
    private Tensor? _normGradients; // [B, K]  a layer-normalised cell's: per row, its gains' and shifts' gradients summed over the steps
    private Tensor? _normTotals;    // [K]     their sum over the rows

    /// <summary>
    /// Checks the sizes (messages name the derived type) and creates the loop and the parameters, uninitialised:
    /// the derived constructor finishes its own checks, then calls <see cref="Initialize"/>.
    /// </summary>
    /// <param name="inputSize">I, features per step; positive.</param>
    /// <param name="hiddenSize">H, units; positive.</param>
    /// <param name="gateRows">G, rows of <c>weight_ih</c>, <c>weight_hh</c> and of each bias.</param>
    /// <param name="biasNames">The biases' names: <c>["bias"]</c> (one, PyTorch's two summed) or <c>["bias_ih", "bias_hh"]</c>.</param>
    /// <param name="layout">How the loop lays out the step's products (a function of I and H: no check has run yet).</param>
    /// <param name="returnSequences">Return every step's output.</param>
    /// <param name="name">The layer name.</param>
    /// <param name="norms">The gains and shifts of a layer-normalised cell, by name, length and initial value, after the biases; none otherwise.</param>
    private protected RecurrentLayer(int inputSize, int hiddenSize, int gateRows, string[] biasNames, Func<int, int, RecurrentLayout> layout,
        bool returnSequences, string name, (string Name, int Length, float Value)[]? norms = null)
    {
        TypeName = GetType().Name;
        ShapeCheck.Positive(inputSize, nameof(inputSize), TypeName);
        ShapeCheck.Positive(hiddenSize, nameof(hiddenSize), TypeName);
        InputSize = inputSize;
        HiddenSize = hiddenSize;
        ReturnSequences = returnSequences;
        Name = name;
        WeightIh = new Parameter("weight_ih", gateRows, inputSize);
        WeightHh = new Parameter("weight_hh", gateRows, hiddenSize);
        _biases = Array.ConvertAll(biasNames, bias => norms is null ? new Parameter(bias, gateRows) : Parameter.Pinned(bias, gateRows));
        _norms = Array.ConvertAll(norms ?? [], norm =>
        {
            var parameter = Parameter.Pinned(norm.Name, norm.Length);
            parameter.Value.Fill(norm.Value);
            return parameter;
        });
        _parameters = [WeightIh, WeightHh, .. _biases, .. _norms];
        _loop = new RecurrentLoop(this, layout(inputSize, hiddenSize), returnSequences, TypeName);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>I, features per step.</summary>
    public int InputSize { get; }

    /// <summary>H, units.</summary>
    public int HiddenSize { get; }

    /// <summary>Whether <see cref="Forward(Tensor, bool)"/> returns every step <c>[B, T, H]</c> rather than the last <c>[B, H]</c>.</summary>
    public bool ReturnSequences { get; }

    /// <summary>
    /// Keras's <c>dropout</c>: in training, the fraction of input features dropped before the input product, with one
    /// dropout mask per sequence and feature <c>[B, I]</c> drawn per forward pass and used at every step (variational
    /// dropout, Gal and Ghahramani 2016); kept features are scaled by <c>1 / (1 − rate)</c>. 0, the default, turns it
    /// off; inference and <c>Step</c> never drop.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in [0, 1).</exception>
    public float Dropout
    {
        get => _loop.Dropout;
        set => _loop.Dropout = value;
    }

    /// <summary>
    /// Keras's <c>recurrent_dropout</c>: in training, the fraction of the units of <c>h_{t−1}</c> dropped where it enters
    /// the recurrent product <c>W_hh·h_{t−1}</c>, with one dropout mask <c>[B, H]</c> drawn per forward pass and used at
    /// every step; kept units are scaled by <c>1 / (1 − rate)</c>. The outputs and the state use the undropped h (so do
    /// an LSTM's cell state and a GRU's direct path <c>z·h_{t−1}</c>). 0, the default, turns it off; inference and
    /// <c>Step</c> never drop.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in [0, 1).</exception>
    public float RecurrentDropout
    {
        get => _loop.RecurrentDropout;
        set => _loop.RecurrentDropout = value;
    }

    /// <summary>
    /// Whether Backward computes the gradient with respect to the input (default true). A first layer, whose input is
    /// data, needs none: set this to false there and Backward skips the product <c>dx = dz·W_ih</c>
    /// (<c>2·T·B·G·I</c> operations) and returns zeros. Parameter and initial-state gradients are unaffected.
    /// </summary>
    public bool ComputeInputGradient
    {
        get => _loop.ComputeInputGradient;
        set => _loop.ComputeInputGradient = value;
    }

    /// <summary>
    /// The sequence mask of the next Forward's input, <c>[B, T]</c> (null: every step valid), with Keras's semantics: each
    /// sequence runs over its valid steps only, in order, so a masked step leaves the state — h and an LSTM's c — as it
    /// was; with <see cref="ReturnSequences"/> the output at a masked step repeats the previous output (zeros before a
    /// sequence's first valid step), and the last-step output and <c>FinalState</c> are each sequence's state after its
    /// last valid step. <c>SequenceMask.FromLengths</c> gives PyTorch's <c>pack_padded_sequence</c>: the same outputs
    /// at valid steps, the same final state, the same gradients. The work follows the valid steps: a step runs only the
    /// sequences still within their length (the rows are sorted by length inside), so a batch of half-length sequences
    /// costs about half. Set by the model before every Forward; stays set until changed.
    /// </summary>
    public SequenceMask? InputMask { get; set; }

    /// <summary>The mask of the last output: the input's with <see cref="ReturnSequences"/>, none for the last step alone.</summary>
    public SequenceMask? OutputMask => ReturnSequences ? InputMask : null;

    /// <summary>
    /// Whether the cell is layer-normalised (Ba, Kiros and Hinton 2016): the input and the recurrent products each
    /// normalised over their gate units before they are added (and an LSTM's cell state before its output tanh), with
    /// gains and shifts of their own among <see cref="Parameters"/>. The layer's remarks give its equations.
    /// </summary>
    public bool LayerNorm => _norms.Length > 0;

    /// <summary>ε of the layer normalisations (added to the variance under the square root); 0 without <see cref="LayerNorm"/>.</summary>
    public float LayerNormEpsilon { get; private protected init; }

    /// <summary><c>weight_ih [G, I]</c>, PyTorch's layout and gate order (see the remarks).</summary>
    public Parameter WeightIh { get; }

    /// <summary><c>weight_hh [G, H]</c>, PyTorch's layout and gate order (see the remarks).</summary>
    public Parameter WeightHh { get; }

    /// <summary><see cref="WeightIh"/>, <see cref="WeightHh"/>, then the bias or the two biases, then a layer-normalised cell's gains and shifts.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>The generator of the dropout masks (the one given to the constructor), drawn from only in training passes with a rate above 0.</summary>
    public IReadOnlyList<Rng> RandomSources => _randomSources;

    /// <summary>The time loop, for tests (its dropout masks).</summary>
    internal RecurrentLoop Loop => _loop;

    /// <summary>The layer's type name, for messages (<c>Lstm</c>).</summary>
    private protected string TypeName { get; }

    /// <summary>The biases, <c>[G]</c> each: one, or PyTorch's two.</summary>
    private protected IReadOnlyList<Parameter> Biases => _biases;

    /// <summary>
    /// The options record that rebuilds this layer (<see cref="ILayer.Options"/>; typed, each layer's <c>Options</c>):
    /// the one it was built from, or its constructor's arguments (with <c>InputShape = [-1, InputSize]</c> and the
    /// initializers it used), with the current dropout rates. Set once by the constructor, or by the record that built it.
    /// </summary>
    private protected RecurrentLayerConfig CurrentOptions
    {
        get => _options with { Dropout = Dropout, RecurrentDropout = RecurrentDropout };
        set => _options = value;
    }

    /// <summary><c>x: [B, T, I] → [B, H]</c>, or <c>[B, T, H]</c> with <see cref="ReturnSequences"/>, from a zero state (owned by the layer).</summary>
    /// <exception cref="ArgumentException">x is not <c>[batch, steps, InputSize]</c> with at least one of each.</exception>
    public abstract Tensor Forward(Tensor x, bool training = false);

    /// <summary><c>dy</c> shaped like the last output → <c>dx [B, T, I]</c> (owned by the layer); adds into the parameter gradients.</summary>
    /// <exception cref="InvalidOperationException">No forward pass with <c>training: true</c> preceded this call, or
    /// Backward already ran after it (the backward pass overwrites the forward pass's gate activations).</exception>
    public abstract Tensor Backward(Tensor dy);

    /// <summary>
    /// Loads weights from the PyTorch module of one layer (<c>torch.nn.LSTM</c>, <c>GRU</c>, <c>RNN</c> with the same
    /// nonlinearity): <c>weight_ih_l0 [G, I]</c> and <c>weight_hh_l0 [G, H]</c> are copied, gate order being the same;
    /// a layer with one bias takes <c>bias = bias_ih_l0 + bias_hh_l0</c>, a GRU both as they are (each <c>[G]</c>).
    /// </summary>
    /// <exception cref="ArgumentException">A tensor's shape differs from the one stated.</exception>
    /// <exception cref="NotSupportedException">The layer is layer-normalised: torch.nn's modules have no such cell.</exception>
    public void CopyFromPyTorch(Tensor weightIh, Tensor weightHh, Tensor biasIh, Tensor biasHh)
    {
        string where = TypeName + ".CopyFromPyTorch";
        ThrowIfLayerNorm(where);
        ShapeCheck.Like(weightIh, WeightIh.Value, nameof(weightIh), where);
        ShapeCheck.Like(weightHh, WeightHh.Value, nameof(weightHh), where);
        ShapeCheck.Like(biasIh, _biases[0].Value, nameof(biasIh), where);
        ShapeCheck.Like(biasHh, _biases[^1].Value, nameof(biasHh), where);
        WeightIh.Value.CopyFrom(weightIh);
        WeightHh.Value.CopyFrom(weightHh);
        if (_biases.Length == 2)
        {
            _biases[0].Value.CopyFrom(biasIh);
            _biases[1].Value.CopyFrom(biasHh);
        }
        else
        {
            TensorPrimitives.Add(biasIh.Span, biasHh.Span, _biases[0].Value.Span);
        }

        MarkWeightsChanged();
    }

    /// <summary>
    /// The weights as the PyTorch module's state dict for one layer (copies): <c>weight_ih_l0</c>, <c>weight_hh_l0</c>,
    /// <c>bias_ih_l0</c> and <c>bias_hh_l0</c> — for a layer with one bias, <c>bias_ih_l0 = bias</c> and <c>bias_hh_l0 = 0</c>.
    /// </summary>
    /// <exception cref="NotSupportedException">The layer is layer-normalised: torch.nn's modules have no such cell.</exception>
    public IReadOnlyDictionary<string, Tensor> ToPyTorch()
    {
        ThrowIfLayerNorm(TypeName + ".ToPyTorch");
        return new Dictionary<string, Tensor>
        {
            ["weight_ih_l0"] = WeightIh.Value.Clone(),
            ["weight_hh_l0"] = WeightHh.Value.Clone(),
            ["bias_ih_l0"] = _biases[0].Value.Clone(),
            ["bias_hh_l0"] = _biases.Length == 2 ? _biases[1].Value.Clone() : new Tensor(WeightIh.Value.Dim(0)),
        };
    }

    /// <summary>Throws, naming the layer and <paramref name="where"/>, when the cell is layer-normalised.</summary>
    /// <exception cref="NotSupportedException">The layer is layer-normalised.</exception>
    private protected void ThrowIfLayerNorm(string where)
    {
        if (LayerNorm)
        {
            throw new NotSupportedException(
                $"{where}: layer '{Name}' is layer-normalised, which torch.nn.{(TypeName == "Gru" ? "GRU" : "LSTM")} cannot express; save it with ModelFile (safetensors) instead.");
        }
    }

    /// <summary>Throws unless <paramref name="epsilon"/> is finite and above 0; the message names the layer type.</summary>
    /// <exception cref="ArgumentOutOfRangeException">It is not.</exception>
    private protected float CheckLayerNormEpsilon(float epsilon) =>
        float.IsFinite(epsilon) && epsilon > 0f
            ? epsilon
            : throw new ArgumentOutOfRangeException("layerNormEpsilon", epsilon,
                $"{TypeName}: layerNormEpsilon is added to the variance under the square root and must be finite and above 0 (1e-3 by default); received {epsilon}.");

    /// <summary>Pointers to the gains, shifts and biases of a layer-normalised cell, all pinned (<see cref="Parameter.Pinned"/>), and ε.</summary>
    private protected unsafe NormWeights NormPointers() => new(
        PointerTo(_norms[0]), PointerTo(_norms[1]), PointerTo(_norms[2]), PointerTo(_norms[3]),
        _norms.Length > 4 ? PointerTo(_norms[4]) : null, _norms.Length > 4 ? PointerTo(_norms[5]) : null,
        PointerTo(_biases[0]), _biases.Length > 1 ? PointerTo(_biases[1]) : null, LayerNormEpsilon);

    /// <summary>
    /// A layer-normalised cell's per-row accumulators of its gains' and shifts' gradients, <c>[B, K]</c> with K the
    /// parameters' total length (in the order the constructor named them), zeroed for a backward pass.
    /// </summary>
    private protected Tensor BeginNormGradients()
    {
        int k = 0;
        foreach (Parameter p in _norms)
        {
            k += p.Value.Length;
        }

        Tensor accumulators = Buffers.Ensure(ref _normGradients, _loop.Batch, k);
        accumulators.Fill(0f);
        return accumulators;
    }

    /// <summary>The accumulators of <see cref="BeginNormGradients"/> (during a backward pass).</summary>
    private protected Tensor NormGradients => _normGradients!;

    /// <summary>
    /// Adds the accumulators' rows, summed in row order, into the gains' and shifts' gradients, and each bias's gradient
    /// (the gradient of the pre-activation it is added to, which is its shift's: an LSTM's bias the input shift's, a
    /// GRU's <c>bias_ih</c> and <c>bias_hh</c> the input and recurrent shifts').
    /// </summary>
    private protected void AddNormGradients()
    {
        Tensor accumulators = _normGradients!;
        int rows = accumulators.Dim(0), k = accumulators.Dim(1);
        Span<float> total = Buffers.Ensure(ref _normTotals, k).Span;
        total.Clear();
        for (int r = 0; r < rows; r++)
        {
            TensorPrimitives.Add(total, accumulators.Span.Slice(r * k, k), total);
        }

        int offset = 0;
        for (int n = 0; n < _norms.Length; n++)
        {
            Span<float> grad = _norms[n].Grad.Span, sum = total.Slice(offset, grad.Length);
            TensorPrimitives.Add(grad, sum, grad);
            if (n % 2 == 1 && n / 2 < _biases.Length)
            {
                Span<float> bias = _biases[n / 2].Grad.Span;
                TensorPrimitives.Add(bias, sum, bias);
            }

            offset += grad.Length;
        }
    }

    private static unsafe float* PointerTo(Parameter p) => (float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(p.Value.Data));

    /// <summary>
    /// Initialises the weights from <paramref name="rng"/> (<c>new Rng(0)</c> when null), in this order: weight_ih by the
    /// kernel initializer (Glorot uniform when null), weight_hh by the recurrent one (orthogonal), each bias by the bias
    /// one (zeros) — or, for a <see cref="Chrono"/> bias and a layer that gives <paramref name="chrono"/> (its
    /// <c>InitializeChrono</c>), that with a fork of the generator; and keeps the generator for the dropout masks.
    /// Returns the initializers used, for the layer's options.
    /// </summary>
    private protected (IInitializer Kernel, IInitializer Recurrent, IInitializer Bias) Initialize(
        IInitializer? kernelInitializer, IInitializer? recurrentInitializer, IInitializer? biasInitializer, Rng? rng, Action<int, Rng>? chrono = null)
    {
        rng ??= new Rng(0);
        _loop.DropoutRng = rng;
        _randomSources[0] = rng;
        kernelInitializer ??= new GlorotUniform();
        recurrentInitializer ??= new Orthogonal();
        biasInitializer ??= new Zeros();
        int gates = WeightIh.Value.Dim(0);
        kernelInitializer.Fill(WeightIh.Value, InputSize, gates, rng);
        recurrentInitializer.Fill(WeightHh.Value, HiddenSize, gates, rng);
        if (biasInitializer is Chrono time && chrono is not null)
        {
            chrono(time.MaxSteps, rng.Fork());
        }
        else
        {
            foreach (Parameter b in _biases)
            {
                biasInitializer.Fill(b.Value, InputSize, gates, rng);
            }
        }

        return (kernelInitializer, recurrentInitializer, biasInitializer);
    }

    /// <summary>
    /// The sum of the parameters' <see cref="Parameter.Version"/>s: changes whenever one of them is marked changed, so
    /// the streaming step's packed weights (RecurrentLoop.StepGates) know when to pack again.
    /// </summary>
    private protected long WeightsVersion
    {
        get
        {
            long version = 0;
            foreach (Parameter p in _parameters)
            {
                version += p.Version;
            }

            return version;
        }
    }

    /// <summary>Marks every parameter changed (<see cref="Parameter.MarkChanged"/>), after the layer wrote its weights.</summary>
    private protected void MarkWeightsChanged()
    {
        foreach (Parameter p in _parameters)
        {
            p.MarkChanged();
        }
    }

    /// <summary>
    /// Adds the weight gradients of the last backward pass (<see cref="RecurrentLoop.WeightGradient"/>) into the
    /// parameters: by default one block <c>d[W_ih, W_hh, bias]</c>, a <see cref="RecurrentLayout.Stacked"/> layout's, or for a
    /// layer-normalised cell <c>dW_ih</c> and <c>dW_hh</c> apart (<see cref="RecurrentLayout.Normalized"/>) and the gains', shifts' and biases'.
    /// </summary>
    private protected virtual void AddWeightGradients()
    {
        if (LayerNorm)
        {
            StackedWeights.AddGradientsApart(_loop, WeightIh, WeightHh);
            AddNormGradients();
        }
        else
        {
            StackedWeights.AddGradients(_loop.WeightGradient(0), WeightIh, WeightHh, _biases[0]);
        }
    }

    /// <summary>
    /// Writes the weights as the layout lays them out (<see cref="IRecurrentCell.FillWeights"/>): by default
    /// <c>[W_ih, W_hh, bias] [G, I + H + 1]</c>, a <see cref="RecurrentLayout.Stacked"/> layout's, or a layer-normalised
    /// cell's <see cref="RecurrentLayout.Normalized"/> one.
    /// </summary>
    private protected virtual void FillWeights(Span<float> weights)
    {
        if (LayerNorm)
        {
            StackedWeights.FillApart(weights, WeightIh, WeightHh);
        }
        else
        {
            StackedWeights.Fill(weights, WeightIh, WeightHh, _biases[0]);
        }
    }

    /// <summary>The cell's forward of one step (<see cref="IRecurrentCell.Forward"/>).</summary>
    private protected abstract void CellForward(in RecurrentStep step);

    /// <summary>The cell's backward of one step (<see cref="IRecurrentCell.Backward"/>).</summary>
    private protected abstract void CellBackward(in RecurrentStep step);

    /// <inheritdoc/>
    LayerConfig? ILayer.Options => CurrentOptions;

    /// <inheritdoc/>
    void IRecurrentCell.FillWeights(Span<float> weights) => FillWeights(weights);

    /// <inheritdoc/>
    void IRecurrentCell.Forward(in RecurrentStep step) => CellForward(step);

    /// <inheritdoc/>
    void IRecurrentCell.Backward(in RecurrentStep step) => CellBackward(step);
}
