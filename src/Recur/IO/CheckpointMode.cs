namespace Recur.IO;

/// <summary>How <see cref="CheckpointDirectory.Open(string, CheckpointMode)"/> treats a directory that already holds a run.</summary>
public enum CheckpointMode
{
    /// <summary>A new run: refused (<see cref="ExistingRunException"/>) if the directory holds a checkpoint or a model already.</summary>
    New,

    /// <summary>
    /// A new run replacing an earlier one: the earlier checkpoints stay readable until this run's first checkpoint is
    /// complete, and are deleted then.
    /// </summary>
    Overwrite,

    /// <summary>Continue the run in the directory: its last and best checkpoints are kept; refused if it has none.</summary>
    Resume,
}
