using System.Text.Json.Nodes;
using Recur.Data;
using Recur.Tensors;
using Recur.Training;

namespace Recur.Cli;

/// <summary>
/// The batches of <c>recur train</c> for data that <see cref="DataSetBatches"/> cannot carry: float or per-step targets
/// and sequences of their own lengths. The order is TensorFlow's <c>next_batch</c> exactly as <see cref="DataSetBatches"/>
/// serves it — a <see cref="DataSet"/> of the example indices, seeded and shuffled like the training data, draws each
/// batch's rows — and the position is saved and restored through it, so a resumed run sees the same batches. Each batch
/// gathers its rows of the inputs <c>[N, T · F]</c> (through the transform to the model's input), of the targets
/// <c>[N, …]</c>, and with lengths the mask <c>[B, T]</c> (<see cref="Mask"/>).
/// </summary>
internal sealed class SequenceBatches : IBatchSource
{
    private readonly DataSetBatches _order;
    private readonly Tensor _inputs;
    private readonly Tensor _targets;
    private readonly int[]? _lengths;
    private readonly int _steps;
    private readonly Func<Tensor, Tensor> _transform;
    private readonly Tensor _x;
    private readonly Tensor _y;
    private readonly int[] _rows;
    private readonly int[] _batchLengths;
    private readonly SequenceMask? _mask;

    /// <summary>Creates the source.</summary>
    /// <param name="data">The training examples <c>[N, T · F]</c>; its seed and shuffling choose the order.</param>
    /// <param name="targets">The targets <c>[N, …]</c>: one-hot classes, float targets or per-step class ids.</param>
    /// <param name="batchSize">Examples per batch, in [1, N].</param>
    /// <param name="steps">T, the (padded) steps of a sequence, for the mask.</param>
    /// <param name="lengths">Each example's valid steps <c>[N]</c>, or null when all are T steps long.</param>
    /// <param name="transform">Turns a batch of flat examples <c>[B, T · F]</c> into the model's input.</param>
    public SequenceBatches(DataSet data, Tensor targets, int batchSize, int steps, int[]? lengths, Func<Tensor, Tensor> transform)
    {
        var indices = new Tensor(data.Count, 1);
        for (int i = 0; i < data.Count; i++)
        {
            indices.Data[i] = i; // exact up to 2^24 examples
        }

        _order = new DataSetBatches(new DataSet(indices, new int[data.Count], 1, data.Seed, data.Shuffle), batchSize);
        _inputs = data.Images;
        _targets = targets;
        _lengths = lengths;
        _steps = steps;
        _transform = transform;
        _x = new Tensor(batchSize, data.Features);
        int[] shape = targets.Shape.ToArray();
        shape[0] = batchSize;
        _y = new Tensor(shape);
        _rows = new int[batchSize];
        _batchLengths = new int[batchSize];
        _mask = lengths is null ? null : new SequenceMask(batchSize, steps);
    }

    /// <inheritdoc/>
    public int Count => _order.Count;

    /// <inheritdoc/>
    public int StepsPerEpoch => _order.StepsPerEpoch;

    /// <inheritdoc/>
    public SequenceMask? Mask => _mask;

    /// <inheritdoc/>
    public (Tensor X, Tensor Y) Next()
    {
        Tensor indices = _order.Next().X;
        int width = _x.Dim(1), targetWidth = _targets.Length / _targets.Dim(0);
        for (int b = 0; b < _rows.Length; b++)
        {
            int row = _rows[b] = (int)indices.Data[b];
            _inputs.Span.Slice(row * width, width).CopyTo(_x.Span.Slice(b * width, width));
            _targets.Span.Slice(row * targetWidth, targetWidth).CopyTo(_y.Span.Slice(b * targetWidth, targetWidth));
        }

        if (_mask is not null)
        {
            for (int b = 0; b < _rows.Length; b++)
            {
                _batchLengths[b] = _lengths![_rows[b]];
            }

            _mask.SetLengths(_batchLengths, _steps);
        }

        return (_transform(_x), _y);
    }

    /// <inheritdoc/>
    public JsonNode SaveState() => _order.SaveState();

    /// <inheritdoc/>
    public void RestoreState(JsonNode state) => _order.RestoreState(state);
}
