using Recur.Tensors;

namespace Recur.Data;

/// <summary>
/// Labelled texts as token ids: <see cref="Sequences"/> (ids <c>[N, T]</c> padded at the end with 0, lengths,
/// class labels), the class names, and the vocabulary that encoded them.
/// </summary>
public sealed class TextData
{
    /// <summary>Wraps encoded texts.</summary>
    /// <exception cref="ArgumentException">The sequences are not one id per step, or the class names do not match the classes.</exception>
    public TextData(SequenceData sequences, IReadOnlyList<string> classNames, Vocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (sequences.Features != 1 || classNames.Count != sequences.Classes)
        {
            throw new ArgumentException(
                $"TextData: the sequences have {sequences.Features} features per step and {sequences.Classes} classes; expected 1 (a token id) and {classNames.Count} (the class names).",
                nameof(sequences));
        }

        Sequences = sequences;
        ClassNames = classNames;
        Vocabulary = vocabulary;
    }

    /// <summary>The ids as sequences of one feature <c>[N, T, 1]</c>, flat in <see cref="SequenceData.Data"/> as <c>[N, T]</c>, with lengths (always set) and labels.</summary>
    public SequenceData Sequences { get; }

    /// <summary>The token ids <c>[N, T]</c> (exact integers as floats; 0 is padding).</summary>
    public Tensor Ids => Sequences.Data.Images;

    /// <summary>Each text's number of tokens <c>[N]</c>, in [1, T].</summary>
    public int[] Lengths => Sequences.Lengths ?? Enumerable.Repeat(Sequences.Steps, Count).ToArray();

    /// <summary>The class of each text <c>[N]</c>, an index into <see cref="ClassNames"/>.</summary>
    public int[] Labels => Sequences.Data.Labels;

    /// <summary>The name of each class, by id.</summary>
    public IReadOnlyList<string> ClassNames { get; }

    /// <summary>The vocabulary the ids belong to.</summary>
    public Vocabulary Vocabulary { get; }

    /// <summary>N, the number of texts.</summary>
    public int Count => Sequences.Count;

    /// <summary>
    /// Encodes <paramref name="texts"/> with their <paramref name="labels"/> (indices into <paramref name="classNames"/>).
    /// </summary>
    /// <param name="texts">N texts, each with at least one token.</param>
    /// <param name="labels">N class indices.</param>
    /// <param name="classNames">The class names by id.</param>
    /// <param name="vocabulary">Encodes the texts.</param>
    /// <param name="maxLength">The most tokens kept per text; null for all.</param>
    /// <param name="seed">Seeds the data set's shuffling.</param>
    /// <param name="shuffle">Whether the data set shuffles its batches.</param>
    /// <exception cref="ArgumentException">The counts differ, a text has no token, or a label is not a class.</exception>
    public static TextData Encode(
        IReadOnlyList<string> texts, int[] labels, IReadOnlyList<string> classNames, Vocabulary vocabulary, int? maxLength = null, ulong seed = 0, bool shuffle = true)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(classNames);
        ArgumentNullException.ThrowIfNull(vocabulary);
        if (labels.Length != texts.Count)
        {
            throw new ArgumentException($"TextData.Encode: {labels.Length} labels for {texts.Count} texts; give one label per text.", nameof(labels));
        }

        (Tensor ids, int[] lengths) = vocabulary.EncodeBatch(texts, maxLength);
        var data = new DataSet(ids, labels, Math.Max(1, classNames.Count), seed, shuffle);
        return new TextData(new SequenceData(data, ids.Dim(1), 1, lengths), classNames, vocabulary);
    }
}
