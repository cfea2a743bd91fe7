using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recur.IO;

namespace Recur.Cli;

/// <summary>
/// <c>run.json</c> of a run directory: the <c>recur train</c> options the run was started with, as given on the command
/// line, and whether it finished. <c>--resume DIR</c> starts the same run again from them, and refuses options that
/// differ. <c>--out</c>, <c>--threads</c>, <c>--gradient-shards</c> and <c>--data-dir</c> are not part of a run's
/// identity: results are the same on any thread count, the shards change the sums' rounding only (as the count of MPI
/// ranks does, which may also change on resume), and the data are checked by their SHA-256 wherever they are found.
/// </summary>
internal static class RunOptions
{
    /// <summary>The file's name in a run directory.</summary>
    public const string FileName = "run.json";

    private const string Format = "recur.run";

    /// <summary>The options that may differ between a run and its resumption.</summary>
    public static readonly string[] Free = ["--out", "--threads", "--gradient-shards", "--data-dir", "--resume", "--overwrite"];

    /// <summary>The options given on <paramref name="parse"/>'s command line, by name, with their tokens (a flag: "true").</summary>
    public static SortedDictionary<string, string[]> Given(ParseResult parse, IEnumerable<Option> options)
    {
        var given = new SortedDictionary<string, string[]>(StringComparer.Ordinal);
        foreach (Option option in options)
        {
            if (!Free.Contains(option.Name) && parse.GetResult(option) is { Implicit: false } result)
            {
                given[option.Name] = result.Tokens.Select(t => t.Value).ToArray(); // none for a flag
            }
        }

        return given;
    }

    /// <summary>Writes <c>run.json</c> into <paramref name="directory"/>.</summary>
    public static void Write(string directory, IReadOnlyDictionary<string, string[]> options, string status)
    {
        var json = new JsonObject
        {
            ["format"] = Format,
            ["version"] = 1,
            ["status"] = status,
            ["options"] = new JsonObject(options.Select(o => KeyValuePair.Create(o.Key, (JsonNode?)new JsonArray(o.Value.Select(v => (JsonNode)v).ToArray())))),
        };
        AtomicFile.WriteAllText(Path.Combine(directory, FileName), json.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }

    /// <summary>Reads <c>run.json</c> of <paramref name="directory"/>: the options and the status.</summary>
    /// <exception cref="UsageException">The directory does not exist or holds no readable run.</exception>
    public static (SortedDictionary<string, string[]> Options, string Status) Read(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!Directory.Exists(directory))
        {
            throw new UsageException($"--resume {directory}: the directory does not exist; give the --out of the run to continue.");
        }

        if (!File.Exists(path))
        {
            throw new UsageException($"--resume {directory}: it is not a run directory of recur train (it has no {FileName}); give the --out of the run to continue.");
        }

        try
        {
            JsonObject json = Recur.IO.JsonFiles.Read(path) as JsonObject ?? throw new JsonException("the top level is not an object");
            if ((string?)json["format"] != Format || json["options"] is not JsonObject options)
            {
                throw new JsonException($"expected \"format\": \"{Format}\" and an \"options\" object");
            }

            var result = new SortedDictionary<string, string[]>(StringComparer.Ordinal);
            foreach (var (key, value) in options)
            {
                result[key] = (value as JsonArray ?? throw new JsonException($"option {key} has no list of values")).Select(v => (string?)v ?? throw new JsonException($"option {key} has a null value")).ToArray();
            }

            return (result, (string?)json["status"] ?? "running");
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException or FormatException or InvalidDataException)
        {
            throw new UsageException($"--resume {directory}: {path} is damaged ({e.Message}); the run cannot be resumed.");
        }
    }

    /// <summary>The first option given now whose value differs from the run's, as a message; null when they agree.</summary>
    public static string? Conflict(IReadOnlyDictionary<string, string[]> run, IReadOnlyDictionary<string, string[]> now, string directory)
    {
        foreach (var (name, value) in now)
        {
            string[]? saved = run.GetValueOrDefault(name);
            if (saved is null || !saved.SequenceEqual(value))
            {
                string was = saved is null ? $"the run did not set {name}" : $"the run used {Show(name, saved)}";
                return $"--resume {directory}: {Show(name, value)} differs from the run's options ({was}); resume with the run's options (leave them out), or start a new run with another --out.";
            }
        }

        return null;
    }

    /// <summary>The command line of the run's options, to parse again.</summary>
    public static List<string> Arguments(IReadOnlyDictionary<string, string[]> options)
    {
        var args = new List<string>();
        foreach (var (name, value) in options)
        {
            args.Add(name);
            args.AddRange(value);
        }

        return args;
    }

    private static string Show(string name, string[] value) => string.Join(" ", value.Prepend(name));
}
