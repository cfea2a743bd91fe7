using System.Globalization;
using System.Text.Json.Nodes;
using Recur.Tensors;

namespace Recur.Training;

/// <summary>
/// Batches of in-memory tensors, as Keras's <c>fit</c> takes them: each epoch visits every example once in batches of
/// <see cref="BatchSize"/> (the last may be smaller), in an order shuffled from the seed and the epoch number alone,
/// so a run resumed at any epoch and batch sees the same batches as one that never stopped.
/// </summary>
public sealed class TensorBatches : IBatchSource
{
    /// <summary>The <see cref="Rng"/> stream of epoch 0's order; epoch e uses stream <c>ShuffleStream + e</c> of the seed.</summary>
    public const ulong ShuffleStream = 1UL << 32;

    private readonly Tensor _x;
    private readonly Tensor _y;
    private readonly bool _shuffle;
    private readonly ulong _seed;
    private readonly int[] _order;
    private int _orderEpoch = -1;
    private readonly int[]? _lengths; // [N]  each example's valid steps, or null
    private SequenceMask? _mask;      // [b, T]  the last batch's
    private Tensor? _xb;
    private Tensor? _yb;

    /// <summary>Creates the source.</summary>
    /// <param name="x">Inputs <c>[N, …]</c>.</param>
    /// <param name="y">Targets <c>[N, …]</c>.</param>
    /// <param name="batchSize">Examples per batch; positive.</param>
    /// <param name="shuffle">Shuffle the examples every epoch.</param>
    /// <param name="seed">The seed of the shuffling.</param>
    /// <param name="initialEpoch">The epoch the first batch belongs to (to resume at an epoch boundary).</param>
    /// <param name="lengths">
    /// Each example's valid steps when x holds sequences <c>[N, T, …]</c> padded at the end (PyTorch's
    /// <c>pack_padded_sequence</c> lengths, each in [1, T]); each batch then comes with its <see cref="Mask"/>. Null when
    /// every sequence is of full length.
    /// </param>
    /// <exception cref="ArgumentException">x and y differ in rows, or x has none, or the lengths do not fit x.</exception>
    public TensorBatches(Tensor x, Tensor y, int batchSize, bool shuffle = true, ulong seed = 0, int initialEpoch = 0, int[]? lengths = null)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(initialEpoch);
        if (x.Dim(0) != y.Dim(0))
        {
            throw new ArgumentException(
                $"TensorBatches: x has {x.Dim(0)} rows ({Tensor.FormatShape(x.Shape)}) but y has {y.Dim(0)} ({Tensor.FormatShape(y.Shape)}); give one target per input.", nameof(y));
        }

        if (x.Dim(0) == 0)
        {
            throw new ArgumentException("TensorBatches: x has no rows; give at least one example.", nameof(x));
        }

        if (lengths is not null)
        {
            CheckLengths(lengths, x, "TensorBatches");
        }

