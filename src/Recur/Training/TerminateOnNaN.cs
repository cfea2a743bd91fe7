using Recur.Losses;

namespace Recur.Training;

/// <summary>
/// Keras's <c>TerminateOnNaN</c>: when a batch's loss or gradients are not finite, training ends normally (the weights
/// as before that batch, <see cref="Callback.OnTrainEnd"/> called) instead of with a <see cref="DivergenceException"/>.
/// <see cref="Diverged"/> holds the exception and <see cref="Step"/> the step that failed.
/// </summary>
public sealed class TerminateOnNaN : Callback
{
    /// <summary>The divergence that ended training, or null.</summary>
    public DivergenceException? Diverged { get; private set; }

    /// <summary>The 1-based step that diverged, or 0.</summary>
    public int Step { get; private set; }

    /// <inheritdoc/>
    public override void OnTrainBegin() => (Diverged, Step) = (null, 0);

    /// <inheritdoc/>
    public override bool OnDivergence(DivergenceException exception)
    {
        (Diverged, Step) = (exception, Trainer.Step + 1);
        return true;
    }
}
