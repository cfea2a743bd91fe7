using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>How <see cref="Bidirectional"/> combines its two directions at each step.</summary>
public enum BidirectionalMerge
{
    /// <summary><c>[forward, backward]</c> side by side: <c>2H</c> features (Keras's default, PyTorch's <c>bidirectional=True</c>).</summary>
    Concat,

    /// <summary><c>forward + backward</c>: <c>H</c> features.</summary>
    Sum,
}

/// <summary>
/// Runs one recurrent layer over the sequence as given and a second one over it reversed in time, and
/// merges their outputs: Keras's <c>Bidirectional(layer, merge_mode=...)</c>, PyTorch's
/// <c>bidirectional=True</c>. Input <c>[B, T, I]</c>; output <c>[B, T, ·]</c> with
/// <see cref="ReturnSequences"/>, where step t holds the forward layer's output after reading steps 0…t
/// and the backward layer's after reading steps T−1…t; otherwise <c>[B, ·]</c>, the forward layer's last
/// output with the backward layer's last (which has read the whole sequence from the end back to step 0).
/// </summary>
/// <remarks>
/// The two layers must be of the same size and agree on <see cref="IRecurrentLayer.ReturnSequences"/>; they
/// keep their own weights. Their parameters are this layer's, forward's first; checkpoints name them
/// <c>bidirectional.forward_lstm.weight_ih</c> and so on (see <see cref="ParameterName"/>).
/// </remarks>
public sealed class Bidirectional : IRecurrentLayer, IRandomLayer, IMaskedLayer
{
    private SequenceMask? _reversedMask; // [B, T]  the input mask with its steps in reverse order
    private readonly Parameter[] _parameters;
    private readonly Rng[] _randomSources;
    private Tensor? _reversed; // [B, T, I]  x with its steps in reverse order
    private Tensor? _output;   // [B, (T,) O]
    private Tensor? _dyForward;  // [B, (T,) H]
    private Tensor? _dyBackward; // [B, (T,) H], steps reversed
    private Tensor? _dx;       // [B, T, I]