        _x = x;
        _y = y;
        _lengths = lengths;
        BatchSize = batchSize;
        _shuffle = shuffle;
        _seed = seed;
        _order = new int[x.Dim(0)];
        Epoch = initialEpoch;
    }

    /// <inheritdoc/>
    public int Count => _order.Length;

    /// <summary>Examples per batch (the last batch of an epoch may hold fewer).</summary>
    public int BatchSize { get; }

    /// <inheritdoc/>
    public int StepsPerEpoch => (Count + BatchSize - 1) / BatchSize;

    /// <summary>The epoch of the next batch.</summary>
    public int Epoch { get; private set; }

    /// <summary>The index within its epoch of the next batch.</summary>
    public int Batch { get; private set; }

    /// <inheritdoc/>
    public (Tensor X, Tensor Y) Next()
    {
        if (_orderEpoch != Epoch)
        {
            for (int i = 0; i < _order.Length; i++)
            {
                _order[i] = i;
            }

            if (_shuffle)
            {
                new Rng(_seed, ShuffleStream + (ulong)Epoch).Shuffle(_order.AsSpan());
            }

            _orderEpoch = Epoch;
        }

        int start = Batch * BatchSize, size = Math.Min(BatchSize, Count - start);
        Gather(_x, _order.AsSpan(start, size), ref _xb);
        Gather(_y, _order.AsSpan(start, size), ref _yb);
        if (_lengths is not null)
        {
            _mask ??= new SequenceMask(size, _x.Dim(1));
            _mask.Reset(size, _x.Dim(1));
            for (int i = 0; i < size; i++)
            {
                for (int s = _lengths[_order[start + i]]; s < _x.Dim(1); s++)
                {
                    _mask.Set(i, s, false);
                }
            }

            _mask.Seal();
        }
        if (++Batch == StepsPerEpoch)
        {
            Batch = 0;
            Epoch++;
        }

        return (_xb!, _yb!);
    }

    /// <inheritdoc/>
    public SequenceMask? Mask => _mask;

    /// <summary>
    /// Throws unless <paramref name="lengths"/> gives one length in [1, T] per sequence of <paramref name="x"/>
    /// <c>[N, T, …]</c>; the message names <paramref name="caller"/>, the first bad entry and the fix.
    /// </summary>
    /// <exception cref="ArgumentException">The lengths do not fit x.</exception>
    public static void CheckLengths(ReadOnlySpan<int> lengths, Tensor x, string caller)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank < 2 || lengths.Length != x.Dim(0))
        {
            throw new ArgumentException(
                $"{caller}: {lengths.Length} lengths for x of shape {Tensor.FormatShape(x.Shape)}; give one length per sequence of x [N, T, …].", "lengths");
        }

        for (int i = 0; i < lengths.Length; i++)
        {
            if (lengths[i] < 1 || lengths[i] > x.Dim(1))
            {
                throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                    $"{caller}: lengths[{i}] is {lengths[i]}, but a length must be at least 1 and at most the {x.Dim(1)} steps of x; give each sequence's count of real steps, its padding at the end."), "lengths");
            }
        }
    }

    /// <inheritdoc/>
    public JsonNode SaveState() => new JsonObject
    {
        ["kind"] = "tensor_batches",
        ["count"] = Count,
        ["batch_size"] = BatchSize,
        ["epoch"] = Epoch,
        ["batch"] = Batch,
        ["seed"] = _seed.ToString(CultureInfo.InvariantCulture),
        ["shuffle"] = _shuffle,
    };

    /// <inheritdoc/>
    public void RestoreState(JsonNode state)
    {
        ArgumentNullException.ThrowIfNull(state);
        JsonObject s = state as JsonObject ?? throw new InvalidDataException("TensorBatches: the saved batch position is not a JSON object.");
        if ((string?)s["kind"] != "tensor_batches" || (int?)s["count"] != Count || (int?)s["batch_size"] != BatchSize
            || (string?)s["seed"] != _seed.ToString(CultureInfo.InvariantCulture) || (bool?)s["shuffle"] != _shuffle)
        {
            throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                $"TensorBatches: the saved batch position is of another data set or batching ({s.ToJsonString()}); this one has {Count} examples, batches of {BatchSize}, seed {_seed}. Resume with the same data, batch size and seed."));
        }

        int epoch = (int?)s["epoch"] ?? -1, batch = (int?)s["batch"] ?? -1;
        if (epoch < 0 || batch < 0 || batch >= StepsPerEpoch)
        {
            throw new InvalidDataException($"TensorBatches: the saved batch position (epoch {epoch}, batch {batch}) is not valid for {StepsPerEpoch} batches per epoch.");
        }

        (Epoch, Batch) = (epoch, batch);
    }

    /// <summary>Rows <paramref name="rows"/> of <c>source [N, …]</c> into <paramref name="buffer"/> <c>[rows, …]</c>.</summary>
    private static void Gather(Tensor source, ReadOnlySpan<int> rows, ref Tensor? buffer)
    {
        int width = source.Length / source.Dim(0);
        Span<int> shape = stackalloc int[source.Rank];
        source.Shape.CopyTo(shape);
        shape[0] = rows.Length;
        Tensor b = Buffers.Ensure(ref buffer, shape);
        for (int i = 0; i < rows.Length; i++)
        {
            source.Span.Slice(rows[i] * width, width).CopyTo(b.Span.Slice(i * width, width));
        }
    }
}
