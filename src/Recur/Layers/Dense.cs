using Recur.Initializers;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// A fully connected layer, <c>y = x·Wᵀ + b</c>, with PyTorch's layout: <c>weight [out, in]</c>,
/// <c>bias [out]</c>. Applied to <c>[B, in] → [B, out]</c>, or to every step of a sequence
/// <c>[B, T, in] → [B, T, out]</c> (the tutorials' input projection before the LSTM).
/// </summary>
/// <remarks>
/// Keras's <c>Dense</c> kernel is <c>[in, out]</c>, the transpose of <see cref="Weight"/>.
/// Default initialisation is PyTorch's <c>nn.Linear</c>: uniform(±1/√in) for both tensors.
/// </remarks>
public sealed class Dense : IMaskedLayer
{
    private readonly Parameter[] _parameters;
    private Tensor? _input;
    private Tensor? _output;
    private Tensor? _inputGrad;
    private DenseLayer _options;

    /// <summary>Creates the layer and initialises its weights.</summary>
    /// <param name="inFeatures">Input features (last axis of the input); positive.</param>
    /// <param name="outFeatures">Output features; positive.</param>
    /// <param name="useBias">Whether to add a bias.</param>
    /// <param name="weightInitializer">Initialiser of <see cref="Weight"/>; PyTorch's uniform(±1/√in) when null.</param>
    /// <param name="biasInitializer">Initialiser of <see cref="Bias"/>; PyTorch's uniform(±1/√in) when null.</param>
    /// <param name="rng">The random source for initialisation; <c>new Rng(0)</c> when null.</param>
    /// <param name="name">The layer name.</param>
    public Dense(
        int inFeatures,
        int outFeatures,
        bool useBias = true,
        IInitializer? weightInitializer = null,
        IInitializer? biasInitializer = null,
        Rng? rng = null,
        string name = "dense")
    {
        ShapeCheck.Positive(inFeatures, nameof(inFeatures), "Dense");
        ShapeCheck.Positive(outFeatures, nameof(outFeatures), "Dense");
        InFeatures = inFeatures;
        OutFeatures = outFeatures;
        Name = name;
        Weight = new Parameter("weight", outFeatures, inFeatures);
        Bias = useBias ? new Parameter("bias", outFeatures) : null;
        _parameters = Bias is null ? [Weight] : [Weight, Bias];

        rng ??= new Rng(0);
        weightInitializer ??= new TorchUniform();
        biasInitializer ??= new TorchUniform();
        weightInitializer.Fill(Weight.Value, inFeatures, outFeatures, rng);
        if (Bias is not null)
        {
            biasInitializer.Fill(Bias.Value, inFeatures, outFeatures, rng);
        }

        _options = DenseLayer.Of(this, weightInitializer, biasInitializer);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>Input features.</summary>
    public int InFeatures { get; }

    /// <summary>Output features.</summary>
    public int OutFeatures { get; }

    /// <summary><c>weight [out, in]</c>.</summary>
    public Parameter Weight { get; }

    /// <summary><c>bias [out]</c>, or null when the layer has none.</summary>
    public Parameter? Bias { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>
    /// The <see cref="DenseLayer"/> that rebuilds this layer: the one it was built from, or its constructor's arguments
    /// (with <c>InputDim</c> = <see cref="InFeatures"/> and the initializers it used).
    /// </summary>
    public DenseLayer Options
    {
        get => _options;
        internal set => _options = value;
    }

    LayerConfig? ILayer.Options => Options;

    /// <summary>The mask of the next <see cref="Forward"/>'s input (see <see cref="IMaskedLayer.InputMask"/>); null when every step is valid.</summary>
    public SequenceMask? InputMask { get; set; }

    /// <summary>The last <see cref="Forward"/>'s input mask when its input was a sequence <c>[B, T, in]</c>; null for <c>[B, in]</c> or no mask.</summary>
    public SequenceMask? OutputMask { get; private set; }

    /// <summary><c>x: [B, in] → [B, out]</c>, or <c>[B, T, in] → [B, T, out]</c>.</summary>
    /// <exception cref="ArgumentException">The last axis of <paramref name="x"/> is not <see cref="InFeatures"/>.</exception>
    public Tensor Forward(Tensor x, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank is not (2 or 3) || x.Dim(-1) != InFeatures)
        {
            throw ShapeCheck.Error(x, nameof(x), "Dense", $"[batch, {InFeatures}] or [batch, steps, {InFeatures}]");
        }

        OutputMask = MaskFlow.PassOn(InputMask, x, "Dense");
        int rows = x.Length / InFeatures;
        Tensor y = x.Rank == 2
            ? Buffers.Ensure(ref _output, x.Dim(0), OutFeatures)
            : Buffers.Ensure(ref _output, x.Dim(0), x.Dim(1), OutFeatures);

        Span<float> ys = y.Span;
        if (Bias is not null)
        {
            for (int r = 0; r < rows; r++)
            {
                Bias.Value.Span.CopyTo(ys.Slice(r * OutFeatures, OutFeatures));
            }
        }

        // y[rows, out] = x[rows, in] · W[out, in]ᵀ (+ y holding the bias)
        Gemm.Multiply(false, true, rows, OutFeatures, InFeatures, 1f,
            x.Span, InFeatures, Weight.Value.Span, InFeatures, Bias is null ? 0f : 1f, ys, OutFeatures);
        _input = x;
        return y;
    }

    /// <summary><c>dy</c> shaped like the last output → <c>dx</c> shaped like the last input; adds into the gradients.</summary>
    /// <exception cref="InvalidOperationException">No forward pass preceded this call.</exception>
    public Tensor Backward(Tensor dy)
    {
        Tensor x = _input ?? throw new InvalidOperationException("Dense.Backward called before Forward.");
        ShapeCheck.Same(dy, _output!, nameof(dy), "Dense");
        int rows = x.Length / InFeatures;
        Tensor dx = x.Rank == 2
            ? Buffers.Ensure(ref _inputGrad, x.Dim(0), InFeatures)
            : Buffers.Ensure(ref _inputGrad, x.Dim(0), x.Dim(1), InFeatures);

        // dW[out, in] += dy[rows, out]ᵀ · x[rows, in]
        Gemm.Multiply(true, false, OutFeatures, InFeatures, rows, 1f,
            dy.Span, OutFeatures, x.Span, InFeatures, 1f, Weight.Grad.Span, InFeatures);
        if (Bias is not null)
        {
            Buffers.AddRowsInto(dy.Span, rows, OutFeatures, Bias.Grad.Span);
        }

        // dx[rows, in] = dy[rows, out] · W[out, in]
        Gemm.Multiply(false, false, rows, InFeatures, OutFeatures, 1f,
            dy.Span, OutFeatures, Weight.Value.Span, InFeatures, 0f, dx.Span, InFeatures);
        return dx;
    }
}
