using System.Runtime.CompilerServices;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// The time loops of <see cref="Lstm"/>, <see cref="Gru"/> and <see cref="SimpleRnn"/>, split across threads
/// (<see cref="Threading.MaxThreads"/>): everything a recurrent layer does except its cell and the layout of its
/// weights, which it supplies as an <see cref="IRecurrentCell"/> and a <see cref="RecurrentLayout"/>.
/// </summary>
/// <remarks>
/// <para>Each step's input and previous output sit side by side in one buffer with a column of ones (two for a
/// GRU), <c>xh [T + 1, B, Width]</c>, so a step is one product with the weights and the biases side by side
/// (<c>[W_ih, W_hh, bias] [G, I + H + 1]</c> for an LSTM), and the weight gradients are one product over all
/// steps per <see cref="WeightBlock"/> (<c>d[W_ih, W_hh, bias] = dzᵀ·xh</c> for an LSTM). Inside, the sequence
/// is time-major <c>[T, B, ·]</c>, so each step is one contiguous slab.</para>
/// <para>A forward pass is one parallel phase, in shards of the batch: each thread runs the whole sequence
/// for its rows, with no barrier per step (rows of a batch never meet in these layers). Per step it forms
/// <c>gates = xh_t·weightsᵀ</c> for its rows, with the weights packed once per pass and shared, then the
/// fused cell update while the step's gate rows are still in cache. (DESIGN.md's input projection hoisted
/// out of the loop as one product over all T·B rows measured slower for the LSTM: its output, 7 MiB for the
/// tutorial's shape, went out to L3 and came back a step at a time, and its depth of I = 28 kept the
/// micro-kernel mostly loading and storing C.)</para>
/// <para>A backward pass is two: (1) the recurrence in shards of the batch, the cell backward writing the
/// gate gradients over what the forward cell kept, then <c>dh_{t−1} (+)= dz·W_hh</c> with W_hh packed once;
/// (2) the weight gradients, each block one product over all T·B rows, in blocks of gate rows, and
/// <c>dx = dz·W_ih</c> in blocks of T·B rows.</para>
/// <para>No element depends on how the work is split, so results are bit-identical for every thread count.
/// <c>Forward(training: false)</c> keeps one step of gates and two of <c>xh</c> instead of all, and cannot be
/// followed by a backward pass.</para>
/// <para>There is one forward recurrence and one backward recurrence, generic over an <see cref="IStepOperand"/>, a
/// readonly struct that says what a step puts into its product and how the recurrent and input gradients come back,
/// so the JIT compiles each variant apart with its calls inlined. <see cref="PlainOperand"/> is the path above. With
/// <see cref="Dropout"/> or <see cref="RecurrentDropout"/> above 0, a training pass runs <see cref="DropoutOperand"/>
/// (Keras's variational dropout, Gal and Ghahramani 2016): one dropout mask per pass, <c>dropoutMaskX [B, I]</c> and
/// <c>dropoutMaskH [B, H]</c>, the same at every step; the operand holds <c>[x_t·dropoutMaskX, h_{t−1}·dropoutMaskH, 1]</c>,
/// while the cell reads and writes the undropped <c>h</c> in a history of its own, <c>states [T + 1, B, H]</c>, which
/// also gives the outputs. Where h's history lives (the operand itself or <c>states</c>) is set once per pass in
/// <see cref="Begin"/>. Rates of 0 run the plain path, bit for bit as before.</para>
/// <para>The seam is meant to carry the next variants without a third copy of the recurrence. Sequence masking (per-row
/// lengths: a masked step keeps the state, h and the cell's own, and repeats the previous output; its gate gradients are
/// zero) composes with dropout, so it comes as a second type parameter beside the operand — which rows run at a step,
/// all of them or those still within their length — with the cell told to keep a row's state. Reading backwards
/// (Keras's <c>go_backwards</c>, a Bidirectional without its reversed copy) is the index of x and y that step s reads
/// and writes, <c>T − 1 − s</c> instead of s. "Mask" alone in this code is left for sequence masks; dropout's are
/// always "dropout masks".</para>
/// </remarks>
internal sealed class RecurrentLoop : IParallelWork
{
    /// <summary>
    /// Inputs of at most this many features form the input gradient <c>dx = dz·W_ih</c> by dot products: a
    /// product only 4 or fewer columns wide would waste most of a 32-column micro-kernel. (Elsewhere the
    /// inputs are a few more columns of <c>xh</c>, which cost nothing special.)
    /// </summary>
    internal const int SmallInput = 4;

    /// <summary>The smallest shard of the batch worth a thread of its own: one AVX-512 micro-panel.</summary>
    private const int MinRowsPerShard = 8;

    /// <summary>The smallest block of T·B rows (or of gate rows) worth a thread in the phase after the time loop.</summary>
    private const int MinRowsPerBlock = 64;

    private readonly IRecurrentCell _cell;
    private readonly RecurrentLayout _layout;
    private readonly string _layer;
    private readonly PackedMatrix[] _packedForward;         // per forward block, its transpose [Columns, Gates]
    private readonly PackedMatrix _packedRecurrent = new(); // the recurrent block [Gates, H], backward
    private readonly PackedMatrix[] _streamPacked;          // per forward block, as _packedForward, for StepGates
    private readonly Tensor?[] _weightGrads;                // per gradient block [Gates, Columns], of one backward pass

    // Forward caches, time-major. B, T: the batch and steps of the last forward call.
    private Tensor? _gates;     // [T, B, G]  what each step's cell kept; after backward, the gradients of the pre-activations
    private Tensor? _xh;        // [T + 1, B, Width]  row block s: the operand of step s (h_{-1} = h0; block T holds
                                //             h_{T-1} after an unused x part)
    private Tensor? _stepGates; // [B, G]          inference: one step's gates
    private Tensor? _stepXh;    // [2, B, Width]   inference: the operands of the current and the next step
    private Tensor _runGates = null!, _runXh = null!; // the set the last forward pass used
    private Tensor? _output;    // [B, H] or [B, T, H]
    private Tensor? _finalH;    // [B, H]
    private Tensor? _weights;   // [G, Width]  the weights the last forward pass used
    private Tensor? _inputWeightsT; // [I, InputBlock.Gates]  the input block transposed, for the input gradient of small inputs
    private bool _historyKept;  // whether the last forward pass kept every step for backward
    private bool _gatesHoldGradients;

