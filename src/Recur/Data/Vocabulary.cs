using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recur.IO;
using Recur.Tensors;

namespace Recur.Data;

/// <summary>
/// Token ids for texts: id 0 is padding (<see cref="PaddingId"/>), id 1 stands for every token not in the
/// vocabulary (<see cref="UnknownId"/>), and ids 2, 3, … are the tokens of the training texts by descending
/// count, ties in ordinal (UTF-16 code unit) order — so the same texts always give the same ids. Ids are
/// carried in float tensors as exact integers (every id below 2²⁴ is exact in float32).
/// </summary>
/// <remarks>
/// Saved as JSON: <c>{"format": "recur.vocabulary", "version": 1, "kind": "characters" | "words",
/// "tokens": [the token of id 2, id 3, …]}</c>; ids 0 and 1 are implied.
/// </remarks>
public sealed class Vocabulary
{
    /// <summary>The id of padding, after a sequence's end.</summary>
    public const int PaddingId = 0;

    /// <summary>The id of every token not in the vocabulary.</summary>
    public const int UnknownId = 1;

    /// <summary>The value of the JSON form's <c>format</c> field.</summary>
    public const string Format = "recur.vocabulary";

    private readonly string[] _tokens;
    private readonly Dictionary<string, int> _ids;

    /// <summary>A vocabulary of <paramref name="tokens"/> (the tokens of ids 2, 3, …, in that order).</summary>
    /// <exception cref="ArgumentException">A token is empty, repeated, or not a single token of <paramref name="kind"/>.</exception>
    public Vocabulary(TokenKind kind, IEnumerable<string> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (!Enum.IsDefined(kind))
        {
            throw new ArgumentOutOfRangeException(nameof(kind), kind, "Vocabulary: the kind is Characters or Words.");
        }

        Kind = kind;
        _tokens = tokens.ToArray();
        _ids = new Dictionary<string, int>(_tokens.Length, StringComparer.Ordinal);
        for (int i = 0; i < _tokens.Length; i++)
        {
            string token = _tokens[i];
            if (!IsToken(token, kind))
            {
                throw new ArgumentException(
                    $"Vocabulary: token {i + 2} is {Quoted(token)}, which is not one {(kind == TokenKind.Characters ? "character (code point)" : "word without white space")}.", nameof(tokens));
            }

            if (!_ids.TryAdd(token, i + 2))
            {
                throw new ArgumentException($"Vocabulary: token {Quoted(token)} is given twice (ids {_ids[token]} and {i + 2}); each token has one id.", nameof(tokens));
            }
        }
    }

    /// <summary>What the texts are cut into.</summary>
    public TokenKind Kind { get; }

    /// <summary>The number of ids, padding and unknown included: ids are 0 … <see cref="Count"/> − 1 (an embedding's input size).</summary>
    public int Count => _tokens.Length + 2;

    /// <summary>The tokens of ids 2, 3, … in order.</summary>
    public IReadOnlyList<string> Tokens => _tokens;

    /// <summary>
    /// Builds the vocabulary of <paramref name="texts"/>: every token occurring at least
    /// <paramref name="minCount"/> times, by descending count, ties in ordinal order, cut to
    /// <paramref name="maxSize"/> ids in all (padding and unknown included, as Keras's <c>max_tokens</c>).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxSize"/> is below 2 or <paramref name="minCount"/> below 1.</exception>
    public static Vocabulary Build(IEnumerable<string> texts, TokenKind kind, int? maxSize = null, int minCount = 1)
    {
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfLessThan(minCount, 1);
        if (maxSize is int size)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(size, 2, nameof(maxSize));
        }

        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (string text in texts)
        {
            foreach (string token in Tokenize(text, kind))
            {
                counts[token] = counts.GetValueOrDefault(token) + 1;
            }
        }

        IEnumerable<string> ordered = counts
            .Where(pair => pair.Value >= minCount)
            .OrderByDescending(pair => pair.Value)
            .ThenBy(pair => pair.Key, StringComparer.Ordinal)
            .Select(pair => pair.Key);
        if (maxSize is int max)
        {
            ordered = ordered.Take(max - 2);
        }

