using System.Text.Json.Nodes;

namespace Recur.Training;

/// <summary>
/// The metrics of every epoch of a <c>Fit</c> (Keras's <c>History</c>): <c>history["loss"][k]</c> is the mean loss of
/// the k-th epoch run, with <see cref="Epochs"/> holding the epoch numbers (0-based; they start at <c>initialEpoch</c>).
/// Keys: <c>loss</c>, <c>accuracy</c>, <c>val_loss</c>, <c>val_accuracy</c>, <c>lr</c>, and anything callbacks add.
/// </summary>
public sealed class History : Callback
{
    private readonly Dictionary<string, List<double>> _values = new(StringComparer.Ordinal);
    private readonly List<int> _epochs = [];

    /// <summary>The epoch numbers recorded, in order.</summary>
    public IReadOnlyList<int> Epochs => _epochs;

    /// <summary>Every metric's values, one per recorded epoch (Keras's <c>history.history</c>).</summary>
    public IReadOnlyDictionary<string, List<double>> Values => _values;

    /// <summary>The values of metric <paramref name="key"/>.</summary>
    /// <exception cref="KeyNotFoundException">The metric was not recorded; the message lists those that were.</exception>
    public IReadOnlyList<double> this[string key] => _values.TryGetValue(key, out List<double>? v)
        ? v
        : throw new KeyNotFoundException($"History has no metric '{key}'; it has {string.Join(", ", _values.Keys)}.");

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        _values.Clear();
        _epochs.Clear();
    }

    /// <inheritdoc/>
    public override JsonNode SaveState()
    {
        var values = new JsonObject();
        foreach (var (key, list) in _values)
        {
            values[key] = new JsonArray(list.Select(v => (JsonNode)StateJson.Write(v)).ToArray());
        }

        return new JsonObject { ["epochs"] = new JsonArray(_epochs.Select(e => (JsonNode)e).ToArray()), ["values"] = values };
    }

    /// <inheritdoc/>
    public override void RestoreState(JsonNode state)
    {
        _epochs.Clear();
        _values.Clear();
        _epochs.AddRange((state["epochs"] as JsonArray ?? []).Select(e => (int)e!));
        foreach (var (key, list) in state["values"] as JsonObject ?? [])
        {
            _values[key] = (list as JsonArray ?? []).Select(v => StateJson.ReadDouble(v, nameof(History))).ToList();
        }
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        _epochs.Add(epoch);
        foreach (var (key, value) in logs)
        {
            if (!_values.TryGetValue(key, out List<double>? list))
            {
                _values[key] = list = [];
            }

            list.Add(value);
        }
    }
}
