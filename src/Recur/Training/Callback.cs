using System.Text.Json.Nodes;
using Recur.Losses;

namespace Recur.Training;

/// <summary>
/// Hooks into the training loop (<see cref="Trainer"/>, which <c>Sequential.Fit</c> and <c>recur train</c> run) at
/// Keras's events: train, epoch and batch begin and end. Override the events you need; the rest do nothing. Epochs
/// and batches are counted from 0, as in Keras (the progress bar shows epoch + 1). <c>logs</c> hold the metrics so far:
/// <c>loss</c>, <c>accuracy</c> (when compiled with it), after a validation <c>val_loss</c>, <c>val_accuracy</c>, and at
/// epoch end <c>lr</c>; a callback may add entries.
/// </summary>
/// <remarks>
/// <para>A callback sees the model through <see cref="ITrainable"/> only, and the loop's position (step, epoch, the
/// last batch's own loss) through <see cref="Trainer"/>.</para>
/// <para>A callback whose behaviour depends on what it saw earlier (a best value, a patience count, rows written)
/// overrides <see cref="SaveState"/> and <see cref="RestoreState"/>, so a run resumed from a checkpoint continues
/// as one that never stopped.</para>
/// <para>An abstract class rather than an interface: Keras callbacks override a few of many events, and C# default
/// interface methods could not be called through the class, so the no-op defaults live here.</para>
/// </remarks>
public abstract class Callback
{
    /// <summary>The model being trained; set by the loop before <see cref="OnTrainBegin"/>.</summary>
    public ITrainable Model { get; internal set; } = null!;

    /// <summary>The run's settings (epochs, steps per epoch, verbosity); set with <see cref="Model"/>.</summary>
    public FitParameters Params { get; internal set; } = null!;

    /// <summary>The loop that calls this callback: its step, epoch and last batch; set with <see cref="Model"/>.</summary>
    public Trainer Trainer { get; internal set; } = null!;

    /// <summary>
    /// Whether this callback runs on every process of a data-parallel run (<see cref="Trainer.Replicas"/>): true (the
    /// default) for a callback that changes training — a learning-rate schedule, early stopping —, which every process
    /// runs alike on the same reduced logs; false for one that only reports or writes (logs, progress, checkpoints),
    /// which runs on rank 0 alone.
    /// </summary>
    public virtual bool OnEveryReplica => true;

    /// <summary>Called once before the first epoch (also when resuming; <see cref="Training.Trainer.Resumed"/> says which).</summary>
    public virtual void OnTrainBegin()
    {
    }

    /// <summary>Called once after the last epoch (also when a callback stopped training), with the last logs.</summary>
    public virtual void OnTrainEnd(IDictionary<string, double> logs)
    {
    }

    /// <summary>Called at the start of epoch <paramref name="epoch"/> (0-based).</summary>
    public virtual void OnEpochBegin(int epoch)
    {
    }

    /// <summary>Called at the end of an epoch with its mean training metrics and the validation metrics.</summary>
    public virtual void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
    }

    /// <summary>Called before training batch <paramref name="batch"/> (0-based within the epoch).</summary>
    public virtual void OnBatchBegin(int batch)
    {
    }

    /// <summary>Called after a training batch, with the epoch's running mean metrics so far (and a validation's, when one ran after this batch).</summary>
    public virtual void OnBatchEnd(int batch, IDictionary<string, double> logs)
    {
    }

    /// <summary>
    /// Called when a batch's loss or gradients are not finite (the weights are as before that batch). Return true to
    /// end training normally (<see cref="TerminateOnNaN"/>); when no callback does, the loop throws the exception.
    /// </summary>
    public virtual bool OnDivergence(DivergenceException exception) => false;

    /// <summary>
    /// Called before <see cref="OnTrainBegin"/>: a callback that restores an interrupted run (<see cref="BackupAndRestore"/>)
    /// restores the model and returns the loop's saved state (<see cref="Training.Trainer.CaptureState"/>); others return null.
    /// </summary>
    public virtual JsonObject? ResumeState() => null;

    /// <summary>What this callback must remember across a checkpoint, or null when nothing.</summary>
    public virtual JsonNode? SaveState() => null;

    /// <summary>Restores what <see cref="SaveState"/> returned; called after <see cref="OnTrainBegin"/> when resuming.</summary>
    /// <exception cref="InvalidDataException">The state is not this callback's.</exception>
    public virtual void RestoreState(JsonNode state)
    {
    }
}