    // The streaming step's (StepGates): its weights, packed at _streamVersion, and one step's buffers.
    private Tensor? _streamWeights; // [G, Width]
    private long _streamVersion = -1;
    private Tensor? _streamXh;      // [B, Width]
    private Tensor? _streamGates;   // [B, G]

    // Backward buffers.
    private Tensor? _dh;        // [B, H]
    private Tensor? _dxTime;    // [T, B, I]
    private Tensor? _dx;        // [B, T, I]
    private Tensor? _initialStateGrad; // [B, H]

    // Where h's history lives in the last forward pass: the operand buffer itself (its h columns), or the states of dropout.
    private Tensor _runHistory = null!;
    private int _historyLd, _historyColumn; // its row stride and the column of h in a row

    // Variational dropout (training only, when a rate is above 0 or the dropout masks are fixed).
    private float _dropout, _recurrentDropout;
    private bool _dropoutOn;           // whether the last forward pass applied dropout masks
    private Tensor? _dropoutMaskX;     // [B, I]  0 or 1 / (1 − Dropout), every step of the pass
    private Tensor? _dropoutMaskH;     // [B, H]  0 or 1 / (1 − RecurrentDropout), every step of the pass
    private Tensor? _states;           // [T + 1, B, H]  undropped h: block s is h_{s−1} (block 0 is h0)
    private Tensor? _dhRecurrent;      // [B, H]  backward: dz·W_hh of one step, before its dropout mask

    // Sequence masking (Keras's mask, PyTorch's lengths), of the last forward pass. Inside a masked pass the rows are
    // the sequences sorted by their count of valid steps, longest first (ties by batch index), and step s of a row is
    // its s-th valid step ("compact" step), so the rows that run at step s are always the first _active[s].
    private bool _masked;              // whether the last forward pass ran under a mask that is not full
    private int[] _order = [];         // [B]  row r holds sequence _order[r]
    private int[] _lengths = [];       // [B]  valid steps of row r
    private int[] _active = [];        // [T]  rows that run at compact step s (a prefix of the rows)
    private int[] _packedStart = [];   // [T + 1]  valid (step, row) pairs before compact step s: PyTorch's packed offsets
    private int[] _workStart = [];     // [B + 1]  valid steps of rows [0, r): where the forward shards are cut
    private int[]? _times;             // [B, T]  the time of x that row r's compact step s reads; null when every sequence's valid steps are its first
    private Tensor? _maskedDropoutX;   // [B, I]  the dropout masks in row order, in a masked pass
    private Tensor? _maskedDropoutH;   // [B, H]

    private Phase _phase;
    private Tensor? _input;     // the x of the running forward pass
    private Tensor? _dy;        // the dy of the running backward pass

    /// <summary>Creates the loop of a layer.</summary>
    /// <param name="cell">The layer's cell and weights.</param>
    /// <param name="layout">How the step's product is laid out.</param>
    /// <param name="returnSequences">Whether the output is every step's <c>h</c> rather than the last.</param>
    /// <param name="layer">The layer's type name, for messages (<c>Lstm</c>).</param>
    public RecurrentLoop(IRecurrentCell cell, RecurrentLayout layout, bool returnSequences, string layer)
    {
        _cell = cell;
        _layout = layout;
        _layer = layer;
        ReturnSequences = returnSequences;
        _weightGrads = new Tensor?[layout.GradientBlocks.Length];
        _packedForward = new PackedMatrix[layout.ForwardBlocks.Length];
        _streamPacked = new PackedMatrix[layout.ForwardBlocks.Length];
        for (int k = 0; k < _packedForward.Length; k++)
        {
            _packedForward[k] = new PackedMatrix();
            _streamPacked[k] = new PackedMatrix();
        }
    }

    private enum Phase
    {
        RecurForward,
        RecurBackward,
        Weights,
    }

    /// <summary>B of the last forward pass.</summary>
    public int Batch { get; private set; }

    /// <summary>T of the last forward pass.</summary>
    public int Steps { get; private set; }

    /// <summary>Whether the output is <c>[B, T, H]</c> rather than <c>[B, H]</c>.</summary>
    public bool ReturnSequences { get; }

    /// <summary>Whether backward forms the input gradient (else it returns zeros).</summary>
    public bool ComputeInputGradient { get; set; } = true;

    /// <summary>Whether the last forward pass kept every step (training).</summary>
    public bool HistoryKept => _historyKept;

    /// <summary>Keras's <c>dropout</c>: the fraction of input features dropped in training, in [0, 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in [0, 1).</exception>
    public float Dropout
    {
        get => _dropout;
        set => _dropout = CheckRate(value, nameof(Dropout), "input features");
    }

    /// <summary>Keras's <c>recurrent_dropout</c>: the fraction of <c>h_{t−1}</c>'s units dropped from the recurrent product in training, in [0, 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not in [0, 1).</exception>
    public float RecurrentDropout
    {
        get => _recurrentDropout;
        set => _recurrentDropout = CheckRate(value, nameof(RecurrentDropout), "units of the previous state in the recurrent product");
    }

    /// <summary>The source of the dropout masks; drawn from only in training passes with a rate above 0.</summary>
    public Rng DropoutRng { get; set; } = new Rng(0);

    /// <summary>
    /// Tests: dropout masks to use in every training pass instead of drawing them, <c>[B, I]</c> and <c>[B, H]</c>
    /// (null for ones), already scaled; the pass then takes the dropout path whatever the rates. Null to draw.
    /// </summary>
    internal (Tensor? Input, Tensor? Recurrent)? FixedDropoutMasks { get; set; }

    /// <summary>The input dropout mask <c>[B, I]</c> of the last forward pass, or null when it applied none.</summary>
    internal Tensor? InputDropoutMask => _dropoutOn ? _dropoutMaskX : null;

    /// <summary>The recurrent dropout mask <c>[B, H]</c> of the last forward pass, or null when it applied none.</summary>
    internal Tensor? RecurrentDropoutMask => _dropoutOn ? _dropoutMaskH : null;

    /// <summary>The last step's <c>h</c> of the last forward pass <c>[B, H]</c> (owned by the loop).</summary>
    public Tensor FinalH => _finalH ?? throw new InvalidOperationException($"{_layer}.FinalState read before Forward.");

    /// <summary>The gradient with respect to the initial <c>h</c> <c>[B, H]</c>, set by a backward pass.</summary>
    public Tensor InitialStateGradient =>
        _initialStateGrad ?? throw new InvalidOperationException($"{_layer}.InitialStateGradient read before Backward.");

