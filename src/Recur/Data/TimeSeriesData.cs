namespace Recur.Data;

/// <summary>
/// A series cut into windows by <see cref="TimeSeriesWindows"/>: three chronological stretches (train, then validation,
/// then the held-out final stretch for testing), the scaler fitted on the training stretch, and how they were cut.
/// </summary>
/// <param name="Train">The first windows.</param>
/// <param name="Validation">The windows just before the test stretch.</param>
/// <param name="Test">The last windows.</param>
/// <param name="Scaler">The standardisation, fitted on the rows the training windows touch.</param>
/// <param name="Window">W, rows per window.</param>
/// <param name="Horizon">H, rows from a window's last row to its target.</param>
public sealed record TimeSeriesData(TimeSeriesPart Train, TimeSeriesPart Validation, TimeSeriesPart Test, TimeSeriesScaler Scaler, int Window, int Horizon)
{
    /// <summary>F, the features per step (the names are <see cref="TimeSeriesScaler.Columns"/>).</summary>
    public int Features => Scaler.Columns.Count;
}
