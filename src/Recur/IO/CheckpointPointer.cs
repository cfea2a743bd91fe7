using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Recur.IO;

/// <summary>
/// The <c>checkpoint</c> file of a run directory: which folder under <c>checkpoints/</c> is the last checkpoint and which
/// the best, as <c>{"format": "recur.checkpoint", "version": 1, "last": "step-00000400", "best": "step-00000200"}</c>
/// (<c>best</c> is null until a checkpoint is written as the best).
/// </summary>
internal sealed partial record CheckpointPointer(string Last, string? Best)
{
    private const string Format = "recur.checkpoint";

    /// <summary>A checkpoint folder's name: the checkpoint's name, then <c>.N</c> when that name was written again while its folder was kept.</summary>
    [GeneratedRegex(@"^[A-Za-z0-9_-]{1,100}(\.[0-9]{1,9})?$")]
    internal static partial Regex FolderName();

    /// <summary>The file's content, UTF-8.</summary>
    public byte[] ToBytes() => Encoding.UTF8.GetBytes(new JsonObject
    {
        ["format"] = Format,
        ["version"] = 1,
        ["last"] = Last,
        ["best"] = Best,
    }.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");

    /// <summary>The pointer in <paramref name="path"/>, or null when there is no such file.</summary>
    /// <exception cref="InvalidDataException">The file is not a checkpoint pointer, or names a folder outside <c>checkpoints/</c>.</exception>
    public static CheckpointPointer? Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }

        try
        {
            JsonObject json = JsonFiles.Parse(text) as JsonObject ?? throw new InvalidDataException("it is not a JSON object");
            if ((string?)json["format"] != Format)
            {
                throw new InvalidDataException($"its \"format\" is not \"{Format}\"");
            }

            string last = (string?)json["last"] ?? throw new InvalidDataException("it has no \"last\"");
            string? best = (string?)json["best"];
            foreach (string? folder in new[] { last, best })
            {
                if (folder is not null && !FolderName().IsMatch(folder))
                {
                    throw new InvalidDataException($"'{folder}' is not a checkpoint folder name");
                }
            }

            return new CheckpointPointer(last, best);
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or InvalidDataException)
        {
            throw new InvalidDataException($"{path} is not a valid checkpoint pointer ({e.Message}); it was changed by hand or by another program.", e);
        }
    }
}
