using Recur.Tensors;

namespace Recur.Data;

/// <summary>
/// Labelled sequences, as <see cref="SequenceFiles"/>, <see cref="TextFiles"/> and <see cref="TimeSeriesWindows"/>
/// make them: a <see cref="DataSet"/> whose examples are the flattened sequences <c>[N, T · F]</c> (so
/// <see cref="DataSet.NextBatch(int)"/>, one-hot labels and shuffling work as for MNIST), the
/// sequence shape <c>[T, F]</c> a recurrent model reads them in, and optionally each sequence's length
/// (sequences of different lengths, padded at the end) and float targets (regression).
/// </summary>
/// <remarks>
/// For regression (<see cref="Targets"/> not null) the data set's labels are all 0 of one class: they
/// only carry the shuffling and batching; the targets are <see cref="Targets"/>.
/// </remarks>
public sealed class SequenceData
{
    /// <summary>Wraps <paramref name="data"/>, whose examples are sequences of <paramref name="steps"/> × <paramref name="features"/>.</summary>
    /// <param name="data">The examples <c>[N, T · F]</c> and class labels <c>[N]</c>.</param>
    /// <param name="steps">T, the (padded) steps per sequence.</param>
    /// <param name="features">F, the features per step.</param>
    /// <param name="lengths">
    /// Each sequence's number of valid steps, in [1, T], as PyTorch's <c>pack_padded_sequence</c> takes them
    /// (the steps after it are padding); null when every sequence is T steps long.
    /// </param>
    /// <param name="targets">One float target per sequence for regression <c>[N]</c>; null for classification.</param>
    /// <exception cref="ArgumentException">
    /// The data set's features are not <paramref name="steps"/> · <paramref name="features"/>, or the lengths or
    /// targets are not one per sequence, or a length is outside [1, T].
    /// </exception>
    public SequenceData(DataSet data, int steps, int features, int[]? lengths = null, float[]? targets = null)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        if ((long)steps * features != data.Features)
        {
            throw new ArgumentException(
                $"SequenceData: examples of {data.Features} values are not sequences of {steps} steps × {features} features.", nameof(data));
        }

        if (lengths is not null)
        {
            if (lengths.Length != data.Count)
            {
                throw new ArgumentException($"SequenceData: {lengths.Length} lengths for {data.Count} sequences; give one length per sequence.", nameof(lengths));
            }

            for (int i = 0; i < lengths.Length; i++)
            {
                if (lengths[i] < 1 || lengths[i] > steps)
                {
                    throw new ArgumentException(
                        $"SequenceData: lengths[{i}] is {lengths[i]}; a length counts the valid steps of a sequence of {steps} steps, in [1, {steps}].", nameof(lengths));
                }
            }
        }

        if (targets is not null && targets.Length != data.Count)
        {
            throw new ArgumentException($"SequenceData: {targets.Length} targets for {data.Count} sequences; give one target per sequence.", nameof(targets));
        }

