using System.Globalization;
using Recur.Initializers;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// A lookup table of token vectors, PyTorch's <c>nn.Embedding(num_embeddings, embedding_dim, padding_idx)</c> and
/// Keras's <c>Embedding(input_dim, output_dim, mask_zero)</c>: token ids <c>[B, T] → [B, T, OutputDim]</c>, row
/// <c>id</c> of <see cref="Weight"/> for each id.
/// </summary>
/// <remarks>
/// <para><b>Token ids are floats holding whole numbers</b> (exact up to 2²⁴ = 16,777,216, far above any vocabulary
/// here), so ids travel as every other input does — one <see cref="Tensor"/> type through <c>Sequential</c>, its batches,
/// safetensors and .npy files. An id that is not a whole number in <c>[0, InputDim)</c> is refused with its position.</para>
/// <para><see cref="PaddingIdx"/> is PyTorch's <c>padding_idx</c>: that row starts at zero and gets no gradient (it
/// still returns whatever the row holds). <see cref="MaskZero"/> is Keras's <c>mask_zero</c>: id 0 is padding, and
/// <see cref="OutputMask"/> marks its steps masked for the layers after; id 0 is then reserved, so
/// <see cref="InputDim"/> counts it (a vocabulary of 1000 words takes <c>InputDim = 1001</c>). The two may be combined
/// (<c>MaskZero</c> with <c>PaddingIdx = 0</c>).</para>
/// <para>The weight is <c>weight [InputDim, OutputDim]</c> as <c>nn.Embedding</c> names and lays it out (Keras's
/// <c>embeddings</c>, the same layout). Default initialisation is PyTorch's, N(0, 1); <see cref="EmbeddingLayer"/> has
/// Keras's, U(−0.05, 0.05).</para>
/// </remarks>
public sealed class Embedding : IMaskedLayer
{
    private readonly Parameter[] _parameters;
    private readonly IInitializer _initializer;
    private Tensor? _ids;        // [B, T]  the last forward's input
    private Tensor? _output;     // [B, T, D]
    private Tensor? _inputGrad;  // [B, T]  always zeros
    private SequenceMask? _mask; // [B, T]  MaskZero's mask, reused from batch to batch

