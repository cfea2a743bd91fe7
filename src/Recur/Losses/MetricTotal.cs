namespace Recur.Losses;

/// <summary>
/// What a <see cref="Metric"/> measured on some batches: the sum of its per-row values and the rows counted (the valid
/// steps of a masked sequence output). Totals of one metric add up across batches, and <see cref="Value"/> is the
/// metric of them all (Keras's <c>update_state</c> and <c>result</c>).
/// </summary>
/// <param name="Metric">The metric measured.</param>
/// <param name="Sum">The sum of the rows' values (for <c>rmse</c>, of their mean squared errors).</param>
/// <param name="Count">The rows counted.</param>
public readonly record struct MetricTotal(Metric Metric, double Sum, double Count)
{
    /// <summary>The metric of the rows counted: <see cref="Metric.Result"/> of the sum and count.</summary>
    public double Value => Metric.Result(Sum, Count);

    /// <summary>This total with <paramref name="other"/>'s sum and count added.</summary>
    public MetricTotal Add(MetricTotal other) => this with { Sum = Sum + other.Sum, Count = Count + other.Count };
}
