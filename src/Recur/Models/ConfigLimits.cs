using System.Globalization;
using System.Text.Json.Nodes;

namespace Recur.Models;

/// <summary>
/// The allowed range of every numeric field of a layer in <c>config.json</c>, by its JSON name, in one place: sizes
/// (<c>units</c>, <c>hidden_size</c>, <c>input_dim</c>, …), rates, a forget bias and the initializers' arguments.
/// <see cref="Check"/> runs before a record is read, so a file claiming a billion units is refused in one line naming
/// the file, the field's path (<c>layers[1].config.units</c>), the value and the range — not by an overflow. Whether
/// sizes in range fit in memory together is <see cref="MemoryEstimate"/>'s question.
/// </summary>
internal static class ConfigLimits
{
    /// <summary>The sizes of a layer: units, features, the width of an embedding.</summary>
    private static readonly Range Size = new(1, 1 << 20, Whole: true);

    private static readonly Range Rate = new(0, 1, BelowMax: true);

    private static readonly Range Value = new(-1e6, 1e6);

    private static readonly Dictionary<string, Range> Fields = new(StringComparer.Ordinal)
    {
        ["units"] = Size,
        ["hidden_size"] = Size,
        ["input_size"] = Size,
        ["in_features"] = Size,
        ["out_features"] = Size,
        ["output_dim"] = Size,
        ["input_dim"] = new(1, 1 << 24, Whole: true), // a vocabulary
        ["padding_idx"] = new(-(1 << 24), (1 << 24) - 1, Whole: true),
        ["rate"] = Rate,
        ["dropout"] = Rate,
        ["recurrent_dropout"] = Rate,
        ["forget_bias"] = Value,
        ["layer_norm_epsilon"] = new(0, 1, AboveMin: true),
        ["mask_value"] = new(double.MinValue, double.MaxValue),
        ["value"] = Value,
        ["mean"] = Value,
        ["minval"] = Value,
        ["maxval"] = Value,
        ["stddev"] = new(0, 1e6, AboveMin: true),
        ["gain"] = new(0, 1e6, AboveMin: true),
        ["order"] = Size,
        ["theta"] = new(0, 1e9, AboveMin: true),
        ["max_steps"] = new(3, 1e9, Whole: true),
    };

    /// <summary>Checks every numeric field of <paramref name="node"/> (a layer entry at <paramref name="path"/>, nested configs included).</summary>
    /// <exception cref="InvalidDataException">A field is out of its range; the message names <paramref name="file"/>, the path, the value and the range.</exception>
    public static void Check(JsonNode? node, string path, string file)
    {
        if (node is JsonObject obj)
        {
            foreach (var (key, child) in obj)
            {
                string at = $"{path}.{key}";
                if (child is JsonValue value && Fields.TryGetValue(key, out Range range) && value.TryGetValue(out double number) && !range.Contains(number))
                {
                    throw new InvalidDataException($"{file}: {at} = {child.ToJsonString()} is out of range; it must be {range.Text}. The file was not written by Recur or was edited; fix the field or re-save the model.");
                }

                Check(child, at, file);
            }
        }
        else if (node is JsonArray array)
        {
            for (int i = 0; i < array.Count; i++)
            {
                Check(array[i], $"{path}[{i}]", file);
            }
        }
    }

    /// <summary>From <see cref="Min"/> to <see cref="Max"/>, the ends included unless said otherwise; whole numbers only when <see cref="Whole"/>.</summary>
    private readonly record struct Range(double Min, double Max, bool AboveMin = false, bool BelowMax = false, bool Whole = false)
    {
        public bool Contains(double v) => (AboveMin ? v > Min : v >= Min) && (BelowMax ? v < Max : v <= Max) && (!Whole || v == Math.Floor(v));

        public string Text => Whole
            ? string.Create(CultureInfo.InvariantCulture, $"a whole number from {Min:N0} to {Max:N0}")
            : Min == double.MinValue ? "a finite number"
            : string.Create(CultureInfo.InvariantCulture, $"a number {(AboveMin ? "above" : "at least")} {Min:#,0.###} and {(BelowMax ? "below" : "at most")} {Max:#,0.###}");
    }
}
