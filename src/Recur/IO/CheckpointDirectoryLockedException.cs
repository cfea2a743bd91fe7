namespace Recur.IO;

/// <summary>A run directory is locked: another run, in this process or another, is writing it.</summary>
public sealed class CheckpointDirectoryLockedException : IOException
{
    /// <summary>Creates the exception for <paramref name="directory"/>, whose lock file <paramref name="lockFile"/> is held by process <paramref name="processId"/> (null when unknown).</summary>
    public CheckpointDirectoryLockedException(string directory, string lockFile, int? processId)
        : base(Describe(directory, lockFile, processId))
    {
        Directory = directory;
        ProcessId = processId;
    }

    /// <summary>The run directory.</summary>
    public string Directory { get; }

    /// <summary>The id of the process holding the lock, or null when this system does not tell (it is written in the lock file).</summary>
    public int? ProcessId { get; }

    private static string Describe(string directory, string lockFile, int? pid)
    {
        string who = pid is not int p ? $"its lock file {lockFile} is held"
            : p == Environment.ProcessId ? $"process {p}, this one, holds {lockFile}"
            : $"process {p} holds {lockFile}";
        return $"'{directory}' is being written by another run ({who}); wait for that run to end, stop it, or write to another directory.";
    }
}
