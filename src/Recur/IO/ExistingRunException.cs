namespace Recur.IO;

/// <summary>
/// A run directory opened for a new run (<see cref="CheckpointMode.New"/>) already holds one: a checkpoint, or a model
/// saved at its top. Open it with <see cref="CheckpointMode.Overwrite"/> or <see cref="CheckpointMode.Resume"/> to say which.
/// </summary>
public sealed class ExistingRunException : IOException
{
    /// <summary>Creates the exception for <paramref name="directory"/>, which holds <paramref name="what"/> (e.g. "the checkpoint 'step-00000400'").</summary>
    public ExistingRunException(string directory, string what)
        : base($"'{directory}' holds an earlier run ({what}); overwrite it or resume it explicitly, or write to another directory.")
    {
        Directory = directory;
    }

    /// <summary>The run directory.</summary>
    public string Directory { get; }
}
