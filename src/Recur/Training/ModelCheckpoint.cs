using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Recur.Training;

/// <summary>
/// Keras's <c>ModelCheckpoint</c>: saves the model (<see cref="ITrainable.Save"/>: configuration, weights, optimizer
/// state and epoch, each file written atomically) at the end of every epoch, or with <c>saveBestOnly</c> only when
/// <c>monitor</c> improves. <c>{epoch}</c> in the path is replaced by the epoch number counted from 1, as in Keras,
/// and <c>{epoch:02d}</c> (Python's spelling) or <c>{epoch:D2}</c> pads it to two digits.
/// </summary>
public sealed partial class ModelCheckpoint : Callback
{
    private readonly string _path;
    private readonly Monitor _monitor;
    private readonly bool _saveBestOnly;

    /// <summary>Creates the callback.</summary>
    /// <param name="filepath">The model directory to write, e.g. <c>checkpoints/best</c> or <c>checkpoints/epoch-{epoch}</c>.</param>
    /// <param name="monitor">The metric compared with <paramref name="saveBestOnly"/>.</param>
    /// <param name="saveBestOnly">Save only when the monitored metric improves on the best so far.</param>
    /// <param name="mode">Whether the metric should go down or up.</param>
    public ModelCheckpoint(string filepath, string monitor = "val_loss", bool saveBestOnly = false, MonitorMode mode = MonitorMode.Auto)
    {
        ArgumentException.ThrowIfNullOrEmpty(filepath);
        _path = filepath;
        _monitor = new Monitor("ModelCheckpoint", monitor, mode);
        _saveBestOnly = saveBestOnly;
        Best = _monitor.Worst;
    }

    /// <summary>The best monitored value saved so far.</summary>
    public double Best { get; private set; }

    /// <summary>The paths saved, in order.</summary>
    public List<string> Saved { get; } = [];

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        if (_saveBestOnly)
        {
            double current = _monitor.Read(logs);
            if (!_monitor.Improves(current, Best, 0))
            {
                return;
            }

            Best = current;
        }

        string path = EpochPattern().Replace(_path, m =>
        {
            string digits = m.Groups[1].Value;
            return (epoch + 1).ToString(digits.Length > 0 ? "D" + digits : "D", CultureInfo.InvariantCulture);
        });
        Model.Save(path);
        Saved.Add(path);
    }

    /// <inheritdoc/>
    public override JsonNode SaveState() => new JsonObject
    {
        ["best"] = StateJson.Write(Best),
        ["saved"] = new JsonArray(Saved.Select(p => (JsonNode)p).ToArray()),
    };

    /// <inheritdoc/>
    public override void RestoreState(JsonNode state)
    {
        Best = StateJson.ReadDouble(state["best"], "ModelCheckpoint");
        Saved.Clear();
        Saved.AddRange((state["saved"] as JsonArray ?? []).Select(p => (string)p!));
    }

    [GeneratedRegex(@"\{epoch(?::0?(\d+)[dD])?\}")]
    private static partial Regex EpochPattern();
}
