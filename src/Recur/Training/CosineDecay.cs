namespace Recur.Training;

/// <summary>
/// Cosine decay from <paramref name="Peak"/> at step 1 towards 0 over <paramref name="Steps"/> steps (Loshchilov and
/// Hutter's SGDR without restarts, Keras's <c>CosineDecay</c> with alpha 0): <c>peak · ½(1 + cos(π (step − 1) / steps))</c>,
/// which ends just above 0 at the last step and stays at 0 after it. <c>recur train</c>'s default schedule.
/// </summary>
/// <param name="Peak">The rate of step 1; positive.</param>
/// <param name="Steps">The length of the decay, usually the run's step count; positive.</param>
public sealed record CosineDecay(double Peak, int Steps) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double Rate(int step)
    {
        CheckRate(Peak, nameof(Peak), nameof(CosineDecay));
        ArgumentOutOfRangeException.ThrowIfLessThan(Steps, 1, nameof(Steps));
        return step > Steps ? 0 : Peak * 0.5 * (1 + Math.Cos(Math.PI * (step - 1) / Steps));
    }
}
