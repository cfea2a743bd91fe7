using Recur.Tensors;

namespace Recur.Data;

/// <summary>
/// Labelled sequences for classification, as <see cref="SequenceFiles"/> reads them: a
/// <see cref="DataSet"/> whose examples are the flattened sequences <c>[N, T · F]</c> (so
/// <see cref="DataSet.NextBatch(int)"/>, one-hot labels and shuffling work as for MNIST), and the
/// sequence shape <c>[T, F]</c> a recurrent model reads them in.
/// </summary>
public sealed class SequenceData
{
    /// <summary>Wraps <paramref name="data"/>, whose examples are sequences of <paramref name="steps"/> × <paramref name="features"/>.</summary>
    /// <exception cref="ArgumentException">The data set's features are not <paramref name="steps"/> · <paramref name="features"/>.</exception>
    public SequenceData(DataSet data, int steps, int features)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        if ((long)steps * features != data.Features)
        {
            throw new ArgumentException(
                $"SequenceData: examples of {data.Features} values are not sequences of {steps} steps × {features} features.", nameof(data));
        }

        Data = data;
        Steps = steps;
        Features = features;
    }

    /// <summary>The examples, <c>[N, T · F]</c>, and labels, <c>[N]</c>.</summary>
    public DataSet Data { get; }

    /// <summary>T, the steps per sequence.</summary>
    public int Steps { get; }

    /// <summary>F, the features per step.</summary>
    public int Features { get; }

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
        DataSet source = Data;
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

        DataSet validationSet = source.Slice(train, validation);
        validationSet = new DataSet(validationSet.Images, validationSet.Labels, Classes, unchecked(Data.Seed + 1), Data.Shuffle);
        return (new SequenceData(source.Slice(0, train), Steps, Features), new SequenceData(validationSet, Steps, Features));
    }

    /// <summary>The examples in <paramref name="order"/>, as a new data set with this one's settings.</summary>
    private DataSet Gather(int[] order)
    {
        int f = Data.Features;
        var images = new float[Data.Images.Length];
        var labels = new int[order.Length];
        for (int i = 0; i < order.Length; i++)
        {
            Data.Images.Data.AsSpan(order[i] * f, f).CopyTo(images.AsSpan(i * f, f));
            labels[i] = Data.Labels[order[i]];
        }

        return new DataSet(new Tensor(images, Count, f), labels, Classes, Data.Seed, Data.Shuffle);
    }
}
