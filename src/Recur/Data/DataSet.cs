using Recur.Tensors;

namespace Recur.Data;

/// <summary>
/// Examples for classification — images <c>[N, F]</c> and class labels <c>[N]</c> — served in
/// mini-batches the way TensorFlow's <c>DataSet.next_batch</c> serves them: the order is shuffled
/// at the first call and again at every epoch boundary, and a batch that crosses the boundary takes
/// the rest of the old epoch followed by the start of the new one. The same seed gives the same batches.
/// </summary>
public sealed class DataSet
{
    private readonly int[] _order;
    private readonly Rng _rng;
    private Tensor? _oneHot;
    private bool _started;

    /// <summary>Creates a data set over <paramref name="images"/> and <paramref name="labels"/> (neither is copied).</summary>
    /// <param name="images"><c>[N, F]</c>, one example per row.</param>
    /// <param name="labels"><c>[N]</c>, class indices in [0, <paramref name="classes"/>).</param>
    /// <param name="classes">The number of classes, C (the width of the one-hot labels).</param>
    /// <param name="seed">Seeds the shuffling.</param>
    /// <param name="shuffle">Whether <see cref="NextBatch(int)"/> shuffles (false: examples in stored order, epoch after epoch).</param>
    /// <exception cref="ArgumentException">The shapes disagree or a label is out of range.</exception>
    public DataSet(Tensor images, int[] labels, int classes, ulong seed = 0, bool shuffle = true)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(classes);
        if (images.Rank != 2)
        {
            throw new ArgumentException(
                $"DataSet: images has shape {Tensor.FormatShape(images.Shape)}, expected [examples, features].", nameof(images));
        }

        if (labels.Length != images.Dim(0))
        {
            throw new ArgumentException(
                $"DataSet: {labels.Length} labels for {images.Dim(0)} images; expected one label per image.", nameof(labels));
        }

        for (int i = 0; i < labels.Length; i++)
        {
            if ((uint)labels[i] >= (uint)classes)
            {
                throw new ArgumentException(
                    $"DataSet: label {labels[i]} at index {i} is not a class index in [0, {classes}).", nameof(labels));
            }
        }

