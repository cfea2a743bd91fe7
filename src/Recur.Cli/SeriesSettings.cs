using System.Globalization;

namespace Recur.Cli;

/// <summary>What <c>recur train --series</c> reads: a CSV series cut into windows to forecast one column.</summary>
internal sealed record SeriesSettings
{
    /// <summary>The CSV file: a header row, then one row per time step, oldest first.</summary>
    public required string Path { get; init; }

    /// <summary>The column to forecast.</summary>
    public required string Target { get; init; }

    /// <summary>W, the rows in a window.</summary>
    public int Window { get; init; }

    /// <summary>H, how many rows after a window's last row its target is.</summary>
    public int Horizon { get; init; } = 1;

    /// <summary>The columns read at each step; null: every numeric column.</summary>
    public IReadOnlyList<string>? Inputs { get; init; }

    /// <summary>A date column turned into the day of the year on a circle; null: none.</summary>
    public string? SeasonColumn { get; init; }

    /// <summary>The share of the windows before the test stretch held out for validation.</summary>
    public double ValidationSplit { get; init; } = 0.1;

    /// <summary>The share of the windows at the end held out for testing (evaluate scores them).</summary>
    public double TestSplit { get; init; } = 0.2;

    /// <summary>Null when the settings make sense, else a one-line description of the first problem.</summary>
    public string? Validate()
    {
        if ((OptionLimits.SequenceLength.Problem("--window", Window) ?? OptionLimits.SequenceLength.Problem("--horizon", Horizon)) is string problem) return problem;
        return ValidationSplit is > 0 and < 1 && ValidationSplit + TestSplit < 1
            ? null
            : string.Create(CultureInfo.InvariantCulture, $"--validation-split must be above 0 and below {1 - TestSplit} (the test stretch takes the last {TestSplit}); got {ValidationSplit}.");
    }
}
