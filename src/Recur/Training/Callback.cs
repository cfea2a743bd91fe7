using Recur.Models;

namespace Recur.Training;

/// <summary>
/// Hooks into <see cref="Sequential.Fit"/> at Keras's events: train, epoch and batch begin and end. Override the
/// events you need; the rest do nothing. Epochs and batches are counted from 0, as in Keras (the progress bar
/// shows epoch + 1). <c>logs</c> hold the metrics so far: <c>loss</c>, <c>accuracy</c> (when compiled with it),
/// and at epoch end <c>val_loss</c>, <c>val_accuracy</c> (with validation data) and <c>lr</c>; a callback may add entries.
/// </summary>
/// <remarks>
/// An abstract class rather than DESIGN.md's <c>ICallback</c> interface: Keras callbacks override a few of six
/// events, and C# default interface methods could not be called through the class, so the no-op defaults live here.
/// </remarks>
public abstract class Callback
{
    /// <summary>The model being trained; set by <see cref="Sequential.Fit"/> before <see cref="OnTrainBegin"/>.</summary>
    public Sequential Model { get; internal set; } = null!;

    /// <summary>The run's settings (epochs, steps per epoch, verbosity); set with <see cref="Model"/>.</summary>
    public FitParameters Params { get; internal set; } = null!;

    /// <summary>Called once before the first epoch.</summary>
    public virtual void OnTrainBegin()
    {
    }

    /// <summary>Called once after the last epoch (also when a callback stopped training), with the last epoch's logs.</summary>
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

    /// <summary>Called after a training batch, with the epoch's running mean metrics so far.</summary>
    public virtual void OnBatchEnd(int batch, IDictionary<string, double> logs)
    {
    }
}
