namespace Recur.Training;

/// <summary>
/// A linear warm-up in front of another schedule (Goyal et al. 2017): for the first <paramref name="Steps"/> steps the
/// rate is <c>schedule(step) · step / steps</c>, then <paramref name="Schedule"/>'s own.
/// </summary>
/// <param name="Schedule">The schedule to warm up into.</param>
/// <param name="Steps">The length of the warm-up; positive.</param>
public sealed record WarmUp(LearningRateSchedule Schedule, int Steps) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double Rate(int step)
    {
        ArgumentNullException.ThrowIfNull(Schedule);
        ArgumentOutOfRangeException.ThrowIfLessThan(Steps, 1, nameof(Steps));
        double rate = Schedule.Rate(step);
        return step < Steps ? rate * Math.Max(step, 1) / Steps : rate;
    }
}