        Images = images;
        Labels = labels;
        Classes = classes;
        Seed = seed;
        Shuffle = shuffle;
        _rng = new Rng(seed);
        _order = new int[Count];
        for (int i = 0; i < _order.Length; i++)
        {
            _order[i] = i;
        }
    }

    /// <summary>N, the number of examples.</summary>
    public int Count => Labels.Length;

    /// <summary>F, the features per example (784 for MNIST).</summary>
    public int Features => Images.Dim(1);

    /// <summary>C, the number of classes.</summary>
    public int Classes { get; }

    /// <summary>All examples, <c>[N, F]</c> (for MNIST, pixels scaled to [0, 1]).</summary>
    public Tensor Images { get; }

    /// <summary>All labels as class indices, <c>[N]</c>.</summary>
    public int[] Labels { get; }

    /// <summary>All labels one-hot, <c>[N, C]</c> (made on first use).</summary>
    public Tensor OneHotLabels => _oneHot ??= OneHot(Labels, Classes);

    /// <summary>The seed of the shuffling.</summary>
    public ulong Seed { get; }

    /// <summary>Whether <see cref="NextBatch(int)"/> shuffles.</summary>
    public bool Shuffle { get; }

    /// <summary>
    /// Epochs finished by <see cref="NextBatch(int)"/>. As in TensorFlow, it goes up when a batch
    /// first needs an example past the end, not when the last example is served.
    /// </summary>
    public int EpochsCompleted { get; private set; }

    /// <summary>Examples of the current epoch served so far.</summary>
    public int IndexInEpoch { get; private set; }

    /// <summary>
    /// Where <see cref="NextBatch(int)"/> stands: the current order of the examples, the shuffling generator's state,
    /// <see cref="EpochsCompleted"/> and <see cref="IndexInEpoch"/>. Setting a value read earlier (from a data set of the
    /// same examples) makes the next batches those that followed it, for resuming a run bit for bit.
    /// </summary>
    /// <exception cref="ArgumentException">The value is of a data set of another size, or its order is not a permutation.</exception>
    public DataSetPosition Position
    {
        get => new(_order.AsSpan().ToArray(), _rng.State, EpochsCompleted, IndexInEpoch, _started);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            if (value.Order.Length != Count || value.IndexInEpoch < 0 || value.IndexInEpoch > Count || value.EpochsCompleted < 0)
            {
                throw new ArgumentException(
                    $"DataSet.Position: the position is of a data set of {value.Order.Length} examples (index {value.IndexInEpoch}), but this one has {Count}.", nameof(value));
            }

            var seen = new bool[Count];
            foreach (int i in value.Order)
            {
                if ((uint)i >= (uint)Count || seen[i])
                {
                    throw new ArgumentException("DataSet.Position: the saved order is not a permutation of the examples.", nameof(value));
                }

                seen[i] = true;
            }

            value.Order.CopyTo(_order, 0);
            _rng.State = value.Shuffler;
            EpochsCompleted = value.EpochsCompleted;
            IndexInEpoch = value.IndexInEpoch;
            _started = value.Started;
        }
    }

    /// <summary>The next <paramref name="batchSize"/> examples, in new tensors.</summary>
    /// <returns>Images <c>[B, F]</c>, one-hot labels <c>[B, C]</c> and class indices <c>[B]</c>.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="batchSize"/> is not in [1, <see cref="Count"/>].</exception>
    public DataBatch NextBatch(int batchSize)
    {
        CheckBatchSize(batchSize);
        var images = new Tensor(batchSize, Features);
        var oneHot = new Tensor(batchSize, Classes);
        var classes = new int[batchSize];
        NextBatch(images, oneHot, classes);
        return new DataBatch(images, oneHot, classes);
    }

    /// <summary>
    /// Fills caller buffers with the next B examples, allocating nothing; B is <c>images.Dim(0)</c>.
    /// </summary>
    /// <param name="images"><c>[B, F]</c>, receives the examples.</param>
    /// <param name="oneHot"><c>[B, C]</c>, receives the one-hot labels; null to skip.</param>
    /// <param name="classes"><c>[B]</c>, receives the class indices.</param>
    /// <exception cref="ArgumentException">A buffer has the wrong shape or B is not in [1, <see cref="Count"/>].</exception>
    public void NextBatch(Tensor images, Tensor? oneHot, Span<int> classes)
    {
        ArgumentNullException.ThrowIfNull(images);
        if (images.Rank != 2 || images.Dim(1) != Features)
        {
            throw new ArgumentException(
                $"DataSet.NextBatch: images has shape {Tensor.FormatShape(images.Shape)}, expected [batch, {Features}].", nameof(images));
        }

        int batch = images.Dim(0);
        CheckBatchSize(batch);
        if (oneHot is not null && (oneHot.Rank != 2 || oneHot.Dim(0) != batch || oneHot.Dim(1) != Classes))
        {
            throw new ArgumentException(
                $"DataSet.NextBatch: oneHot has shape {Tensor.FormatShape(oneHot.Shape)}, expected [{batch}, {Classes}].", nameof(oneHot));
        }

        if (classes.Length != batch)
        {
            throw new ArgumentException(
                $"DataSet.NextBatch: classes has {classes.Length} elements, expected {batch} (the batch size).", nameof(classes));
        }

        if (!_started)
        {
            _started = true;
            Reorder();
        }

        int filled = 0;
        if (IndexInEpoch + batch > Count)
        {
            // The rest of this epoch, then a new order for the next.
            filled = Count - IndexInEpoch;
            Gather(IndexInEpoch, filled, 0, images, oneHot, classes);
            EpochsCompleted++;
            Reorder();
            IndexInEpoch = 0;
        }

        Gather(IndexInEpoch, batch - filled, filled, images, oneHot, classes);
        IndexInEpoch += batch - filled;
    }

    /// <summary>
    /// A new data set holding a copy of examples [<paramref name="start"/>, <paramref name="start"/> + <paramref name="count"/>),
    /// with this set's classes, seed and shuffling, and its own fresh batch position.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside the data set.</exception>
    public DataSet Slice(int start, int count)
    {
        if (start < 0 || count < 0 || start > Count - count)
        {
            throw new ArgumentOutOfRangeException(
                nameof(count), $"DataSet.Slice: examples [{start}, {(long)start + count}) are not inside [0, {Count}).");
        }

        int f = Features;
        var images = new Tensor(Images.Data.AsSpan(start * f, count * f).ToArray(), count, f);
        return new DataSet(images, Labels.AsSpan(start, count).ToArray(), Classes, Seed, Shuffle);
    }

    /// <summary>The first <paramref name="count"/> examples as a new data set (for example the 128 test images the tutorials score).</summary>
    public DataSet Take(int count) => Slice(0, count);

    /// <summary>One-hot rows <c>[N, C]</c> for class indices <c>[N]</c>.</summary>
    internal static Tensor OneHot(ReadOnlySpan<int> labels, int classes)
    {
        var oneHot = new Tensor(labels.Length, classes);
        for (int i = 0; i < labels.Length; i++)
        {
            oneHot.Data[i * classes + labels[i]] = 1f;
        }

        return oneHot;
    }

    private void CheckBatchSize(int batchSize)
    {
        if (batchSize < 1 || batchSize > Count)
        {
            throw new ArgumentOutOfRangeException(
                nameof(batchSize), batchSize, $"DataSet.NextBatch: the batch size must be in [1, {Count}] (the number of examples); received {batchSize}.");
        }
    }

    private void Reorder()
    {
        if (Shuffle)
        {
            _rng.Shuffle(_order.AsSpan());
        }
    }

    /// <summary>Copies examples <c>_order[from .. from + count)</c> into batch rows <c>[to, to + count)</c>.</summary>
    private void Gather(int from, int count, int to, Tensor images, Tensor? oneHot, Span<int> classes)
    {
        int f = Features, c = Classes;
        float[] source = Images.Data;
        for (int k = 0; k < count; k++)
        {
            int example = _order[from + k];
            int row = to + k;
            source.AsSpan(example * f, f).CopyTo(images.Data.AsSpan(row * f, f));
            int label = Labels[example];
            classes[row] = label;
            if (oneHot is not null)
            {
                Span<float> hot = oneHot.Data.AsSpan(row * c, c);
                hot.Clear();
                hot[label] = 1f;
            }
        }
    }
}