        Data = data;
        Steps = steps;
        Features = features;
        Lengths = lengths;
        Targets = targets;
    }

    /// <summary>The examples, <c>[N, T · F]</c>, and labels, <c>[N]</c>.</summary>
    public DataSet Data { get; }

    /// <summary>T, the steps per sequence.</summary>
    public int Steps { get; }

    /// <summary>F, the features per step.</summary>
    public int Features { get; }

    /// <summary>
    /// Each sequence's valid steps <c>[N]</c>, in [1, T] (PyTorch's <c>pack_padded_sequence</c> lengths; the
    /// padding, zeros, is at the end); null when every sequence has all T steps.
    /// </summary>
    public int[]? Lengths { get; }

    /// <summary>The regression targets <c>[N]</c>, one float per sequence; null for classification (the labels are <see cref="DataSet.Labels"/>).</summary>
    public float[]? Targets { get; }

    /// <summary>Whether the sequences carry float targets (<see cref="Targets"/>) rather than classes.</summary>
    public bool IsRegression => Targets is not null;

    /// <summary>The regression targets as a tensor <c>[N, 1]</c> (sharing <see cref="Targets"/>' storage).</summary>
    /// <exception cref="InvalidOperationException">The data is for classification.</exception>
    public Tensor TargetTensor => Targets is float[] t
        ? new Tensor(t, t.Length, 1)
        : throw new InvalidOperationException("SequenceData.TargetTensor: these sequences are labelled with classes, not float targets; use Data.Labels.");

    /// <summary>N, the number of sequences.</summary>
    public int Count => Data.Count;

    /// <summary>C, the number of classes.</summary>
    public int Classes => Data.Classes;

    /// <summary>All sequences, <c>[N, T, F]</c>, sharing the data set's storage.</summary>
    public Tensor Sequences => Data.Images.Reshape(Count, Steps, Features);

    /// <summary>
    /// Splits off the last ⌊N · <paramref name="validationFraction"/>⌋ sequences for validation, as
    /// Keras's <c>validation_split</c> does: taken from the end, before any shuffling, so the same file
    /// and fraction always give the same split. Data sorted by class gives a validation set of the last
    /// classes only; shuffle the rows first, or pass <paramref name="shuffleSeed"/> to split a seeded
    /// random permutation of the sequences instead. The product N · p is taken in decimal, as the fraction
    /// is written (0.29 of 100 sequences is 29, where floating point would give 28.999999999999996).
    /// </summary>
    /// <param name="validationFraction">In [0, 1): the share of sequences held out (0 gives an empty validation set).</param>
    /// <param name="shuffleSeed">Null (the default) for Keras's split; a seed to permute the sequences first (the same seed, the same split).</param>
    /// <returns>
    /// Copies of the sequences: train (the first N − ⌊N · p⌋, seeded like this data set) and validation
    /// (the rest, seeded with the seed + 1); both keep the number of classes.
    /// </returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="validationFraction"/> is not in [0, 1).</exception>
    public (SequenceData Train, SequenceData Validation) Split(double validationFraction, ulong? shuffleSeed = null)
    {
        if (!(validationFraction >= 0 && validationFraction < 1))
        {
            throw new ArgumentOutOfRangeException(
                nameof(validationFraction), validationFraction, "SequenceData.Split: the validation fraction must be in [0, 1).");
        }

        // In decimal, so 0.29 of 100 is 29 (the double product is 28.999999999999996).
        int validation = (int)Math.Floor((decimal)validationFraction * Count);
        int train = Count - validation;
        SequenceData source = this;
        if (shuffleSeed is ulong seed)
        {
            var order = new int[Count];
            for (int i = 0; i < order.Length; i++)
            {
                order[i] = i;
            }

            new Rng(seed).Shuffle(order.AsSpan());
            source = Gather(order);
        }

        return (source.Slice(0, train, Data.Seed), source.Slice(train, validation, unchecked(Data.Seed + 1)));
    }

    /// <summary>
    /// Sequences <paramref name="start"/> … <paramref name="start"/> + <paramref name="count"/> − 1, copied, with their
    /// lengths and targets; the data set is seeded with <paramref name="seed"/> and keeps the classes.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is not inside [0, N).</exception>
    public SequenceData Slice(int start, int count, ulong seed)
    {
        DataSet part = Data.Slice(start, count);
        part = new DataSet(part.Images, part.Labels, Classes, seed, Data.Shuffle);
        return new SequenceData(part, Steps, Features, Lengths?[start..(start + count)], Targets?[start..(start + count)]);
    }

    /// <summary>The sequences in <paramref name="order"/> (indices into this data), as new data with this one's settings.</summary>
    /// <exception cref="IndexOutOfRangeException">An index is outside [0, N).</exception>
    public SequenceData Gather(ReadOnlySpan<int> order)
    {
        int f = Data.Features;
        var images = new float[order.Length * f];
        var labels = new int[order.Length];
        int[]? lengths = Lengths is null ? null : new int[order.Length];
        float[]? targets = Targets is null ? null : new float[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            int j = order[i];
            Data.Images.Data.AsSpan(j * f, f).CopyTo(images.AsSpan(i * f, f));
            labels[i] = Data.Labels[j];
            if (lengths is not null)
            {
                lengths[i] = Lengths![j];
            }

            if (targets is not null)
            {
                targets[i] = Targets![j];
            }
        }

        var data = new DataSet(new Tensor(images, order.Length, f), labels, Classes, Data.Seed, Data.Shuffle);
        return new SequenceData(data, Steps, Features, lengths, targets);
    }
}
