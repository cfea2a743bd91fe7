namespace Recur.Training;

/// <summary>Whether a monitored metric improves by going down or up (Keras's <c>mode</c>).</summary>
public enum MonitorMode
{
    /// <summary>Up for metrics whose name contains <c>acc</c>, down otherwise.</summary>
    Auto,

    /// <summary>Lower is better (losses).</summary>
    Min,

    /// <summary>Higher is better (accuracy).</summary>
    Max,
}
