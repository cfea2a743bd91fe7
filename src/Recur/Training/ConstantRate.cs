namespace Recur.Training;

/// <summary>The same rate at every step (the tutorials' constant Adam 0.001).</summary>
/// <param name="Value">The rate; positive.</param>
public sealed record ConstantRate(double Value) : LearningRateSchedule
{
    /// <inheritdoc/>
    public override double Rate(int step)
    {
        CheckRate(Value, nameof(Value), nameof(ConstantRate));
        return Value;
    }
}
