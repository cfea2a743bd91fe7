namespace Recur.Data;

/// <summary>One chronological stretch of a <see cref="TimeSeriesData"/>: its windows, and their targets in the target's units.</summary>
/// <param name="Data">The windows <c>[N, W, F]</c>, standardised, with standardised regression targets (<see cref="SequenceData.Targets"/>).</param>
/// <param name="Targets">Each window's target in the target's units <c>[N]</c>.</param>
/// <param name="LastTargets">The target column's value at each window's last row, in its units <c>[N]</c> (the persistence forecast).</param>
/// <param name="TargetRows">The 0-based data row (after the header) each target is read from <c>[N]</c>.</param>
public sealed record TimeSeriesPart(SequenceData Data, float[] Targets, float[] LastTargets, int[] TargetRows)
{
    /// <summary>N, the number of windows.</summary>
    public int Count => Targets.Length;
}
