using System.Text.Json;
using System.Text.Json.Nodes;
using Recur.IO;

namespace Recur.Training;

/// <summary>
/// Keras's <c>BackupAndRestore</c>: backs the run up into <see cref="BackupDirectory"/> at the end of every epoch (or
/// every <c>saveFrequency</c> steps) — the model with its optimizer state, and the loop's state
/// (<see cref="Trainer.CaptureState"/>: position, data order, dropout generators, callbacks) — and when a run starts
/// and finds a backup, restores it, so a killed run started again with the same code continues bit for bit as if it
/// had never stopped. The backup is deleted when training ends normally (unless <c>deleteCheckpoint</c> is false).
/// </summary>
/// <remarks>
/// A backup is written whole into a new folder beside the last, which is kept until the new one is complete; the
/// switch is two renames (last → <c>previous</c>, new → <c>last</c>), and a reader that finds no <c>last</c> uses
/// <c>previous</c>, so no crash can leave a backup made of two saves.
/// </remarks>
public sealed class BackupAndRestore : Callback
{
    internal const string StateFileName = "trainer_state.json";
    private const string Last = "last", Previous = "previous", Incoming = "incoming";
    private readonly int? _saveFrequency;
    private readonly bool _deleteCheckpoint;

    /// <summary>Creates the callback.</summary>
    /// <param name="backupDirectory">The folder of the backup; created when first needed. Give each run its own.</param>
    /// <param name="saveFrequency">Back up every this many steps; null (Keras's <c>"epoch"</c>) at the end of every epoch.</param>
    /// <param name="deleteCheckpoint">Delete the backup when training ends normally.</param>
    public BackupAndRestore(string backupDirectory, int? saveFrequency = null, bool deleteCheckpoint = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(backupDirectory);
        if (saveFrequency is int f)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(f, 1, nameof(saveFrequency));
        }

        BackupDirectory = backupDirectory;
        _saveFrequency = saveFrequency;
        _deleteCheckpoint = deleteCheckpoint;
    }

    /// <summary>The folder of the backup.</summary>
    public string BackupDirectory { get; }

    /// <summary>The step the run resumed from, or null when it started fresh.</summary>
    public int? RestoredStep { get; private set; }

    /// <inheritdoc/>
    public override bool OnEveryReplica => false;

    /// <inheritdoc/>
    public override JsonObject? ResumeState()
    {
        RestoredStep = null;
        string? folder = Find();
        if (folder is null)
        {
            return null;
        }

        string statePath = Path.Combine(folder, StateFileName);
        JsonObject state;
        try
        {
            state = Recur.IO.JsonFiles.Read(statePath) as JsonObject ?? throw new InvalidDataException("the top level is not an object");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException or IOException)
        {
            throw new InvalidDataException($"BackupAndRestore: {statePath} cannot be read ({e.Message}); delete {BackupDirectory} to start afresh.", e);
        }

        Model.Restore(Path.Combine(folder, "model"));
        RestoredStep = (int?)state["step"];
        return state;
    }

    /// <inheritdoc/>
    public override void OnBatchEnd(int batch, IDictionary<string, double> logs)
    {
        if (_saveFrequency is int f && Trainer.Step % f == 0)
        {
            Backup();
        }
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        if (_saveFrequency is null)
        {
            Backup();
        }
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(IDictionary<string, double> logs)
    {
        if (_deleteCheckpoint && Directory.Exists(BackupDirectory))
        {
            Directory.Delete(BackupDirectory, recursive: true);
        }
    }

    /// <summary>Writes a backup as of now and switches to it.</summary>
    private void Backup()
    {
        string incoming = Path.Combine(BackupDirectory, Incoming), last = Path.Combine(BackupDirectory, Last), previous = Path.Combine(BackupDirectory, Previous);
        if (Directory.Exists(incoming))
        {
            Directory.Delete(incoming, recursive: true);
        }

        Directory.CreateDirectory(incoming);
        Model.Save(Path.Combine(incoming, "model"));
        AtomicFile.WriteAllText(Path.Combine(incoming, StateFileName), Trainer.CaptureState().ToJsonString() + "\n");
        if (Directory.Exists(last))
        {
            if (Directory.Exists(previous))
            {
                Directory.Delete(previous, recursive: true);
            }

            Directory.Move(last, previous);
        }

        Directory.Move(incoming, last);
        if (Directory.Exists(previous))
        {
            Directory.Delete(previous, recursive: true);
        }
    }

    /// <summary>The complete backup: <c>last</c>, else <c>previous</c> (a crash between the two renames), else none.</summary>
    private string? Find()
    {
        foreach (string name in (string[])[Last, Previous])
        {
            string folder = Path.Combine(BackupDirectory, name);
            if (File.Exists(Path.Combine(folder, StateFileName)))
            {
                return folder;
            }
        }

        return null;
    }
}
