namespace Recur.IO;

/// <summary>Which checkpoint of a run directory to read.</summary>
public enum CheckpointKind
{
    /// <summary>The one written last.</summary>
    Last,

    /// <summary>The last one written with <c>best: true</c> (the best by validation, as the writer judged it).</summary>
    Best,
}