    /// <summary>Creates the layer and initialises its weight.</summary>
    /// <param name="inputDim">The vocabulary size: ids are in <c>[0, inputDim)</c>; positive.</param>
    /// <param name="outputDim">The size of each token's vector; positive.</param>
    /// <param name="maskZero">Keras's <c>mask_zero</c>: id 0 is padding and masks its step.</param>
    /// <param name="paddingIdx">PyTorch's <c>padding_idx</c>: that row starts at zero and is not trained; negative counts from the end (−1 is the last row); null for none.</param>
    /// <param name="initializer">Initialiser of <see cref="Weight"/>; PyTorch's N(0, 1) when null.</param>
    /// <param name="rng">The random source for initialisation; <c>new Rng(0)</c> when null.</param>
    /// <param name="name">The layer name.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is not positive, or <paramref name="paddingIdx"/> is not in <c>[−inputDim, inputDim)</c>.</exception>
    public Embedding(
        int inputDim,
        int outputDim,
        bool maskZero = false,
        int? paddingIdx = null,
        IInitializer? initializer = null,
        Rng? rng = null,
        string name = "embedding")
    {
        ShapeCheck.Positive(inputDim, nameof(inputDim), "Embedding");
        ShapeCheck.Positive(outputDim, nameof(outputDim), "Embedding");
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (paddingIdx is int p && (p < -inputDim || p >= inputDim))
        {
            throw new ArgumentOutOfRangeException(
                nameof(paddingIdx), p, string.Create(CultureInfo.InvariantCulture, $"Embedding: paddingIdx must be a row of the table, in [{-inputDim}, {inputDim}) for inputDim {inputDim}; received {p}."));
        }

        InputDim = inputDim;
        OutputDim = outputDim;
        MaskZero = maskZero;
        PaddingIdx = paddingIdx is int q && q < 0 ? q + inputDim : paddingIdx;
        Name = name;
        Weight = new Parameter("weight", inputDim, outputDim);
        _parameters = [Weight];
        _initializer = initializer ?? new RandomNormal(0f, 1f);
        _initializer.Fill(Weight.Value, rng ?? new Rng(0)); // fans by PyTorch's rule: fanIn = OutputDim
        if (PaddingIdx is int row)
        {
            Weight.Value.Span.Slice(row * outputDim, outputDim).Clear();
        }
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The vocabulary size: ids are in <c>[0, InputDim)</c>.</summary>
    public int InputDim { get; }

    /// <summary>The size of each token's vector.</summary>
    public int OutputDim { get; }

    /// <summary>Whether id 0 is padding that masks its step (Keras's <c>mask_zero</c>).</summary>
    public bool MaskZero { get; }

    /// <summary>The row that starts at zero and gets no gradient (PyTorch's <c>padding_idx</c>, made non-negative as PyTorch stores it), or null.</summary>
    public int? PaddingIdx { get; }

    /// <summary><c>weight [InputDim, OutputDim]</c>: row <c>id</c> is token <c>id</c>'s vector.</summary>
    public Parameter Weight { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>The <see cref="EmbeddingLayer"/> that rebuilds this layer, with the initializer it was built with.</summary>
    public LayerConfig Options => new EmbeddingLayer(InputDim, OutputDim, MaskZero, PaddingIdx) { Name = Name, EmbeddingsInitializer = _initializer };

    /// <summary>The mask of the next <see cref="Forward"/>'s input <c>[B, T]</c>, or null; combined with <see cref="MaskZero"/>'s.</summary>
    public SequenceMask? InputMask { get; set; }

    /// <summary>
    /// The mask of the last <see cref="Forward"/>'s output <c>[B, T]</c>: with <see cref="MaskZero"/>, a step is valid
    /// when its id is not 0 and it is valid in <see cref="InputMask"/> (a mask the layer owns and reuses); without, the
    /// input mask.
    /// </summary>
    public SequenceMask? OutputMask { get; private set; }

    /// <summary><c>x: [B, T]</c> token ids → <c>[B, T, OutputDim]</c>, a buffer owned by the layer.</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not <c>[B, T]</c>, an id is not a whole number in <c>[0, InputDim)</c>, or (with <see cref="MaskZero"/>) a sequence is all padding.</exception>
    public Tensor Forward(Tensor x, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2)
        {
            throw ShapeCheck.Error(x, nameof(x), $"Embedding '{Name}'", "[batch, steps] of token ids");
        }

        int batch = x.Dim(0), steps = x.Dim(1), d = OutputDim;
        if (InputMask is { } incoming)
        {
            MaskFlow.Check(incoming, x, "Embedding", Name);
        }

        Tensor y = Buffers.Ensure(ref _output, batch, steps, d);
        ReadOnlySpan<float> ids = x.Span;
        ReadOnlySpan<float> table = Weight.Value.Span;
        Span<float> ys = y.Span;
        for (int i = 0; i < ids.Length; i++)
        {
            table.Slice(Id(ids[i], i, steps) * d, d).CopyTo(ys.Slice(i * d, d));
        }

        OutputMask = MaskZero ? MaskOfZeros(ids, batch, steps) : InputMask;
        _ids = x;
        return y;
    }

    /// <summary>
    /// <c>dy [B, T, OutputDim]</c> → zeros <c>[B, T]</c> (ids have no gradient); adds each step's <c>dy</c> into its
    /// id's row of <see cref="Weight"/>'s gradient, steps in order (deterministic), except <see cref="PaddingIdx"/>'s.
    /// </summary>
    /// <exception cref="InvalidOperationException">No forward pass preceded this call.</exception>
    public Tensor Backward(Tensor dy)
    {
        Tensor x = _ids ?? throw new InvalidOperationException("Embedding.Backward called before Forward.");
        ShapeCheck.Same(dy, _output!, nameof(dy), "Embedding");
        int d = OutputDim;
        int padding = PaddingIdx ?? -1;
        ReadOnlySpan<float> ids = x.Span;
        ReadOnlySpan<float> g = dy.Span;
        Span<float> grad = Weight.Grad.Span;
        for (int i = 0; i < ids.Length; i++)
        {
            int id = (int)ids[i];
            if (id != padding)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(grad.Slice(id * d, d), g.Slice(i * d, d), grad.Slice(id * d, d));
            }
        }

        Tensor dx = Buffers.Ensure(ref _inputGrad, x.Dim(0), x.Dim(1));
        dx.Span.Clear();
        return dx;
    }

    /// <summary>The row of id <paramref name="value"/> at flat position <paramref name="index"/>, checked.</summary>
    private int Id(float value, int index, int steps)
    {
        if (value >= 0f && value < InputDim && value == MathF.Floor(value))
        {
            return (int)value;
        }

        throw new ArgumentException(
            string.Create(CultureInfo.InvariantCulture, $"Embedding '{Name}': x[{index / steps}, {index % steps}] is {value}, but a token id must be a whole number in [0, {InputDim}); ")
            + (value >= InputDim && value == MathF.Floor(value)
                ? "raise InputDim to the vocabulary size (plus one for the padding id 0 with MaskZero), or map rarer tokens to an out-of-vocabulary id."
                : "give each token's index in the vocabulary, as a whole number (ids travel as floats)."),
            "x");
    }

    /// <summary>MaskZero's mask: a step is valid when its id is not 0 and the input mask (if any) has it valid.</summary>
    private SequenceMask MaskOfZeros(ReadOnlySpan<float> ids, int batch, int steps)
    {
        _mask ??= new SequenceMask(batch, steps);
        _mask.Reset(batch, steps);
        SequenceMask? incoming = InputMask;
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                if (ids[(b * steps) + t] == 0f || (incoming is not null && !incoming.IsValid(b, t)))
                {
                    _mask.Set(b, t, false);
                }
            }
        }

        try
        {
            _mask.Seal();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException($"Embedding '{Name}' (MaskZero): {e.Message}", "x", e);
        }

        return _mask;
    }
}