    /// <summary>Wraps two layers of the same kind and size.</summary>
    /// <param name="forward">Reads the sequence in order.</param>
    /// <param name="backward">Reads the sequence last step first; a separate layer with its own weights.</param>
    /// <param name="merge">How the two outputs combine.</param>
    /// <param name="name">The layer name.</param>
    /// <exception cref="ArgumentException">The two layers differ in input size, hidden size or ReturnSequences, or are the same object.</exception>
    public Bidirectional(IRecurrentLayer forward, IRecurrentLayer backward, BidirectionalMerge merge = BidirectionalMerge.Concat, string name = "bidirectional")
    {
        ArgumentNullException.ThrowIfNull(forward);
        ArgumentNullException.ThrowIfNull(backward);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (ReferenceEquals(forward, backward))
        {
            throw new ArgumentException("Bidirectional: forward and backward are the same layer; give the backward direction its own layer (its own weights).", nameof(backward));
        }

        if (forward.InputSize != backward.InputSize || forward.OutputSize != backward.OutputSize || forward.ReturnSequences != backward.ReturnSequences)
        {
            throw new ArgumentException(
                $"Bidirectional: the two directions must match, but forward reads {forward.InputSize} features into {forward.OutputSize} (return sequences {forward.ReturnSequences}) and backward reads {backward.InputSize} into {backward.OutputSize} (return sequences {backward.ReturnSequences}).",
                nameof(backward));
        }

        if (forward.Name == backward.Name)
        {
            throw new ArgumentException($"Bidirectional: both directions are named '{forward.Name}'; name them apart (Keras's forward_lstm and backward_lstm), their weights are saved under those names.", nameof(backward));
        }

        if (!Enum.IsDefined(merge))
        {
            throw new ArgumentOutOfRangeException(nameof(merge), merge, "Bidirectional: merge must be Concat or Sum.");
        }

        ForwardLayer = forward;
        BackwardLayer = backward;
        Merge = merge;
        Name = name;
        _parameters = [.. forward.Parameters, .. backward.Parameters];
        _randomSources = [.. Sources(forward), .. Sources(backward)];
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The layer reading the sequence in order.</summary>
    public IRecurrentLayer ForwardLayer { get; }

    /// <summary>The layer reading the sequence reversed.</summary>
    public IRecurrentLayer BackwardLayer { get; }

    /// <summary>How the two outputs combine.</summary>
    public BidirectionalMerge Merge { get; }

    /// <inheritdoc/>
    public int InputSize => ForwardLayer.InputSize;

    /// <summary>H of each direction.</summary>
    public int HiddenSize => ForwardLayer.OutputSize;

    /// <summary>Features per step of the output: <c>2H</c> for <see cref="BidirectionalMerge.Concat"/>, <c>H</c> for <see cref="BidirectionalMerge.Sum"/>.</summary>
    public int OutputSize => Merge == BidirectionalMerge.Concat ? 2 * HiddenSize : HiddenSize;

    /// <inheritdoc/>
    public bool ReturnSequences => ForwardLayer.ReturnSequences;

    /// <inheritdoc/>
    public bool ComputeInputGradient
    {
        get => ForwardLayer.ComputeInputGradient;
        set
        {
            ForwardLayer.ComputeInputGradient = value;
            BackwardLayer.ComputeInputGradient = value;
        }
    }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>
    /// The <see cref="BidirectionalLayer"/> that rebuilds this layer, from its directions' options (Keras's default
    /// direction names left out, a <c>BackwardLayer</c> only when the backward direction differs); null when a
    /// direction has no options.
    /// </summary>
    public BidirectionalLayer? Options => BidirectionalLayer.Of(this);

    LayerConfig? ILayer.Options => Options;

    /// <summary>
    /// The forward direction's generators, then the backward direction's (of a direction that is an
    /// <see cref="IRandomLayer"/>); one object twice when the two share a generator.
    /// </summary>
    public IReadOnlyList<Rng> RandomSources => _randomSources;

    /// <summary>The checkpoint name of <paramref name="parameter"/>: <c>{direction's name}.{parameter's name}</c>, unique within this layer.</summary>
    /// <exception cref="ArgumentException">The parameter belongs to neither direction.</exception>
    public string ParameterName(Parameter parameter)
    {
        ILayer owner = ForwardLayer.Parameters.Contains(parameter) ? ForwardLayer
            : BackwardLayer.Parameters.Contains(parameter) ? BackwardLayer
            : throw new ArgumentException($"Bidirectional '{Name}': {parameter} is not one of its parameters.", nameof(parameter));
        return $"{owner.Name}.{parameter.Name}";
    }

    /// <summary>
    /// The sequence mask of the next Forward's input <c>[B, T]</c> (null: every step valid). The forward direction reads
    /// each sequence's valid steps in order; the backward direction reads them from the sequence's own last valid step
    /// back to its first (PyTorch's packed <c>bidirectional=True</c>). At a masked step each direction's output repeats
    /// its previous one in its own reading order — so after a sequence's end the forward half repeats its last valid
    /// output and the backward half is zero, as Keras's <c>Bidirectional</c> gives; PyTorch's <c>pad_packed_sequence</c>
    /// gives zeros in both halves there, and the same values at every valid step.
    /// </summary>
    public SequenceMask? InputMask { get; set; }

    /// <summary>The mask of the last output: the input's with <see cref="ReturnSequences"/>, none for the last step alone.</summary>
    public SequenceMask? OutputMask => ReturnSequences ? InputMask : null;

    /// <summary><c>x: [B, T, I]</c> → <c>[B, OutputSize]</c>, or <c>[B, T, OutputSize]</c> with <see cref="ReturnSequences"/>.</summary>
    /// <exception cref="ArgumentException">x is not <c>[batch, steps, InputSize]</c>.</exception>
    public Tensor Forward(Tensor x, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 3 || x.Dim(2) != InputSize)
        {
            throw ShapeCheck.Error(x, nameof(x), "Bidirectional", $"[batch, steps, {InputSize}]");
        }

        int b = x.Dim(0), t = x.Dim(1), h = HiddenSize, o = OutputSize;
        Tensor reversed = Buffers.Ensure(ref _reversed, b, t, InputSize);
        ReverseSteps(x.Span, reversed.Span, b, t, InputSize);
        SetMasks(b, t);
        Tensor yf = ForwardLayer.Forward(x, training);
        Tensor yb = BackwardLayer.Forward(reversed, training);
        Tensor y = ReturnSequences ? Buffers.Ensure(ref _output, b, t, o) : Buffers.Ensure(ref _output, b, o);
        int rows = ReturnSequences ? b * t : b;
        ReadOnlySpan<float> f = yf.Span, r = yb.Span;
        Span<float> ys = y.Span;
        for (int row = 0; row < rows; row++)
        {
            // Row (i, s) of the output pairs forward step s with backward step T − 1 − s, which read x from the end back to s.
            int back = ReturnSequences ? ((row / t) * t) + (t - 1 - (row % t)) : row;
            ReadOnlySpan<float> fr = f.Slice(row * h, h), br = r.Slice(back * h, h);
            if (Merge == BidirectionalMerge.Concat)
            {
                fr.CopyTo(ys.Slice(row * o, h));
                br.CopyTo(ys.Slice((row * o) + h, h));
            }
            else
            {
                TensorPrimitives.Add(fr, br, ys.Slice(row * o, h));
            }
        }

        return y;
    }

