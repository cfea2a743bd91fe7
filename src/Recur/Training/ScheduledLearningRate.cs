namespace Recur.Training;

/// <summary>
/// Sets the optimizer's learning rate before every step from a <see cref="LearningRateSchedule"/> of the step
/// (<see cref="Trainer.Step"/> + 1, so the first step is 1 and a resumed run continues the schedule where it stopped).
/// </summary>
/// <param name="schedule">The schedule.</param>
public sealed class ScheduledLearningRate(LearningRateSchedule schedule) : Callback
{
    /// <summary>The schedule.</summary>
    public LearningRateSchedule Schedule { get; } = schedule ?? throw new ArgumentNullException(nameof(schedule));

    /// <inheritdoc/>
    public override void OnBatchBegin(int batch) =>
        (Model.Optimizer ?? throw new InvalidOperationException("ScheduledLearningRate: the model is not compiled.")).LearningRate = Schedule.Rate(Trainer.Step + 1);
}
