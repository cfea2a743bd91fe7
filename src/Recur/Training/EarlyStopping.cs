using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Recur.Training;

/// <summary>
/// Keras's <c>EarlyStopping</c>: stops training when <see cref="Monitor"/> has not improved by more than
/// <c>minDelta</c> for <c>patience</c> epochs, and with <c>restoreBestWeights</c> puts back the weights of the best epoch
/// when it stops.
/// </summary>
public sealed class EarlyStopping : Callback
{
    private readonly Monitor _monitor;
    private readonly double _minDelta;
    private readonly int _patience;
    private readonly bool _restoreBestWeights;
    private float[][]? _bestWeights;
    private int _wait;

    /// <summary>Creates the callback.</summary>
    /// <param name="monitor">The metric to watch.</param>
    /// <param name="minDelta">The smallest change that counts as an improvement; non-negative.</param>
    /// <param name="patience">Epochs without improvement before stopping; non-negative.</param>
    /// <param name="mode">Whether the metric should go down or up.</param>
    /// <param name="restoreBestWeights">On stopping, restore the weights of the best epoch.</param>
    public EarlyStopping(string monitor = "val_loss", double minDelta = 0, int patience = 0, MonitorMode mode = MonitorMode.Auto, bool restoreBestWeights = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minDelta);
        ArgumentOutOfRangeException.ThrowIfNegative(patience);
        _monitor = new Monitor("EarlyStopping", monitor, mode);
        _minDelta = minDelta;
        _patience = patience;
        _restoreBestWeights = restoreBestWeights;
    }

    /// <summary>The metric watched.</summary>
    public string Monitor => _monitor.Key;

    /// <summary>The best value seen.</summary>
    public double Best { get; private set; }

    /// <summary>The epoch of <see cref="Best"/>, or −1.</summary>
    public int BestEpoch { get; private set; } = -1;

    /// <summary>The epoch at which training was stopped, or −1 when it was not.</summary>
    public int StoppedEpoch { get; private set; } = -1;

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        _wait = 0;
        StoppedEpoch = -1;
        BestEpoch = -1;
        Best = _monitor.Worst;
        _bestWeights = null;
    }

    /// <inheritdoc/>
    public override JsonNode SaveState() => new JsonObject
    {
        ["wait"] = _wait,
        ["best"] = StateJson.Write(Best),
        ["best_epoch"] = BestEpoch,
        ["stopped_epoch"] = StoppedEpoch,
        ["best_weights"] = _bestWeights is null ? null : new JsonArray(_bestWeights.Select(w => (JsonNode)Convert.ToBase64String(MemoryMarshal.AsBytes(w.AsSpan()))).ToArray()),
    };

    /// <inheritdoc/>
    public override void RestoreState(JsonNode state)
    {
        const string What = "EarlyStopping";
        JsonObject s = state.AsObject();
        _wait = StateJson.ReadInt(s, "wait", What);
        Best = StateJson.ReadDouble(s["best"], What);
        BestEpoch = StateJson.ReadInt(s, "best_epoch", What);
        StoppedEpoch = StateJson.ReadInt(s, "stopped_epoch", What);
        _bestWeights = s["best_weights"] is JsonArray weights
            ? weights.Select(w => MemoryMarshal.Cast<byte, float>(Convert.FromBase64String((string)w!)).ToArray()).ToArray()
            : null;
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        double current = _monitor.Read(logs);
        if (_restoreBestWeights && _bestWeights is null)
        {
            _bestWeights = Model.GetWeights();
        }

        _wait++;
        if (_monitor.Improves(current, Best, _minDelta))
        {
            Best = current;
            BestEpoch = epoch;
            if (_restoreBestWeights)
            {
                _bestWeights = Model.GetWeights();
            }

            _wait = 0;
            return;
        }

        if (_wait >= _patience && epoch > 0)
        {
            StoppedEpoch = epoch;
            Model.StopTraining = true;
            if (_restoreBestWeights && _bestWeights is not null)
            {
                Model.SetWeights(_bestWeights);
            }
        }
    }
}