        return new Vocabulary(kind, ordered);
    }

    /// <summary>The tokens of <paramref name="text"/>: its code points, or its white-space-separated words.</summary>
    public static IEnumerable<string> Tokenize(string text, TokenKind kind)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (kind == TokenKind.Words)
        {
            return text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        }

        return text.EnumerateRunes().Select(rune => rune.ToString());
    }

    /// <summary>The id of <paramref name="token"/>: its own, or <see cref="UnknownId"/>.</summary>
    public int IdOf(string token) => _ids.TryGetValue(token, out int id) ? id : UnknownId;

    /// <summary>The token of <paramref name="id"/> (<c>&lt;pad&gt;</c> for 0, <c>&lt;unk&gt;</c> for 1).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="id"/> is not in [0, <see cref="Count"/>).</exception>
    public string TokenOf(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, Count);
        return id switch
        {
            PaddingId => "<pad>",
            UnknownId => "<unk>",
            _ => _tokens[id - 2],
        };
    }

    /// <summary>The ids of <paramref name="text"/>'s tokens, the first <paramref name="maxLength"/> if given.</summary>
    public int[] Encode(string text, int? maxLength = null)
    {
        IEnumerable<int> ids = Tokenize(text, Kind).Select(IdOf);
        return (maxLength is int max ? ids.Take(max) : ids).ToArray();
    }

    /// <summary>
    /// Encodes <paramref name="texts"/> into ids <c>[N, Tmax]</c> (floats holding exact integers), padded at the end
    /// with <see cref="PaddingId"/>, and each text's number of tokens (its length, in [1, Tmax]). Tmax is the
    /// longest text's tokens, or <paramref name="maxLength"/> when given (longer texts are cut to it).
    /// </summary>
    /// <param name="texts">N texts, each with at least one token.</param>
    /// <param name="maxLength">The most tokens kept per text; null for all.</param>
    /// <returns><c>ids [N, Tmax]</c> and <c>lengths [N]</c>.</returns>
    /// <exception cref="ArgumentException">A text has no token, or there are no texts.</exception>
    public (Tensor Ids, int[] Lengths) EncodeBatch(IReadOnlyList<string> texts, int? maxLength = null)
    {
        ArgumentNullException.ThrowIfNull(texts);
        if (maxLength is int max)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(max, nameof(maxLength));
        }

        if (texts.Count == 0)
        {
            throw new ArgumentException("Vocabulary.EncodeBatch: there are no texts; give at least one.", nameof(texts));
        }

        var encoded = new int[texts.Count][];
        int longest = 0;
        for (int i = 0; i < encoded.Length; i++)
        {
            encoded[i] = Encode(texts[i], maxLength);
            if (encoded[i].Length == 0)
            {
                throw new ArgumentException(
                    $"Vocabulary.EncodeBatch: text {i} ('{texts[i]}') has no {(Kind == TokenKind.Words ? "word" : "character")}; every sequence needs at least one token.", nameof(texts));
            }

            longest = Math.Max(longest, encoded[i].Length);
        }

        var ids = new Tensor(encoded.Length, longest);
        var lengths = new int[encoded.Length];
        for (int i = 0; i < encoded.Length; i++)
        {
            lengths[i] = encoded[i].Length;
            Span<float> row = ids.Data.AsSpan(i * longest, longest);
            for (int t = 0; t < encoded[i].Length; t++)
            {
                row[t] = encoded[i][t];
            }
        }

        return (ids, lengths);
    }

    /// <summary>The JSON form (see the remarks).</summary>
    public JsonObject ToJson() => new()
    {
        ["format"] = Format,
        ["version"] = 1,
        ["kind"] = KindName(Kind),
        ["tokens"] = new JsonArray(_tokens.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
    };

    /// <summary>Reads the JSON form; <paramref name="source"/> names where it came from in errors.</summary>
    /// <exception cref="InvalidDataException">The JSON is not a vocabulary of this version.</exception>
    public static Vocabulary FromJson(JsonNode? json, string source)
    {
        try
        {
            if (json is not JsonObject o || (string?)o["format"] != Format)
            {
                throw new InvalidDataException($"{source} is not a Recur vocabulary: it needs \"format\": \"{Format}\".");
            }

            if ((int?)o["version"] != 1)
            {
                throw new InvalidDataException($"{source} is vocabulary version {o["version"]?.ToJsonString() ?? "(missing)"}; this Recur reads version 1.");
            }

            string? kind = (string?)o["kind"];
            TokenKind parsed = kind switch
            {
                "characters" => TokenKind.Characters,
                "words" => TokenKind.Words,
                _ => throw new InvalidDataException($"{source} has \"kind\": {o["kind"]?.ToJsonString() ?? "(missing)"}; expected \"characters\" or \"words\"."),
            };
            if (o["tokens"] is not JsonArray tokens)
            {
                throw new InvalidDataException($"{source} has no \"tokens\" array (the tokens of ids 2, 3, …).");
            }

            return new Vocabulary(parsed, tokens.Select(t => (string?)t ?? throw new InvalidDataException($"{source}: a token is null; tokens are strings.")));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{source} is not a valid vocabulary: {e.Message.TrimEnd('.')}", e);
        }
    }

    /// <summary>Saves the JSON form to <paramref name="path"/> atomically (UTF-8, indented).</summary>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes = Encoding.UTF8.GetBytes(ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>Loads a vocabulary saved by <see cref="Save"/>.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFileException">The file is not a vocabulary (not JSON, another format, a bad token).</exception>
    public static Vocabulary Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"'{path}' does not exist; save a vocabulary with Vocabulary.Save first.", path);
        }

        try
        {
            return FromJson(Recur.IO.JsonFiles.Read(path), $"'{path}'");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            string reason = e is JsonException ? $"'{path}' is not JSON ({e.Message})" : e.Message;
            throw new DataFileException(path, $"{reason}. Save the vocabulary again with Vocabulary.Save (or recur train).", e);
        }
    }

    private static string KindName(TokenKind kind) => kind == TokenKind.Words ? "words" : "characters";

    private static bool IsToken(string token, TokenKind kind)
    {
        if (string.IsNullOrEmpty(token))
        {
            return false;
        }

        return kind == TokenKind.Words
            ? !token.Any(char.IsWhiteSpace)
            : Rune.DecodeFromUtf16(token, out _, out int used) == System.Buffers.OperationStatus.Done && used == token.Length;
    }

    /// <summary>A token as a JSON string literal, so a line break or a lone surrogate in it cannot break a one-line message.</summary>
    private static string Quoted(string token) => JsonSerializer.Serialize(token);
}
