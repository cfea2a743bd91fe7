namespace Recur.Training;

/// <summary>
/// A learning rate as a function of the step: <see cref="Rate"/> of step 1, 2, … (1-based, the step about to run).
/// <see cref="ScheduledLearningRate"/> sets the optimizer's rate from one before every step. The stock schedules are
/// <see cref="ConstantRate"/>, <see cref="CosineDecay"/>, <see cref="StepDecay"/> and <see cref="WarmUp"/> around any of them.
/// A schedule depends on the step alone, so a resumed run needs no state of it beyond the step.
/// </summary>
public abstract record LearningRateSchedule
{
    /// <summary>The rate of step <paramref name="step"/> (1-based).</summary>
    public abstract double Rate(int step);

    /// <summary>Throws unless <paramref name="rate"/> is a positive finite number.</summary>
    internal static void CheckRate(double rate, string argument, string owner)
    {
        if (!(rate > 0 && double.IsFinite(rate)))
        {
            throw new ArgumentOutOfRangeException(argument, rate, $"{owner}: {argument} must be a positive finite learning rate, e.g. 0.001; received {rate}.");
        }
    }
}
