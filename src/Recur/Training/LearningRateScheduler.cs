namespace Recur.Training;

/// <summary>
/// Keras's <c>LearningRateScheduler</c>: at the start of every epoch, sets the optimizer's learning rate to
/// <c>schedule(epoch, currentRate)</c> (epoch 0-based), e.g. <c>(epoch, lr) =&gt; epoch &lt; 10 ? lr : lr * 0.9</c>. For a rate
/// per step, use <see cref="ScheduledLearningRate"/>. The rate is saved with the optimizer state, so a resumed run
/// continues from it.
/// </summary>
/// <param name="schedule">The new rate from the epoch and the current rate.</param>
public sealed class LearningRateScheduler(Func<int, double, double> schedule) : Callback
{
    private readonly Func<int, double, double> _schedule = schedule ?? throw new ArgumentNullException(nameof(schedule));

    /// <inheritdoc/>
    public override void OnEpochBegin(int epoch)
    {
        var optimizer = Model.Optimizer ?? throw new InvalidOperationException("LearningRateScheduler: the model is not compiled.");
        double rate = _schedule(epoch, optimizer.LearningRate);
        LearningRateSchedule.CheckRate(rate, "schedule", nameof(LearningRateScheduler));
        optimizer.LearningRate = rate;
    }
}
