using System.Text.Json;
using System.Text.Json.Nodes;

namespace Recur.IO;

/// <summary>
/// Reads JSON within <see cref="ReadLimits.Current"/>: a file no longer than <see cref="ReadLimits.MaxJsonBytes"/>
/// (checked before it is read), nested no deeper than <see cref="ReadLimits.MaxJsonDepth"/>. Every JSON file Recur
/// reads (config.json, a vocabulary, run state, checkpoint pointers) goes through here.
/// </summary>
public static class JsonFiles
{
    /// <summary>Parses the UTF-8 file <paramref name="path"/> (a byte order mark is skipped).</summary>
    /// <exception cref="InvalidDataException">The file is longer than <see cref="ReadLimits.MaxJsonBytes"/> or is not UTF-8; the message names it.</exception>
    /// <exception cref="JsonException">The file is not JSON, or nests deeper than <see cref="ReadLimits.MaxJsonDepth"/>.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static JsonNode? Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ReadLimits limits = ReadLimits.Current;
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        if (stream.Length > limits.MaxJsonBytes)
        {
            throw new InvalidDataException(
                $"'{path}' is {stream.Length:N0} bytes, more than the {limits.MaxJsonBytes:N0} a JSON file may have (ReadLimits.MaxJsonBytes); " +
                "it is not a file Recur wrote, or raise ReadLimits.Current.MaxJsonBytes.");
        }

        var bytes = new byte[stream.Length];
        stream.ReadExactly(bytes);
        ReadOnlySpan<byte> json = bytes.AsSpan().StartsWith("\xEF\xBB\xBF"u8) ? bytes.AsSpan(3) : bytes;
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            throw new InvalidDataException($"'{path}' is not UTF-8 text, so it is not a JSON file Recur wrote; the file is damaged.");
        }

        try
        {
            return JsonNode.Parse(json, documentOptions: Options(limits));
        }
        catch (JsonException e) when (OneLine(e) is { } oneLine)
        {
            throw oneLine;
        }
    }

    /// <summary>Parses JSON text (such as a metadata string) nested no deeper than <see cref="ReadLimits.MaxJsonDepth"/>.</summary>
    /// <exception cref="JsonException">The text is not JSON, or nests too deeply.</exception>
    public static JsonNode? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        try
        {
            return JsonNode.Parse(text, documentOptions: Options(ReadLimits.Current));
        }
        catch (JsonException e) when (OneLine(e) is { } oneLine)
        {
            throw oneLine;
        }
    }

    /// <summary>
    /// A one-line replacement for a parser message that quotes the rest of the document (an invalid literal does),
    /// line breaks and all; null when the message is short and on one line already.
    /// </summary>
    private static JsonException? OneLine(JsonException e) =>
        e.Message.Contains('\n') || e.Message.Length > 300
            ? new JsonException(Where(e), e.Path, e.LineNumber, e.BytePositionInLine, e)
            : null;

    /// <summary>The parser's message when it is short and on one line, else where the JSON went wrong: for a message quoted inside another.</summary>
    internal static string Describe(JsonException e) => OneLine(e) is null ? e.Message : Where(e);

    private static string Where(JsonException e) => $"invalid JSON at line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1} of the line";

    /// <summary>Depth bounded; a property named twice in one object is refused when parsed (otherwise it would throw later, when the object is read).</summary>
    internal static JsonDocumentOptions Options(ReadLimits limits) => new() { MaxDepth = limits.MaxJsonDepth, AllowDuplicateProperties = false };
}
