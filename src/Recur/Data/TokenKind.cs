namespace Recur.Data;

/// <summary>What a <see cref="Vocabulary"/> cuts a text into.</summary>
public enum TokenKind
{
    /// <summary>
    /// One token per Unicode code point (a <see cref="System.Text.Rune"/>, what Python's <c>list(text)</c>
    /// gives), case and accents kept as written; no normalization.
    /// </summary>
    Characters,

    /// <summary>Words: the runs of text between white space (Python's <c>text.split()</c>), case kept.</summary>
    Words,
}
