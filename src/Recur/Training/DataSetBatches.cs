using System.Text.Json.Nodes;
using Recur.Data;
using Recur.Tensors;

namespace Recur.Training;

/// <summary>
/// Batches from a <see cref="DataSet"/>'s <see cref="DataSet.NextBatch(Tensor, Tensor?, Span{int})"/>, TensorFlow's
/// <c>mnist.train.next_batch</c>: every batch holds <see cref="BatchSize"/> examples, an epoch's last batch continues
/// into the next epoch's new order, and targets are one-hot <c>[B, C]</c>. An optional transform turns the flat
/// examples <c>[B, F]</c> into the model's input (e.g. <see cref="SequenceLayout.Apply"/> for <c>[B, T, I]</c>).
/// The data set's order and shuffling state are saved with the position.
/// </summary>
public sealed class DataSetBatches : IBatchSource
{
    private readonly DataSet _data;
    private readonly Func<Tensor, Tensor>? _transform;
    private readonly Tensor _images;
    private readonly Tensor _labels;
    private readonly int[] _classes;

    /// <summary>Creates the source.</summary>
    /// <param name="data">The examples; the source advances its batch position.</param>
    /// <param name="batchSize">Examples per batch, in [1, data.Count].</param>
    /// <param name="transform">Applied to each batch of flat examples <c>[B, F]</c>; null to pass them as they are.</param>
    public DataSetBatches(DataSet data, int batchSize, Func<Tensor, Tensor>? transform = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (batchSize < 1 || batchSize > data.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(batchSize), batchSize, $"DataSetBatches: the batch size must be in [1, {data.Count}] (the number of examples).");
        }

        _data = data;
        _transform = transform;
        BatchSize = batchSize;
        _images = new Tensor(batchSize, data.Features);
        _labels = new Tensor(batchSize, data.Classes);
        _classes = new int[batchSize];
    }

    /// <inheritdoc/>
    public int Count => _data.Count;

    /// <summary>Examples per batch.</summary>
    public int BatchSize { get; }

    /// <inheritdoc/>
    public int StepsPerEpoch => (Count + BatchSize - 1) / BatchSize;

    /// <summary>The class index of each example of the last batch.</summary>
    public ReadOnlySpan<int> Classes => _classes;

    /// <inheritdoc/>
    public (Tensor X, Tensor Y) Next()
    {
        _data.NextBatch(_images, _labels, _classes);
        return (_transform is null ? _images : _transform(_images), _labels);
    }

    /// <inheritdoc/>
    public JsonNode SaveState()
    {
        DataSetPosition p = _data.Position;
        return new JsonObject
        {
            ["kind"] = "data_set_batches",
            ["count"] = Count,
            ["batch_size"] = BatchSize,
            ["order"] = StateJson.Write(p.Order),
            ["shuffler"] = StateJson.Write(p.Shuffler),
            ["epochs_completed"] = p.EpochsCompleted,
            ["index_in_epoch"] = p.IndexInEpoch,
            ["started"] = p.Started,
        };
    }

    /// <inheritdoc/>
    public void RestoreState(JsonNode state)
    {
        const string What = "DataSetBatches";
        ArgumentNullException.ThrowIfNull(state);
        JsonObject s = state as JsonObject ?? throw new InvalidDataException($"{What}: the saved batch position is not a JSON object.");
        if ((string?)s["kind"] != "data_set_batches" || (int?)s["count"] != Count || (int?)s["batch_size"] != BatchSize)
        {
            throw new InvalidDataException(
                $"{What}: the saved batch position is of another data set or batch size ({s["kind"]}, {s["count"]} examples, batches of {s["batch_size"]}); this one has {Count} examples in batches of {BatchSize}. Resume with the same data and batch size.");
        }

        try
        {
            _data.Position = new DataSetPosition(
                StateJson.ReadInts(s["order"], What),
                StateJson.ReadRng(s["shuffler"], What),
                StateJson.ReadInt(s, "epochs_completed", What),
                StateJson.ReadInt(s, "index_in_epoch", What),
                (bool?)s["started"] ?? throw new InvalidDataException($"{What}: \"started\" is missing."));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{What}: {e.Message}", e);
        }
    }
}
