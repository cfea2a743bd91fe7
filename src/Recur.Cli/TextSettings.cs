using Recur.Data;

namespace Recur.Cli;

/// <summary>What <c>recur train --text</c> reads: labelled texts, <c>label&lt;TAB&gt;text</c> per line, as token ids.</summary>
internal sealed record TextSettings
{
    /// <summary>The file of <c>label&lt;TAB&gt;text</c> lines.</summary>
    public required string Path { get; init; }

    /// <summary>Characters or words.</summary>
    public TokenKind Tokens { get; init; }

    /// <summary>The most ids of the vocabulary built from the file (padding and unknown included); null: every token.</summary>
    public int? VocabularySize { get; init; }

    /// <summary>The most tokens kept per text; null: the longest text's.</summary>
    public int? MaxLength { get; init; }

    /// <summary>D, the width of the embedding of a token.</summary>
    public int EmbeddingDim { get; init; } = 32;

    /// <summary>The last fraction of the texts held out for validation.</summary>
    public double ValidationSplit { get; init; } = 0.1;

    /// <summary>Null when the settings make sense, else a one-line description of the first problem.</summary>
    public string? Validate()
    {
        return (VocabularySize is int v ? OptionLimits.VocabularySize.Problem("--vocabulary-size", v) : null)
            ?? (MaxLength is int m ? OptionLimits.SequenceLength.Problem("--max-length", m) : null)
            ?? OptionLimits.EmbeddingDim.Problem("--embedding-dim", EmbeddingDim)
            ?? OptionLimits.Split.Problem("--validation-split", ValidationSplit);
    }
}
