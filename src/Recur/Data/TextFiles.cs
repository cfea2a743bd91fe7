using System.Text;
using Recur.IO;

namespace Recur.Data;

/// <summary>
/// Reads and writes labelled texts, one per line: <c>label&lt;TAB&gt;text</c> in UTF-8 (a byte order mark is
/// allowed). The label is everything before the first tab, the text everything after it (further tabs are
/// part of the text); blank lines are skipped; a line without a tab is an error naming the file and line.
/// Labels are class names, mapped to ids in ordinal order of the names (or to given names).
/// </summary>
public static class TextFiles
{
    /// <summary>
    /// Reads <paramref name="path"/> and encodes its texts into ids <c>[N, T]</c> padded at the end with 0, with their
    /// lengths and class ids (see <see cref="TextFileOptions"/>).
    /// </summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFileException">
    /// The file holds no line, a line has no tab, a label is empty or not among the given class names, or a text has no token.
    /// </exception>
    public static TextData Read(string path, TextFileOptions? options = null)
    {
        options ??= new TextFileOptions();
        if (options.MaxLength is int max)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max, nameof(options));
        }

        var (labels, texts, lines) = ReadLines(path);
        IReadOnlyList<string> names = options.ClassNames ?? labels.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        for (int c = 0; c < names.Count; c++)
        {
            ids.TryAdd(names[c], c);
        }

        var classes = new int[labels.Count];
        for (int i = 0; i < classes.Length; i++)
        {
            if (!ids.TryGetValue(labels[i], out classes[i]))
            {
                throw new DataFileException(path,
                    $"'{path}' line {lines[i]}: label '{labels[i]}' is not one of the {names.Count} classes ({Shorten(names)}); fix the label, or read the file with the classes it belongs to.");
            }
        }

        Vocabulary vocabulary = options.Vocabulary ?? Vocabulary.Build(texts, options.Tokens, options.MaxVocabularySize, options.MinCount);
        for (int i = 0; i < texts.Count; i++)
        {
            if (!Vocabulary.Tokenize(texts[i], vocabulary.Kind).Any())
            {
                throw new DataFileException(path,
                    $"'{path}' line {lines[i]}: the text after the tab has no {(vocabulary.Kind == TokenKind.Words ? "word" : "character")}; every line needs a text of at least one token. Drop the line or fill it in.");
            }
        }

        return TextData.Encode(texts, classes, names, vocabulary, options.MaxLength, options.Seed, options.Shuffle);
    }

    /// <summary>The labels and texts of <paramref name="path"/>'s lines, with each line's 1-based number.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFileException">The file holds no line, a line has no tab, or a label is empty.</exception>
    public static (List<string> Labels, List<string> Texts, List<int> Lines) ReadLines(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(Directory.Exists(path) ? $"'{path}' is a directory; give a text file of label<TAB>text lines." : $"'{path}' does not exist.", path);
        }

        List<string> labels = [], texts = [];
        List<int> lines = [];
        var utf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
        using var reader = new StreamReader(path, utf8, detectEncodingFromByteOrderMarks: true);
        int number = 0;
        try
        {
            while (reader.ReadLine() is string line)
            {
                number++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                int tab = line.IndexOf('\t');
                if (tab < 0)
                {
                    throw new DataFileException(path,
                        $"'{path}' line {number} has no tab; each line is a label, a tab and the text (label<TAB>text). Separate the label with a tab, not spaces or a comma.");
                }

                string label = line[..tab].Trim();
                if (label.Length == 0)
                {
                    throw new DataFileException(path, $"'{path}' line {number} has an empty label before its tab; each line starts with the text's class name.");
                }

                labels.Add(label);
                texts.Add(line[(tab + 1)..]);
                lines.Add(number);
            }
        }
        catch (DecoderFallbackException e)
        {
            throw new DataFileException(path, $"'{path}' line {number + 1} is not UTF-8 ({e.Message}); save the file as UTF-8.", e);
        }

        if (labels.Count == 0)
        {
            throw new DataFileException(path, $"'{path}' holds no texts; each line is a label, a tab and the text (label<TAB>text).");
        }

        return (labels, texts, lines);
    }

    /// <summary>Writes <c>label&lt;TAB&gt;text</c> lines (UTF-8, no byte order mark, <c>\n</c> endings) to <paramref name="path"/> atomically.</summary>
    /// <exception cref="ArgumentException">A label is empty or holds a tab or line break, or a text holds a line break.</exception>
    public static void Write(string path, IEnumerable<(string Label, string Text)> rows)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(rows);
        var text = new StringBuilder();
        int i = 0;
        foreach ((string label, string body) in rows)
        {
            if (string.IsNullOrWhiteSpace(label) || label.AsSpan().IndexOfAny('\t', '\n', '\r') >= 0 || body.AsSpan().IndexOfAny('\n', '\r') >= 0)
            {
                throw new ArgumentException(
                    $"TextFiles.Write: row {i} ('{label}', '{body}') cannot be one line: a label is not empty and holds no tab or line break, a text holds no line break.", nameof(rows));
            }

            text.Append(label).Append('\t').Append(body).Append('\n');
            i++;
        }

        AtomicFile.WriteAllText(path, text.ToString());
    }

    private static string Shorten(IReadOnlyList<string> names) =>
        names.Count <= 10 ? string.Join(", ", names) : string.Join(", ", names.Take(10)) + ", …";
}
