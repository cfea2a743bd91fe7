using System.Text.Json.Nodes;

namespace Recur.Training;

/// <summary>
/// Keras's <c>ReduceLROnPlateau</c>: when <c>monitor</c> has not improved by more than <c>minDelta</c> for
/// <c>patience</c> epochs, multiplies the optimizer's learning rate by <c>factor</c> (not below <c>minLr</c>),
/// then waits <c>cooldown</c> epochs before counting again.
/// </summary>
public sealed class ReduceLROnPlateau : Callback
{
    private readonly Monitor _monitor;
    private readonly double _factor;
    private readonly int _patience;
    private readonly double _minDelta;
    private readonly int _cooldown;
    private readonly double _minLr;
    private double _best;
    private int _wait;
    private int _cooldownLeft;

    /// <summary>Creates the callback.</summary>
    /// <param name="monitor">The metric to watch.</param>
    /// <param name="factor">The learning rate is multiplied by it; in (0, 1).</param>
    /// <param name="patience">Epochs without improvement before reducing.</param>
    /// <param name="mode">Whether the metric should go down or up.</param>
    /// <param name="minDelta">The smallest change that counts as an improvement.</param>
    /// <param name="cooldown">Epochs to wait after a reduction before counting again.</param>
    /// <param name="minLr">The learning rate is not reduced below this.</param>
    public ReduceLROnPlateau(string monitor = "val_loss", double factor = 0.1, int patience = 10, MonitorMode mode = MonitorMode.Auto, double minDelta = 1e-4, int cooldown = 0, double minLr = 0)
    {
        if (!(factor > 0 && factor < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(factor), factor, $"ReduceLROnPlateau: factor must be in (0, 1); received {factor}.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        ArgumentOutOfRangeException.ThrowIfNegative(cooldown);
        ArgumentOutOfRangeException.ThrowIfNegative(minLr);
        _monitor = new Monitor("ReduceLROnPlateau", monitor, mode);
        _factor = factor;
        _patience = patience;
        _minDelta = minDelta;
        _cooldown = cooldown;
        _minLr = minLr;
    }

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        _best = _monitor.Worst;
        _wait = 0;
        _cooldownLeft = 0;
    }

    /// <inheritdoc/>
    public override JsonNode SaveState() => new JsonObject { ["best"] = StateJson.Write(_best), ["wait"] = _wait, ["cooldown"] = _cooldownLeft };

    /// <inheritdoc/>
    public override void RestoreState(JsonNode state)
    {
        JsonObject s = state.AsObject();
        _best = StateJson.ReadDouble(s["best"], nameof(ReduceLROnPlateau));
        _wait = StateJson.ReadInt(s, "wait", nameof(ReduceLROnPlateau));
        _cooldownLeft = StateJson.ReadInt(s, "cooldown", nameof(ReduceLROnPlateau));
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        double current = _monitor.Read(logs);
        var optimizer = Model.Optimizer ?? throw new InvalidOperationException("ReduceLROnPlateau: the model is not compiled.");
        if (_cooldownLeft > 0)
        {
            _cooldownLeft--;
            _wait = 0;
        }

        if (_monitor.Improves(current, _best, _minDelta))
        {
            _best = current;
            _wait = 0;
        }
        else if (_cooldownLeft == 0 && ++_wait >= _patience)
        {
            double old = optimizer.LearningRate;
            if (old > _minLr)
            {
                optimizer.LearningRate = Math.Max(old * _factor, _minLr);
                _cooldownLeft = _cooldown;
                _wait = 0;
            }
        }
    }
}
