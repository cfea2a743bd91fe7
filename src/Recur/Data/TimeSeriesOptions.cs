namespace Recur.Data;

/// <summary>How <see cref="TimeSeriesWindows"/> cuts a CSV series into windows.</summary>
public sealed record TimeSeriesOptions
{
    /// <summary>The column to forecast (required).</summary>
    public string Target { get; init; } = string.Empty;

    /// <summary>The numeric columns read at each step, in this order; null (the default): every numeric column, in file order (the target among them).</summary>
    public IReadOnlyList<string>? Inputs { get; init; }

    /// <summary>W, the steps (rows) in a window (required, ≥ 1).</summary>
    public int Window { get; init; }

    /// <summary>H, how many rows after a window's last row the target is read (default 1: the next row).</summary>
    public int Horizon { get; init; } = 1;

    /// <summary>The share of the windows, just before the test stretch, held out for validation (default 0.1).</summary>
    public double ValidationFraction { get; init; } = 0.1;

    /// <summary>The share of the windows at the end of the series held out for testing (default 0.2).</summary>
    public double TestFraction { get; init; } = 0.2;

    /// <summary>
    /// A date column to turn into two features, <c>season_sin</c> and <c>season_cos</c> (the day of the year on a circle:
    /// sin and cos of 2π · (day − 1) / 365.25), appended after the inputs; null (the default): dates are skipped.
    /// </summary>
    public string? SeasonColumn { get; init; }

    /// <summary>Seeds the shuffling of the training data set.</summary>
    public ulong Seed { get; init; }
}
