using System.Text.Json.Nodes;

namespace Recur.Data;

/// <summary>
/// The standardisation of a <see cref="TimeSeriesData"/>: each input column's mean and standard deviation and the
/// target's, computed on the training stretch only (population deviation; a constant column gets 1). Inputs and
/// targets are stored as (value − mean) / deviation; <see cref="UnscaleTarget"/> turns a prediction back into the
/// target's units. Its JSON form is kept with a model so new data is scaled the same way.
/// </summary>
public sealed class TimeSeriesScaler
{
    /// <summary>The value of the JSON form's <c>format</c> field.</summary>
    public const string Format = "recur.time_series_scaler";

    /// <summary>Creates a scaler.</summary>
    /// <exception cref="ArgumentException">The columns, means and deviations differ in count, or a deviation is not positive.</exception>
    public TimeSeriesScaler(IReadOnlyList<string> columns, IReadOnlyList<double> means, IReadOnlyList<double> deviations, string target, double targetMean, double targetDeviation)
    {
        ArgumentNullException.ThrowIfNull(columns);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(deviations);
        ArgumentNullException.ThrowIfNull(target);
        if (means.Count != columns.Count || deviations.Count != columns.Count)
        {
            throw new ArgumentException($"TimeSeriesScaler: {columns.Count} columns, {means.Count} means and {deviations.Count} deviations; give one of each per column.", nameof(means));
        }

        if (deviations.Append(targetDeviation).Any(d => !(d > 0) || !double.IsFinite(d)))
        {
            throw new ArgumentException("TimeSeriesScaler: every standard deviation must be a positive finite number.", nameof(deviations));
        }

        Columns = columns.ToArray();
        Means = means.ToArray();
        Deviations = deviations.ToArray();
        Target = target;
        TargetMean = targetMean;
        TargetDeviation = targetDeviation;
    }

    /// <summary>The input features, in step order.</summary>
    public IReadOnlyList<string> Columns { get; }

    /// <summary>Each input's training mean.</summary>
    public IReadOnlyList<double> Means { get; }

    /// <summary>Each input's training standard deviation.</summary>
    public IReadOnlyList<double> Deviations { get; }

    /// <summary>The target column.</summary>
    public string Target { get; }

    /// <summary>The target's training mean.</summary>
    public double TargetMean { get; }

    /// <summary>The target's training standard deviation.</summary>
    public double TargetDeviation { get; }

    /// <summary>A target value in the target's units → standardised.</summary>
    public float ScaleTarget(double value) => (float)((value - TargetMean) / TargetDeviation);

    /// <summary>A standardised prediction → the target's units.</summary>
    public double UnscaleTarget(double scaled) => scaled * TargetDeviation + TargetMean;

    /// <summary><c>{"format": "recur.time_series_scaler", "version": 1, "columns": [...], "means": [...], "deviations": [...], "target": ..., "target_mean": ..., "target_deviation": ...}</c>.</summary>
    public JsonObject ToJson() => new()
    {
        ["format"] = Format,
        ["version"] = 1,
        ["columns"] = new JsonArray(Columns.Select(c => (JsonNode?)JsonValue.Create(c)).ToArray()),
        ["means"] = new JsonArray(Means.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
        ["deviations"] = new JsonArray(Deviations.Select(d => (JsonNode?)JsonValue.Create(d)).ToArray()),
        ["target"] = Target,
        ["target_mean"] = TargetMean,
        ["target_deviation"] = TargetDeviation,
    };

    /// <summary>Reads the JSON form; <paramref name="source"/> names where it came from in errors.</summary>
    /// <exception cref="InvalidDataException">The JSON is not such a scaler.</exception>
    public static TimeSeriesScaler FromJson(JsonNode? json, string source)
    {
        try
        {
            if (json is not JsonObject o || (string?)o["format"] != Format || (int?)o["version"] != 1)
            {
                throw new InvalidDataException($"{source} is not a Recur time-series scaler (\"format\": \"{Format}\", \"version\": 1).");
            }

            return new TimeSeriesScaler(
                o["columns"]!.AsArray().Select(c => (string)c!).ToArray(),
                o["means"]!.AsArray().Select(m => (double)m!).ToArray(),
                o["deviations"]!.AsArray().Select(d => (double)d!).ToArray(),
                (string)o["target"]!,
                (double)o["target_mean"]!,
                (double)o["target_deviation"]!);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or FormatException or NullReferenceException)
        {
            throw new InvalidDataException($"{source} is not a valid time-series scaler: {e.Message}", e);
        }
    }
}
