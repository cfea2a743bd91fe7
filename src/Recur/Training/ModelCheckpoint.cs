using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Recur.Training;

/// <summary>
/// Keras's <c>ModelCheckpoint</c>: saves the model (<see cref="ITrainable.Save"/>: configuration, weights, optimizer
/// state and epoch, each file written atomically) at the end of every epoch, or with <c>saveBestOnly</c> only when
/// <c>monitor</c> improves; with <c>saveFrequency</c> (Keras's integer <c>save_freq</c>) every that many steps instead,
/// comparing the monitored metric of those steps' logs (validate every N steps with <see cref="Trainer.ValidationFrequency"/>
/// to monitor <c>val_*</c>). <c>{epoch}</c> in the path is replaced by the epoch number counted from 1, as in Keras,
/// <c>{epoch:02d}</c> (Python's spelling) or <c>{epoch:D2}</c> pads it to two digits, and <c>{step}</c> is the step.
/// </summary>
public sealed partial class ModelCheckpoint : Callback
{
    private readonly string _path;
    private readonly Monitor _monitor;
    private readonly bool _saveBestOnly;
    private readonly int? _saveFrequency;

    /// <summary>Creates the callback.</summary>
    /// <param name="filepath">The model directory to write, e.g. <c>checkpoints/best</c> or <c>checkpoints/epoch-{epoch}</c>.</param>
    /// <param name="monitor">The metric compared with <paramref name="saveBestOnly"/>.</param>
    /// <param name="saveBestOnly">Save only when the monitored metric improves on the best so far.</param>
    /// <param name="mode">Whether the metric should go down or up.</param>
    /// <param name="saveFrequency">Save every this many steps; null to save at the end of every epoch.</param>
    public ModelCheckpoint(string filepath, string monitor = "val_loss", bool saveBestOnly = false, MonitorMode mode = MonitorMode.Auto, int? saveFrequency = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(filepath);
        if (saveFrequency is int f)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(f, 1, nameof(saveFrequency));
        }

        _saveFrequency = saveFrequency;
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
    public override bool OnEveryReplica => false;

    /// <inheritdoc/>
    public override void OnBatchEnd(int batch, IDictionary<string, double> logs)
    {
        if (_saveFrequency is int f && Trainer.Step % f == 0)
        {
            Save(Trainer.Epoch, logs);
        }
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        if (_saveFrequency is null)
        {
            Save(epoch, logs);
        }
    }

    private void Save(int epoch, IDictionary<string, double> logs)
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
        }).Replace("{step}", Trainer.Step.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal);
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
