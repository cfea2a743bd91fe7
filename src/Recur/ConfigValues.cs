using System.Text.Json.Nodes;

namespace Recur;

/// <summary>The arguments of a <c>config</c> that a kind registered with its own reader takes apart (an optimizer's, a loss's).</summary>
internal static class ConfigValues
{
    /// <summary>The number <paramref name="key"/> of <paramref name="kind"/>'s config.</summary>
    /// <exception cref="InvalidDataException">It is missing or not a number.</exception>
    public static double Number(this JsonObject config, string key, string kind) =>
        config[key] is JsonValue v && v.TryGetValue(out double d) ? d : throw Missing(key, kind, "number");

    /// <summary>The true-or-false argument <paramref name="key"/> of <paramref name="kind"/>'s config.</summary>
    /// <exception cref="InvalidDataException">It is missing or not true or false.</exception>
    public static bool Flag(this JsonObject config, string key, string kind) =>
        config[key] is JsonValue v && v.TryGetValue(out bool b) ? b : throw Missing(key, kind, "true or false");

    private static InvalidDataException Missing(string key, string kind, string what) =>
        new($"the {kind} config has no \"{key}\" ({what}); re-save the model.");
}
