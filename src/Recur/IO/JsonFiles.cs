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
    /// <exception cref="InvalidDataException">The file is longer than <see cref="ReadLimits.MaxJsonBytes"/>; the message names it.</exception>
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
        return JsonNode.Parse(json, documentOptions: Options(limits));
    }

    /// <summary>Parses JSON text (such as a metadata string) nested no deeper than <see cref="ReadLimits.MaxJsonDepth"/>.</summary>
    /// <exception cref="JsonException">The text is not JSON, or nests too deeply.</exception>
    public static JsonNode? Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        return JsonNode.Parse(text, documentOptions: Options(ReadLimits.Current));
    }

    private static JsonDocumentOptions Options(ReadLimits limits) => new() { MaxDepth = limits.MaxJsonDepth };
}
