namespace Recur.Training;

/// <summary>A metric watched by a callback: reads it from the logs and says whether a value improves on another.</summary>
internal sealed class Monitor
{
    public Monitor(string owner, string key, MonitorMode mode)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        Owner = owner;
        Key = key;
        Higher = mode == MonitorMode.Max || (mode == MonitorMode.Auto && key.Contains("acc", StringComparison.Ordinal));
    }

    public string Owner { get; }

    public string Key { get; }

    /// <summary>Whether higher values are better.</summary>
    public bool Higher { get; }

    /// <summary>The worst possible value, to start from.</summary>
    public double Worst => Higher ? double.NegativeInfinity : double.PositiveInfinity;

    /// <summary>Whether <paramref name="current"/> beats <paramref name="reference"/> by more than <paramref name="minDelta"/>.</summary>
    public bool Improves(double current, double reference, double minDelta) =>
        Higher ? current - minDelta > reference : current + minDelta < reference;

    /// <summary>The monitored value in <paramref name="logs"/>.</summary>
    /// <exception cref="InvalidOperationException">The logs do not have it; the message lists what they have.</exception>
    public double Read(IDictionary<string, double> logs) => logs.TryGetValue(Key, out double v)
        ? v
        : throw new InvalidOperationException(
            $"{Owner}: the monitored metric '{Key}' is not in the epoch logs (they have {string.Join(", ", logs.Keys)}); "
            + "monitor one of those, or pass validationData / validationSplit to Fit for val_* metrics.");
}
