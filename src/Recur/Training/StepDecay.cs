namespace Recur.Training;

/// <summary>
/// PyTorch's <c>StepLR</c> counted in steps: <paramref name="Initial"/> multiplied by <paramref name="Factor"/> every
/// <paramref name="Every"/> steps, <c>initial · factor^⌊(step − 1) / every⌋</c>.
/// </summary>
/// <param name="Initial">The rate of the first steps; positive.</param>
/// <param name="Every">Steps between two reductions; positive.</param>
/// <param name="Factor">The multiplier at each reduction, in (0, 1]; e.g. 0.1.</param>
public sealed record StepDecay(double Initial, int Every, double Factor = 0.1) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double Rate(int step)
    {
        CheckRate(Initial, nameof(Initial), nameof(StepDecay));
        ArgumentOutOfRangeException.ThrowIfLessThan(Every, 1, nameof(Every));
        if (!(Factor > 0 && Factor <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Factor), Factor, $"StepDecay: Factor must be in (0, 1]; received {Factor}.");
        }

        return Initial * Math.Pow(Factor, (Math.Max(step, 1) - 1) / Every);
    }
}
