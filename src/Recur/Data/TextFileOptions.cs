namespace Recur.Data;

/// <summary>How <see cref="TextFiles"/> reads <c>label&lt;TAB&gt;text</c> lines into token ids.</summary>
public sealed record TextFileOptions
{
    /// <summary>Characters or words (default characters); ignored when <see cref="Vocabulary"/> is given (its kind is used).</summary>
    public TokenKind Tokens { get; init; } = TokenKind.Characters;

    /// <summary>
    /// The vocabulary to encode with (a test file with the training file's vocabulary); null (the default)
    /// builds one from this file's texts with <see cref="MaxVocabularySize"/> and <see cref="MinCount"/>.
    /// </summary>
    public Vocabulary? Vocabulary { get; init; }

    /// <summary>The most ids of a built vocabulary, padding and unknown included (Keras's <c>max_tokens</c>); null: no limit.</summary>
    public int? MaxVocabularySize { get; init; }

    /// <summary>The fewest occurrences of a token for a built vocabulary to keep it (default 1).</summary>
    public int MinCount { get; init; } = 1;

    /// <summary>The most tokens kept per text (longer texts are cut at the end); null: the longest text's length.</summary>
    public int? MaxLength { get; init; }

    /// <summary>
    /// The class names, in id order (a test file with the training file's classes); a label not among them is an
    /// error. Null (the default): the file's distinct labels in ordinal order.
    /// </summary>
    public IReadOnlyList<string>? ClassNames { get; init; }

    /// <summary>Seeds the shuffling of the returned <see cref="DataSet"/>.</summary>
    public ulong Seed { get; init; }

    /// <summary>Whether the returned <see cref="DataSet"/> shuffles its batches (default true).</summary>
    public bool Shuffle { get; init; } = true;
}