    /// <summary><c>dy</c> shaped like the last output → <c>dx [B, T, I]</c>; adds into both directions' parameter gradients.</summary>
    /// <exception cref="InvalidOperationException">No forward pass preceded this call.</exception>
    public Tensor Backward(Tensor dy)
    {
        if (_output is null || _reversed is null)
        {
            throw new InvalidOperationException("Bidirectional.Backward called before Forward.");
        }

        ShapeCheck.Same(dy, _output, nameof(dy), "Bidirectional");
        int b = _reversed.Dim(0), t = _reversed.Dim(1), h = HiddenSize, o = OutputSize, inputs = InputSize;
        Tensor dyf = ReturnSequences ? Buffers.Ensure(ref _dyForward, b, t, h) : Buffers.Ensure(ref _dyForward, b, h);
        Tensor dyb = ReturnSequences ? Buffers.Ensure(ref _dyBackward, b, t, h) : Buffers.Ensure(ref _dyBackward, b, h);
        int rows = ReturnSequences ? b * t : b, offset = Merge == BidirectionalMerge.Concat ? h : 0;
        ReadOnlySpan<float> d = dy.Span;
        Span<float> df = dyf.Span, db = dyb.Span;
        for (int row = 0; row < rows; row++)
        {
            int back = ReturnSequences ? ((row / t) * t) + (t - 1 - (row % t)) : row;
            d.Slice(row * o, h).CopyTo(df.Slice(row * h, h));
            d.Slice((row * o) + offset, h).CopyTo(db.Slice(back * h, h));
        }

        Tensor dxf = ForwardLayer.Backward(dyf);
        Tensor dxb = BackwardLayer.Backward(dyb);
        Tensor dx = Buffers.Ensure(ref _dx, b, t, inputs);
        if (!ComputeInputGradient)
        {
            dx.Fill(0f);
            return dx;
        }

        // dx = dx_forward + (dx_backward with its steps put back in order)
        ReverseSteps(dxb.Span, dx.Span, b, t, inputs);
        TensorPrimitives.Add(dx.Span, dxf.Span, dx.Span);
        return dx;
    }

    /// <summary>Gives the forward direction <see cref="InputMask"/> and the backward direction the same mask reversed in time.</summary>
    private void SetMasks(int batch, int steps)
    {
        SequenceMask? mask = InputMask is { IsFull: false } m ? m : null;
        if (mask is not null && (mask.Batch != batch || mask.Steps != steps))
        {
            throw new ArgumentException($"Bidirectional: the mask is [{mask.Batch}, {mask.Steps}] but x has {batch} sequences of {steps} steps; give one mask entry per sequence and step.");
        }

        SequenceMask? reversed = null;
        if (mask is not null)
        {
            reversed = _reversedMask ??= new SequenceMask(batch, steps);
            reversed.Reset(batch, steps);
            for (int i = 0; i < batch; i++)
            {
                for (int s = 0; s < steps; s++)
                {
                    reversed.Set(i, steps - 1 - s, mask.IsValid(i, s));
                }
            }

            reversed.Seal();
        }

        SetMask(ForwardLayer, mask);
        SetMask(BackwardLayer, reversed);
    }

    private static void SetMask(IRecurrentLayer direction, SequenceMask? mask)
    {
        if (direction is IMaskedLayer masked)
        {
            masked.InputMask = mask;
        }
        else if (mask is not null)
        {
            throw new NotSupportedException($"Bidirectional: its direction '{direction.Name}' ({direction.GetType().Name}) does not take a sequence mask; use Recur's Lstm, Gru or SimpleRnn, or train without a mask.");
        }
    }

    private static IReadOnlyList<Rng> Sources(IRecurrentLayer direction) => direction is IRandomLayer random ? random.RandomSources : [];

    /// <summary>Copies <c>[B, T, F]</c> with every sequence's steps in reverse order.</summary>
    private static void ReverseSteps(ReadOnlySpan<float> source, Span<float> destination, int batch, int steps, int features)
    {
        for (int i = 0; i < batch; i++)
        {
            for (int s = 0; s < steps; s++)
            {
                source.Slice(((i * steps) + s) * features, features)
                    .CopyTo(destination.Slice(((i * steps) + (steps - 1 - s)) * features, features));
            }
        }
    }
}