    private bool IsSmallInput => _layout.Input <= SmallInput;

    /// <summary>The β of forward block <paramref name="k"/>'s product: the first overwrites, the others add (or each overwrites its own columns).</summary>
    private float ProductBeta(int k) => k == 0 || _layout.ProductsApart ? 0f : 1f;

    /// <summary>The gradient of gradient block <paramref name="block"/> from the last backward pass <c>[Gates, Columns]</c>.</summary>
    public ReadOnlySpan<float> WeightGradient(int block) => _weightGrads[block]!.Span;

    /// <summary>Throws unless <paramref name="x"/> is <c>[B, T, I]</c> with B, T ≥ 1; returns B and T.</summary>
    /// <exception cref="ArgumentException">The shape differs.</exception>
    public (int Batch, int Steps) CheckInput(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 3 || x.Dim(2) != _layout.Input)
        {
            throw ShapeCheck.Error(x, nameof(x), _layer, $"[batch, steps, {_layout.Input}]");
        }

        if (x.Dim(0) == 0 || x.Dim(1) == 0)
        {
            throw new ArgumentException($"{_layer}: x has shape {Tensor.FormatShape(x.Shape)}; it needs at least one sequence of at least one step.", nameof(x));
        }

        return (x.Dim(0), x.Dim(1));
    }

    /// <summary>
    /// Throws unless <paramref name="state"/> is <c>[batch, H]</c>; the message names <paramref name="name"/> and
    /// its <paramref name="part"/> if any (<c>initialState.H</c> for "H"). Allocates nothing unless it throws.
    /// </summary>
    /// <exception cref="ArgumentException">The shape differs.</exception>
    public void CheckState(Tensor state, int batch, string name, string? part = null)
    {
        ArgumentNullException.ThrowIfNull(state, name);
        if (!state.HasShape(batch, _layout.Hidden))
        {
            throw ShapeCheck.Error(state, name, _layer, $"[{batch}, {_layout.Hidden}] (batch, hidden)" + (part is null ? "" : $" for {name}.{part}"));
        }
    }

    /// <summary>
    /// Sets up a forward pass of <paramref name="x"/> <c>[B, T, I]</c> from <paramref name="h0"/> <c>[B, H]</c>
    /// (zeros when null): the buffers, and h0 into the first operand block. Call after every check has passed;
    /// then set up the cell's own state and call <see cref="RunForward"/>.
    /// </summary>
    public void Begin(Tensor x, Tensor? h0, bool training, SequenceMask? mask = null)
    {
        int b = x.Dim(0), t = x.Dim(1), h = _layout.Hidden, g = _layout.Gates, ld = _layout.Width, hc = _layout.HiddenColumn;
        Batch = b;
        Steps = t;
        BeginMask(mask, b, t);
        _historyKept = training;
        _runGates = training ? Buffers.Ensure(ref _gates, t, b, g) : Buffers.Ensure(ref _stepGates, b, g);
        _runXh = training ? Buffers.Ensure(ref _xh, t + 1, b, ld) : Buffers.Ensure(ref _stepXh, 2, b, ld);
        Buffers.Ensure(ref _finalH, b, h);
        if (ReturnSequences)
        {
            Buffers.Ensure(ref _output, b, t, h);
        }
        else
        {
            Buffers.Ensure(ref _output, b, h);
        }

        _gatesHoldGradients = false;
        _dropoutOn = training && (_dropout > 0f || _recurrentDropout > 0f || FixedDropoutMasks is not null);
        (_runHistory, _historyLd, _historyColumn) = (_runXh, ld, hc);
        if (_dropoutOn)
        {
            // h0 goes into the undropped history; each step writes its dropped copy into the operand.
            BeginDropoutMasks(b);
            OrderDropoutMasks();
            (_runHistory, _historyLd, _historyColumn) = (Buffers.Ensure(ref _states, t + 1, b, h), h, 0);
        }

        Span<float> history = _runHistory.Span;
        for (int i = 0; i < b; i++)
        {
            Span<float> row = history.Slice((i * _historyLd) + _historyColumn, h);
            if (h0 is null)
            {
                row.Clear();
            }
            else
            {
                h0.Span.Slice(Sequence(i) * h, h).CopyTo(row);
            }
        }
    }

    /// <summary>The sequence of the batch that row <paramref name="row"/> of the time-major buffers holds.</summary>
    private int Sequence(int row) => _masked ? _order[row] : row;

    /// <summary>Valid steps of row <paramref name="row"/> (T without a mask).</summary>
    private int LengthOf(int row) => _masked ? _lengths[row] : Steps;

    /// <summary>The time of x that row <paramref name="row"/>'s compact step <paramref name="step"/> reads.</summary>
    private int TimeOf(int row, int step) => _times is null ? step : _times[(row * Steps) + step];

    /// <summary>The time after compact step <paramref name="step"/>'s own up to which its output is repeated: the next valid step's time, or T after the last.</summary>
    private int NextTime(int row, int step) => step + 1 < LengthOf(row) ? TimeOf(row, step + 1) : Steps;

    /// <summary>
    /// Sets up the mask of a pass of <paramref name="batch"/> sequences of <paramref name="steps"/> steps: none when
    /// <paramref name="mask"/> is null or full (the plain pass, bit for bit); otherwise the rows sorted by valid steps,
    /// the rows active at each compact step, and, for a mask whose valid steps are not each sequence's first, the time
    /// each compact step reads.
    /// </summary>
    private void BeginMask(SequenceMask? mask, int batch, int steps)
    {
        _masked = mask is not null && !mask.IsFull;
        if (!_masked)
        {
            _times = null;
            return;
        }

        if (mask!.Batch != batch || mask.Steps != steps)
        {
            throw new ArgumentException(
                $"{_layer}: the mask is [{mask.Batch}, {mask.Steps}] but x has {batch} sequences of {steps} steps; give one mask entry per sequence and step.", "mask");
        }

        EnsureLength(ref _order, batch);
        EnsureLength(ref _lengths, batch);
        EnsureLength(ref _active, steps);
        EnsureLength(ref _packedStart, steps + 1);
        EnsureLength(ref _workStart, batch + 1);
        ReadOnlySpan<int> lengths = mask.Lengths;

        // Sort by length, longest first, ties by index: a counting sort over lengths, stable, allocation-free.
        Span<int> active = _active.AsSpan(0, steps);
        active.Clear();
        for (int i = 0; i < batch; i++)
        {
            active[lengths[i] - 1]++; // for now: how many sequences have exactly this length
        }

        int next = 0;
        for (int len = steps; len >= 1; len--)
        {
            int count = active[len - 1];
            active[len - 1] = next; // the first row of this length
            next += count;
        }

        for (int i = 0; i < batch; i++)
        {
            int row = active[lengths[i] - 1]++;
            _order[row] = i;
            _lengths[row] = lengths[i];
        }

        // Rows active at compact step s: those longer than s, a prefix since the rows are sorted.
        int rows = batch;
        _packedStart[0] = 0;
        for (int s = 0; s < steps; s++)
        {
            while (rows > 0 && _lengths[rows - 1] <= s)
            {
                rows--;
            }

            active[s] = rows;
            _packedStart[s + 1] = _packedStart[s] + rows;
        }

        _workStart[0] = 0;
        for (int r = 0; r < batch; r++)
        {
            _workStart[r + 1] = _workStart[r] + _lengths[r];
        }

        if (mask.IsPrefix)
        {
            _times = null;
            return;
        }

        if (_times is null || _times.Length < batch * steps)
        {
            _times = new int[batch * steps];
        }

        for (int r = 0; r < batch; r++)
        {
            int sequence = _order[r], k = 0;
            for (int time = 0; time < steps; time++)
            {
                if (mask.IsValid(sequence, time))
                {
                    _times[(r * steps) + k++] = time;
                }
            }
        }
    }

    private static void EnsureLength(ref int[] array, int length)
    {
        if (array.Length < length)
        {
            array = new int[length];
        }
    }

    /// <summary>
    /// The first row of shard <paramref name="part"/> of <paramref name="parts"/> in a forward or backward recurrence:
    /// near-equal runs of rows aligned to <see cref="MinRowsPerShard"/>, or, in a masked pass, runs of near-equal work
    /// (valid steps), since the sorted rows' lengths fall from first to last.
    /// </summary>
    private int ShardStart(int part, int parts)
    {
        if (!_masked || part == 0 || part >= parts)
        {
            return WorkerPool.Split(Batch, parts, part, MinRowsPerShard);
        }

        long target = (long)_workStart[Batch] * part / parts;
        int row = Array.BinarySearch(_workStart, 0, Batch + 1, (int)target);
        row = row < 0 ? ~row : row;
        return Math.Min(Batch, row - (row % MinRowsPerShard));
    }

    /// <summary>
    /// Copies <paramref name="source"/> <c>[B, width]</c>, in batch order, into <paramref name="destination"/> in the
    /// loop's row order (the same order without a mask).
    /// </summary>
    public void ToRowOrder(ReadOnlySpan<float> source, Span<float> destination, int width)
    {
        for (int r = 0; r < Batch; r++)
        {
            source.Slice(Sequence(r) * width, width).CopyTo(destination.Slice(r * width, width));
        }
    }

    /// <summary>Copies <paramref name="source"/> <c>[B, width]</c>, in the loop's row order, into <paramref name="destination"/> in batch order.</summary>
    public void ToBatchOrder(ReadOnlySpan<float> source, Span<float> destination, int width)
    {
        for (int r = 0; r < Batch; r++)
        {
            source.Slice(r * width, width).CopyTo(destination.Slice(Sequence(r) * width, width));
        }
    }

    /// <summary>
    /// Copies each sequence's state after its last valid step from <paramref name="blocks"/> (time-major state blocks
    /// <c>[·, B, width]</c> as the last forward pass kept them) into <paramref name="destination"/> <c>[B, width]</c>, in batch order.
    /// </summary>
    public void CopyFinalStates(ReadOnlySpan<float> blocks, Span<float> destination, int width)
    {
        for (int r = 0; r < Batch; r++)
        {
            blocks.Slice(((LastBlockOf(r) * Batch) + r) * width, width).CopyTo(destination.Slice(Sequence(r) * width, width));
        }
    }

    /// <summary>The state block holding row <paramref name="row"/>'s state after its last valid step.</summary>
    private int LastBlockOf(int row) => _historyKept ? LengthOf(row) : LengthOf(row) & 1;

    /// <summary>
    /// Sets the dropout masks of a training pass of <paramref name="batch"/> sequences: fixed, or drawn (input first),
    /// or ones for a rate of 0; and the scratch of the backward pass.
    /// </summary>
    private void BeginDropoutMasks(int batch)
    {
        Tensor mx = Buffers.Ensure(ref _dropoutMaskX, batch, _layout.Input), mh = Buffers.Ensure(ref _dropoutMaskH, batch, _layout.Hidden);
        Buffers.Ensure(ref _dhRecurrent, batch, _layout.Hidden);
        if (FixedDropoutMasks is { } masks)
        {
            SetDropoutMask(mx, masks.Input, "input");
            SetDropoutMask(mh, masks.Recurrent, "recurrent");
            return;
        }

        DrawDropoutMask(mx.Span, _dropout);
        DrawDropoutMask(mh.Span, _recurrentDropout);
    }

    /// <summary>The dropout masks as the operand reads them: by row, so in a masked pass copies in the rows' order.</summary>
    private void OrderDropoutMasks()
    {
        if (_masked)
        {
            ToRowOrder(_dropoutMaskX!.Span, Buffers.Ensure(ref _maskedDropoutX, Batch, _layout.Input).Span, _layout.Input);
            ToRowOrder(_dropoutMaskH!.Span, Buffers.Ensure(ref _maskedDropoutH, Batch, _layout.Hidden).Span, _layout.Hidden);
        }
    }

    private void SetDropoutMask(Tensor mask, Tensor? value, string what)
    {
        if (value is null)
        {
            mask.Fill(1f);
            return;
        }

        ShapeCheck.Like(value, mask, what + "DropoutMask", _layer);
        value.Span.CopyTo(mask.Span);
    }

    /// <summary>Inverted dropout's mask, as <see cref="Layers.Dropout"/> draws it: 0 with probability <paramref name="rate"/>, else <c>1 / (1 − rate)</c>; ones without a draw when the rate is 0.</summary>
    private void DrawDropoutMask(Span<float> mask, float rate)
    {
        if (rate == 0f)
        {
            mask.Fill(1f);
            return;
        }

        float keep = 1f / (1f - rate);
        for (int i = 0; i < mask.Length; i++)
        {
            mask[i] = DropoutRng.NextFloat() >= rate ? keep : 0f;
        }
    }

    private float CheckRate(float value, string name, string what) =>
        value >= 0f && value < 1f
            ? value
            : throw new ArgumentOutOfRangeException(name, value,
                $"{_layer}: {name} is the fraction of {what} dropped in training and must be at least 0 and below 1; received {value}.");

    /// <summary>Runs the forward pass set up by <see cref="Begin"/>; returns the output (owned by the loop).</summary>
    public Tensor RunForward(Tensor x)
    {
        PackWeights(ref _weights, _packedForward);
        _input = x;
        Start(Phase.RecurForward, WorkerPool.PartsFor(Batch, MinRowsPerShard));
        _input = null;
        return _output!;
    }

    /// <summary>
    /// The layer's weights as the layout lays them out into <paramref name="weights"/> <c>[G, Width]</c>, and each forward
    /// block of them packed, transposed, into <paramref name="packed"/> (one per block).
    /// </summary>
    private void PackWeights(ref Tensor? weights, PackedMatrix[] packed)
    {
        int ld = _layout.Width;
        Span<float> w = Buffers.Ensure(ref weights, _layout.Gates, ld).Span;
        _cell.FillWeights(w);
        for (int k = 0; k < packed.Length; k++)
        {
            WeightBlock fb = _layout.ForwardBlocks[k];
            packed[k].Pack(Gemm.DefaultPath, true, fb.Columns, fb.Gates, w[((fb.Gate0 * ld) + fb.Column0)..], ld);
        }
    }

    /// <summary>
    /// Throws unless a backward pass may follow: a forward pass with <c>training: true</c> ran and no backward pass
    /// since, and <paramref name="dy"/> (shaped like the output; null means zero) and <paramref name="dFinalH"/>
    /// (<c>[B, H]</c>, optional) have the right shapes.
    /// </summary>
    /// <exception cref="InvalidOperationException">No forward pass, an inference pass, or a second backward pass.</exception>
    /// <exception cref="ArgumentException">A gradient's shape differs from the output or state it belongs to.</exception>
    public void CheckBackward(Tensor? dy, Tensor? dFinalH)
    {
        if (_output is null)
        {
            throw new InvalidOperationException($"{_layer}.Backward called before Forward.");
        }

        if (dy is not null)
        {
            ShapeCheck.Same(dy, _output, nameof(dy), _layer);
        }

        if (dFinalH is not null)
        {
            ShapeCheck.Same(dFinalH, _finalH!, nameof(dFinalH), _layer);
        }

        if (!_historyKept)
        {
            throw new InvalidOperationException(
                $"{_layer}.Backward after Forward(training: false): inference keeps only the last step; call Forward with training: true before Backward.");
        }

        if (_gatesHoldGradients)
        {
            throw new InvalidOperationException(
                $"{_layer}.Backward called twice after one Forward: the backward pass overwrites the forward pass's gate activations with their gradients; run Forward again first.");
        }
    }

    /// <summary>
    /// Back-propagates through the last forward pass (checked by <see cref="CheckBackward"/>): returns
    /// <c>dx [B, T, I]</c> (owned by the loop), sets <see cref="InitialStateGradient"/> and the weight gradients
    /// (<see cref="WeightGradient"/>), which the layer then adds into its parameters.
    /// </summary>
    public Tensor RunBackward(Tensor? dy, Tensor? dFinalH)
    {
        int b = Batch, t = Steps, h = _layout.Hidden, ld = _layout.Width, inputs = _layout.Input;
        Span<float> dh = Buffers.Ensure(ref _dh, b, h).Span;
        if (dFinalH is null)
        {
            dh.Clear();
        }
        else
        {
            ToRowOrder(dFinalH.Span, dh, h);
        }

        Buffers.Ensure(ref _initialStateGrad, b, h);
        Buffers.Ensure(ref _dxTime, t, b, inputs);
        Tensor dx = Buffers.Ensure(ref _dx, b, t, inputs);
        if (!ComputeInputGradient || _masked)
        {
            dx.Fill(0f); // a masked pass writes only the valid steps' gradients
        }

        _gatesHoldGradients = true;
        WeightBlock rb = _layout.RecurrentBlock;
        _packedRecurrent.Pack(Gemm.DefaultPath, false, rb.Gates, rb.Columns, _weights!.Span[((rb.Gate0 * ld) + rb.Column0)..], ld);
        _dy = dy;
        Start(Phase.RecurBackward, WorkerPool.PartsFor(b, MinRowsPerShard));
        _dy = null;

        int largestBlock = 0;
        for (int k = 0; k < _weightGrads.Length; k++)
        {
            WeightBlock wb = _layout.GradientBlocks[k];
            Buffers.Ensure(ref _weightGrads[k], wb.Gates, wb.Columns);
            largestBlock = Math.Max(largestBlock, wb.Gates);
        }

        if (IsSmallInput && ComputeInputGradient)
        {
            // W_ihᵀ [I, gates]: column k of the input block
            WeightBlock ig = _layout.InputBlock;
            ReadOnlySpan<float> w = _weights.Span;
            Span<float> wt = Buffers.Ensure(ref _inputWeightsT, inputs, ig.Gates).Span;
            for (int g = 0; g < ig.Gates; g++)
            {
                for (int k = 0; k < inputs; k++)
                {
                    wt[(k * ig.Gates) + g] = w[((ig.Gate0 + g) * ld) + ig.Column0 + k];
                }
            }
        }

        long rowsOfProducts = _masked ? _packedStart[t] : (long)t * b;
        Start(Phase.Weights, WorkerPool.PartsFor(Math.Max(rowsOfProducts, largestBlock), MinRowsPerBlock));
        return dx;
    }

    /// <summary>
    /// Throws unless <paramref name="x"/> is one step's input <c>[B, I]</c> with B ≥ 1; returns B. Allocates nothing
    /// unless it throws.
    /// </summary>
    /// <exception cref="ArgumentException">The shape differs.</exception>
    public int CheckStepInput(Tensor x)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 2 || x.Dim(1) != _layout.Input || x.Dim(0) == 0)
        {
            throw ShapeCheck.Error(x, nameof(x), _layer + ".Step", $"[batch, {_layout.Input}] with at least one row");
        }

        return x.Dim(0);
    }

    /// <summary>
    /// The pre-activations of one step outside the time loop, <c>x [B, I]</c> and <c>h [B, H]</c> (checked by the
    /// caller) → <c>z [B, G]</c> (owned by the loop, reused by the next call; the cell then runs on it): the same
    /// operand, the same packed weights and the same bits as a step of <see cref="RunForward"/>, one or two rows by
    /// <see cref="GemmFewRows"/>. The weights are filled and packed into buffers of the streaming step's own (a
    /// training pass's stay as they were for its backward pass) when <paramref name="weightsVersion"/> differs from
    /// the one they were packed at, so a stream of steps packs them once; allocates nothing after the first call of a
    /// batch size. One call at a time per layer.
    /// </summary>
    public Tensor StepGates(Tensor x, Tensor h, long weightsVersion)
    {
        int b = x.Dim(0), hidden = _layout.Hidden, g = _layout.Gates, ld = _layout.Width, hc = _layout.HiddenColumn;
        if (weightsVersion != _streamVersion)
        {
            PackWeights(ref _streamWeights, _streamPacked);
            _streamVersion = weightsVersion;
        }

        Span<float> xh = Buffers.Ensure(ref _streamXh, b, ld).Span;
        ReadOnlySpan<float> xs = x.Span, hs = h.Span;
        for (int i = 0; i < b; i++)
        {
            // [x, h, 1] (an LSTM's, a simple RNN's) or [x, 1, h, 1] (a GRU's), as the time loop's operand.
            Span<float> row = xh.Slice(i * ld, ld);
            xs.Slice(i * _layout.Input, _layout.Input).CopyTo(row);
            hs.Slice(i * hidden, hidden).CopyTo(row[hc..]);
            foreach (int one in _layout.OnesColumns)
            {
                row[one] = 1f;
            }
        }

        Tensor z = Buffers.Ensure(ref _streamGates, b, g);
        for (int k = 0; k < _streamPacked.Length; k++)
        {
            WeightBlock fb = _layout.ForwardBlocks[k];
            GemmFewRows.Multiply(b, xh[fb.Column0..], ld, _streamPacked[k], ProductBeta(k), z.Span[fb.Gate0..], g);
        }

        return z;
    }

    /// <summary>
    /// TensorFlow's <c>static_rnn</c>: <paramref name="step"/> over a list of per-step inputs <c>[B, I]</c> from
    /// <paramref name="initialState"/> (or <paramref name="zeroState"/> of the first input's batch); returns the
    /// per-step outputs <c>[B, H]</c> (<paramref name="output"/> of each state) and the last state.
    /// </summary>
    /// <exception cref="ArgumentException">The list is empty.</exception>
    public static IReadOnlyList<Tensor> Unroll<TState>(IReadOnlyList<Tensor> inputs, TState? initialState, Func<int, TState> zeroState,
        Func<Tensor, TState, TState> step, Func<TState, Tensor> output, string layer, out TState finalState)
        where TState : class
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count == 0)
        {
            throw new ArgumentException($"{layer}.Unroll: inputs is empty; it needs one [batch, input] tensor per step.", nameof(inputs));
        }

        TState state = initialState ?? zeroState(inputs[0].Dim(0));
        var outputs = new Tensor[inputs.Count];
        for (int s = 0; s < inputs.Count; s++)
        {
            state = step(inputs[s], state);
            outputs[s] = output(state);
        }

        finalState = state;
        return outputs;
    }

    /// <inheritdoc/>
    public void Run(int part, int parts)
    {
        if (_phase == Phase.Weights)
        {
            Weights(part, parts);
            return;
        }

        int b0 = ShardStart(part, parts), b1 = ShardStart(part + 1, parts);
        if (b1 <= b0)
        {
            return;
        }

        if (_phase == Phase.RecurForward)
        {
            if (_dropoutOn)
            {
                RecurForward(_input!, b0, b1, DropoutStep());
            }
            else
            {
                RecurForward(_input!, b0, b1, default(PlainOperand));
            }
        }
        else if (_dropoutOn)
        {
            RecurBackward(b0, b1, DropoutStep());
        }
        else
        {
            RecurBackward(b0, b1, default(PlainOperand));
        }
    }

    /// <summary>The operand of a pass with dropout masks (set up by <see cref="Begin"/>).</summary>
    private DropoutOperand DropoutStep() =>
        _masked ? new(_maskedDropoutX!, _maskedDropoutH!, _dhRecurrent!, _layout.HiddenColumn) : new(_dropoutMaskX!, _dropoutMaskH!, _dhRecurrent!, _layout.HiddenColumn);

    private void Start(Phase phase, int parts)
    {
        _phase = phase;
        WorkerPool.Shared.Run(this, parts);
    }

    /// <summary>
    /// The forward pass for batch rows [b0, b1) of <paramref name="x"/> <c>[B, T, I]</c>, every step, with
    /// <paramref name="operand"/> forming each step's product operand. Training keeps every step's gates and operand
    /// (block s of each buffer is step s); inference keeps one step's gates and alternates between two operand blocks.
    /// The cell reads h_{s−1} from and writes h_s to h's history, whose blocks also give the outputs.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void RecurForward<TOperand>(Tensor x, int b0, int b1, TOperand operand)
        where TOperand : struct, IStepOperand
    {
        int b = Batch, t = Steps, h = _layout.Hidden, g = _layout.Gates, rows = b1 - b0, inputs = _layout.Input, ld = _layout.Width;
        int hl = _historyLd, hc = _historyColumn;
        int[] ones = _layout.OnesColumns;
        bool keep = _historyKept;
        ReadOnlySpan<float> xs = x.Span;
        Span<float> y = _output!.Span;
        fixed (float* gates = _runGates.Data, history = _runHistory.Data)
        {
            Span<float> gs = _runGates.Span, xhs = _runXh.Span, hs = _runHistory.Span;
            if (_masked && ReturnSequences)
            {
                // Keras: before a sequence's first valid step its output is zero.
                for (int i = 0; i < rows; i++)
                {
                    y.Slice(Sequence(b0 + i) * t * h, TimeOf(b0 + i, 0) * h).Clear();
                }
            }

            for (int s = 0; s < t; s++)
            {
                // Rows of this shard that run at step s: all of them, or in a masked pass those still within their length.
                int run = _masked ? Math.Min(rows, _active[s] - b0) : rows;
                if (run <= 0)
                {
                    break;
                }

                // Row blocks of step s: its operand and h_{s−1} in block `now`, its output h into block `next`.
                int now = keep ? s : s & 1, next = keep ? s + 1 : (s + 1) & 1, step = keep ? s : 0;
                int xhRow = (now * b) + b0, gateRow = (step * b) + b0, nextRow = (next * b) + b0;
                for (int i = 0; i < run; i++)
                {
                    // Row i of the block gets step s of its sequence next to h_{s−1}, and the ones for the biases.
                    int r = b0 + i;
                    Span<float> row = xhs.Slice((xhRow + i) * ld, ld);
                    operand.Fill(row, xs.Slice(((Sequence(r) * t) + TimeOf(r, s)) * inputs, inputs), hs, ((xhRow + i) * hl) + hc, r);
                    foreach (int one in ones)
                    {
                        row[one] = 1f;
                    }
                }

                // gates = xh_s · weightsᵀ, block by block: the first writes, the others add
                for (int k = 0; k < _packedForward.Length; k++)
                {
                    WeightBlock fb = _layout.ForwardBlocks[k];
                    Gemm.Multiply(false, run, 1f, xhs[((xhRow * ld) + fb.Column0)..], ld, _packedForward[k], ProductBeta(k),
                        gs.Slice((gateRow * g) + fb.Gate0, ((run - 1) * g) + fb.Gates), g);
                }

                _cell.Forward(new RecurrentStep(gates + ((nint)gateRow * g), history + ((nint)xhRow * hl) + hc, history + ((nint)nextRow * hl) + hc,
                    null, hl, b0, run, xhRow, nextRow, gateRow));
                if (ReturnSequences)
                {
                    // y [B, T, H]: row (i, s) is h_s; in a masked pass h_s also fills the masked steps up to the next valid one.
                    for (int i = 0; i < run; i++)
                    {
                        int r = b0 + i, sequence = Sequence(r);
                        ReadOnlySpan<float> hNow = hs.Slice(((nextRow + i) * hl) + hc, h);
                        for (int time = TimeOf(r, s), end = _masked ? NextTime(r, s) : s + 1; time < end; time++)
                        {
                            hNow.CopyTo(y.Slice(((sequence * t) + time) * h, h));
                        }
                    }
                }
            }
        }

        for (int i = 0; i < rows; i++)
        {
            int r = b0 + i, sequence = Sequence(r);
            ReadOnlySpan<float> last = _runHistory.Span.Slice(((((LastBlockOf(r) * b) + r) * hl) + hc), h);
            last.CopyTo(_finalH!.Span.Slice(sequence * h, h));
            if (!ReturnSequences)
            {
                last.CopyTo(y.Slice(sequence * h, h));
            }
        }
    }

    /// <summary>
    /// Phase 1 of backward: the whole sequence, last step first, for batch rows [b0, b1). The cell reads h's history;
    /// <paramref name="operand"/> takes the recurrent product's part of <c>dh_{s−1}</c>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void RecurBackward<TOperand>(int b0, int b1, TOperand operand)
        where TOperand : struct, IStepOperand
    {
        int b = Batch, t = Steps, h = _layout.Hidden, g = _layout.Gates, rows = b1 - b0, hl = _historyLd, hc = _historyColumn;
        WeightBlock rb = _layout.RecurrentBlock;
        bool accumulates = _layout.RecurrentAccumulates;
        Tensor? dy = _dy;
        Span<float> dh = _dh!.Span.Slice(b0 * h, rows * h);
        fixed (float* gates = _gates!.Data, history = _runHistory.Data, pdh = _dh.Data)
        {
            Span<float> gs = _gates.Span;
            for (int s = t - 1; s >= 0; s--)
            {
                // Rows of this shard that ran at step s (in a masked pass, those still within their length).
                int run = _masked ? Math.Min(rows, _active[s] - b0) : rows;
                if (run <= 0)
                {
                    continue;
                }

                if (_masked)
                {
                    AddMaskedOutputGradient(dy, dh, s, b0, run);
                }
                else
                {
                    AddOutputGradient(dy, dh, s, b0, b1);
                }

                int slab = (s * b) + b0;
                _cell.Backward(new RecurrentStep(gates + ((nint)slab * g), history + ((nint)slab * hl) + hc, history + ((nint)(slab + b) * hl) + hc,
                    pdh + ((nint)b0 * h), hl, b0, run, slab, slab + b, slab));
                // dh_{s−1} [run, H] (+)= dz[:, recurrent gates] · W_hh [gates, H]
                operand.RecurrentGradient(gs.Slice((slab * g) + rb.Gate0, ((run - 1) * g) + rb.Gates), g, _packedRecurrent, dh[..(run * h)], b0, run, accumulates);
            }
        }

        for (int i = 0; i < rows; i++)
        {
            dh.Slice(i * h, h).CopyTo(_initialStateGrad!.Span.Slice(Sequence(b0 + i) * h, h));
        }
    }

    /// <summary>
    /// In a masked pass, adds to <paramref name="dh"/> (the shard's rows from <paramref name="b0"/>, <c>[rows, H]</c>) what
    /// <paramref name="dy"/> gives compact step <paramref name="s"/>'s output for its first <paramref name="run"/> rows:
    /// with <see cref="ReturnSequences"/> the gradient of every time its output filled (its own and the masked steps up
    /// to the next valid one), else all of dy at each sequence's last valid step.
    /// </summary>
    private void AddMaskedOutputGradient(Tensor? dy, Span<float> dh, int s, int b0, int run)
    {
        if (dy is null)
        {
            return;
        }

        int h = _layout.Hidden, t = Steps;
        ReadOnlySpan<float> dys = dy.Span;
        for (int i = 0; i < run; i++)
        {
            int r = b0 + i, sequence = Sequence(r);
            Span<float> dhi = dh.Slice(i * h, h);
            if (ReturnSequences)
            {
                for (int time = TimeOf(r, s), end = NextTime(r, s); time < end; time++)
                {
                    TensorPrimitives.Add(dhi, dys.Slice(((sequence * t) + time) * h, h), dhi);
                }
            }
            else if (s == _lengths[r] - 1)
            {
                TensorPrimitives.Add(dhi, dys.Slice(sequence * h, h), dhi);
            }
        }
    }

    /// <summary>
    /// Adds to <paramref name="dh"/> (batch rows [b0, b1), <c>[rows, H]</c>) what <paramref name="dy"/> gives step
    /// <paramref name="s"/>'s output: its row (i, s) of every sequence with <see cref="ReturnSequences"/>, else all of it
    /// at the last step.
    /// </summary>
    private void AddOutputGradient(Tensor? dy, Span<float> dh, int s, int b0, int b1)
    {
        if (dy is null)
        {
            return;
        }

        int h = _layout.Hidden, t = Steps;
        ReadOnlySpan<float> dys = dy.Span;
        if (ReturnSequences)
        {
            // dy is [B, T, H]: add row (i, s) of every sequence.
            for (int i = b0; i < b1; i++)
            {
                Span<float> dhi = dh.Slice((i - b0) * h, h);
                TensorPrimitives.Add(dhi, dys.Slice(((i * t) + s) * h, h), dhi);
            }
        }
        else if (s == t - 1)
        {
            TensorPrimitives.Add(dh, dys.Slice(b0 * h, (b1 - b0) * h), dh);
        }
    }

    /// <summary>
    /// Phase 2 of backward, part <paramref name="part"/> of <paramref name="parts"/>: rows [g0, g1) of each weight
    /// block, each summed over all T·B rows in order; rows [r0, r1) of dx.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Weights(int part, int parts)
    {
        int b = Batch, t = Steps, g = _layout.Gates, ld = _layout.Width, tb = t * b;
        ReadOnlySpan<float> dz = _gates!.Span, xh = _xh!.Span;
        for (int k = 0; k < _weightGrads.Length; k++)
        {
            WeightBlock wb = _layout.GradientBlocks[k];
            int g0 = WorkerPool.Split(wb.Gates, parts, part, MinRowsPerShard), g1 = WorkerPool.Split(wb.Gates, parts, part + 1, MinRowsPerShard);
            if (g1 <= g0)
            {
                continue;
            }

            Span<float> block = _weightGrads[k]!.Span[(g0 * wb.Columns)..];
            if (!_masked)
            {
                // block[g0 … g1, :] = dz[T·B, gates g0 … g1]ᵀ · xh[T·B, columns]
                Gemm.Multiply(Gemm.DefaultPath, true, false, g1 - g0, wb.Columns, tb, 1f, dz[(wb.Gate0 + g0)..], g, xh[wb.Column0..], ld, 0f, block, wb.Columns);
                continue;
            }

            // Masked: over the rows that ran, so the cost follows the valid steps; steps in order. The first steps, in
            // which every row runs, are contiguous rows of the buffers and form one product; then one per step.
            int full = 0;
            while (full < t && _active[full] == b)
            {
                full++;
            }

            if (full > 0)
            {
                Gemm.Multiply(Gemm.DefaultPath, true, false, g1 - g0, wb.Columns, full * b, 1f, dz[(wb.Gate0 + g0)..], g, xh[wb.Column0..], ld, 0f, block, wb.Columns);
            }

            for (int s = full; s < t && _active[s] > 0; s++)
            {
                Gemm.Multiply(Gemm.DefaultPath, true, false, g1 - g0, wb.Columns, _active[s], 1f, dz[((s * b * g) + wb.Gate0 + g0)..], g,
                    xh[((s * b * ld) + wb.Column0)..], ld, s == 0 ? 0f : 1f, block, wb.Columns);
            }
        }

        if (!ComputeInputGradient)
        {
            return;
        }

        if (!_masked)
        {
            InputGradientRows(WorkerPool.Split(tb, parts, part, 1), WorkerPool.Split(tb, parts, part + 1, 1));
            return;
        }

        // Masked: this part's share of the valid (step, row) pairs in packed order, as runs of time-major rows (the
        // runs of consecutive steps in which every row runs are contiguous, and joined).
        int v0 = WorkerPool.Split(_packedStart[t], parts, part, 1), v1 = WorkerPool.Split(_packedStart[t], parts, part + 1, 1);
        int runStart = 0, runEnd = 0;
        for (int s = 0; s < t && _packedStart[s] < v1; s++)
        {
            int lo = Math.Max(v0, _packedStart[s]), hi = Math.Min(v1, _packedStart[s + 1]);
            if (lo >= hi)
            {
                continue;
            }

            int r0 = (s * b) + lo - _packedStart[s], r1 = (s * b) + hi - _packedStart[s];
            if (r0 != runEnd)
            {
                InputGradientRows(runStart, runEnd);
                runStart = r0;
            }

            runEnd = r1;
        }

        InputGradientRows(runStart, runEnd);
    }

    /// <summary>The input gradient of time-major rows [r0, r1) (row <c>s·B + r</c>: step s of row r): <c>dz·W_ih</c>, then into dx.</summary>
    private void InputGradientRows(int r0, int r1)
    {
        if (r1 <= r0)
        {
            return;
        }

        int g = _layout.Gates, inputs = _layout.Input, ld = _layout.Width;
        ReadOnlySpan<float> dz = _gates!.Span;
        WeightBlock ig = _layout.InputBlock;
        Span<float> dxTime = _dxTime!.Span;
        if (IsSmallInput)
        {
            ReadOnlySpan<float> wt = _inputWeightsT!.Span;
            for (int r = r0; r < r1; r++)
            {
                for (int k = 0; k < inputs; k++)
                {
                    dxTime[(r * inputs) + k] = TensorPrimitives.Dot(dz.Slice((r * g) + ig.Gate0, ig.Gates), wt.Slice(k * ig.Gates, ig.Gates));
                }
            }
        }
        else
        {
            // dx [r0 … r1, I] = dz [r0 … r1, input gates] · W_ih [input gates, I]
            Gemm.Multiply(Gemm.DefaultPath, false, false, r1 - r0, inputs, ig.Gates, 1f, dz[((r0 * g) + ig.Gate0)..], g,
                _weights!.Span[((ig.Gate0 * ld) + ig.Column0)..], ld, 0f, dxTime[(r0 * inputs)..], inputs);
        }

        if (_dropoutOn)
        {
            InputGradientToBatchMajor(dxTime, r0, r1, DropoutStep());
        }
        else
        {
            InputGradientToBatchMajor(dxTime, r0, r1, default(PlainOperand));
        }
    }

    /// <summary>Rows [r0, r1) of <paramref name="dxTime"/> <c>[T·B, I]</c> back to batch-major: <c>dx[i, s]</c> from row <c>s·B + i</c> (in a masked pass, the sequence and time that row's step read), through <paramref name="operand"/>.</summary>
    private void InputGradientToBatchMajor<TOperand>(ReadOnlySpan<float> dxTime, int r0, int r1, TOperand operand)
        where TOperand : struct, IStepOperand
    {
        int b = Batch, t = Steps, inputs = _layout.Input;
        Span<float> dx = _dx!.Span;
        for (int r = r0; r < r1; r++)
        {
            int s = r / b, i = r % b;
            operand.InputGradient(dxTime.Slice(r * inputs, inputs), dx.Slice(((Sequence(i) * t) + TimeOf(i, s)) * inputs, inputs), i);
        }
    }
}
