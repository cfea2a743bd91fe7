using System.Globalization;
using System.Text.RegularExpressions;

namespace Recur.IO;

/// <summary>
/// A run directory whose checkpoints are each written as one unit:
/// <code>
/// DIR/
///   run.lock                       exists while a run writes DIR: an exclusive OS lock on it, the process id inside
///   checkpoints/step-00000200/     a complete checkpoint: any set of files (config.json, model.safetensors, …)
///   checkpoints/step-00000400/
///   checkpoint                     which folder is the last checkpoint and which the best (JSON), replaced atomically
///   (metrics.csv and other files the caller writes beside them, each atomically, e.g. with AtomicFile)
/// </code>
/// <see cref="Write"/> puts a checkpoint's files in a temporary folder under <c>checkpoints/</c>, flushing each to the
/// disk, renames the folder into place in one rename, then replaces the <c>checkpoint</c> pointer in one rename, and
/// only then deletes the folders that are neither the last nor the best. A reader (<see cref="Resolve"/>) goes through
/// the pointer, which only ever names complete folders, so there is no moment at which it can see files of two saves:
/// a crash, a kill or a full disk at any point leaves the previous checkpoint pointed to and whole. What such a failure
/// leaves behind (a temporary folder, an unpointed folder, a pointer's temporary file) is removed at the next
/// <see cref="Open(string, CheckpointMode)"/>.
/// <para>
/// .NET cannot flush a directory (<c>fsync</c> on it) without native code, so the renames are atomic but, after a
/// power failure rather than a crash, their durability rests on the file system's ordering of metadata (ext4, xfs
/// and APFS journal it); the files' contents are flushed before the rename that publishes them.
/// </para>
/// <para>One writer per directory, and not thread-safe; any number of readers, in any process.</para>
/// </summary>
public sealed partial class CheckpointDirectory : IDisposable
{
    /// <summary>The pointer file's name: it names the last and the best checkpoint folders.</summary>
    public const string PointerFileName = "checkpoint";

    /// <summary>The folder holding one folder per checkpoint.</summary>
    public const string CheckpointsFolderName = "checkpoints";

    /// <summary>The lock file's name.</summary>
    public const string LockFileName = RunLock.FileName;

    private readonly FileOperations _files;
    private readonly RunLock _lock;
    private readonly string _shown;
    private readonly string _checkpoints;
    private readonly bool _created;
    private readonly bool _createdCheckpoints;
    private string? _last;
    private string? _best;
    private bool _disposed;

    private CheckpointDirectory(string shown, string directory, bool created, FileOperations files, RunLock runLock, CheckpointPointer? kept)
    {
        _shown = shown;
        Directory = directory;
        _created = created;
        _files = files;
        _lock = runLock;
        _checkpoints = Path.Combine(directory, CheckpointsFolderName);
        _createdCheckpoints = !System.IO.Directory.Exists(_checkpoints);
        _last = kept?.Last;
        _best = kept?.Best;
    }

    /// <summary>The run directory's full path.</summary>
    public string Directory { get; }

    /// <summary>The last checkpoint's folder, or null before the first <see cref="Write"/> (of this run, or of the run resumed).</summary>
    public string? LastPath => _last is null ? null : Path.Combine(_checkpoints, _last);

    /// <summary>The best checkpoint's folder, or null when none was written as the best.</summary>
    public string? BestPath => _best is null ? null : Path.Combine(_checkpoints, _best);

    /// <summary>
    /// Opens <paramref name="directory"/> to write checkpoints into: creates it if needed, takes its lock, removes what
    /// an interrupted run left (temporary files and folders, folders the pointer does not name), and writes and
    /// deletes a probe file, so that a directory that cannot be written fails here, before any work is done.
    /// </summary>
    /// <param name="directory">The run directory.</param>
    /// <param name="mode">What to do when it holds a run already (see <see cref="CheckpointMode"/>).</param>
    /// <returns>The writer, which holds the lock until it is disposed.</returns>
    /// <exception cref="CheckpointDirectoryLockedException">Another run is writing the directory.</exception>
    /// <exception cref="ExistingRunException"><paramref name="mode"/> is <see cref="CheckpointMode.New"/> and the directory holds a run.</exception>
    /// <exception cref="InvalidDataException"><paramref name="mode"/> is <see cref="CheckpointMode.Resume"/> and the directory has no (valid) checkpoint.</exception>
    /// <exception cref="IOException">The directory cannot be created or written; the message names it and says why, on one line.</exception>
    public static CheckpointDirectory Open(string directory, CheckpointMode mode = CheckpointMode.New) => Open(directory, mode, new FileOperations());

    /// <summary><see cref="Open(string, CheckpointMode)"/> with the file operations a test can make fail.</summary>
    internal static CheckpointDirectory Open(string directory, CheckpointMode mode, FileOperations files)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, "CheckpointDirectory.Open: use CheckpointMode.New, Overwrite or Resume.");
        }

        string full = Path.GetFullPath(directory);
        bool created = !System.IO.Directory.Exists(full);
        RunLock runLock;
        try
        {
            files.CreateDirectory(full);
            runLock = RunLock.Acquire(full);
        }
        catch (Exception e) when (e is (IOException or UnauthorizedAccessException) and not CheckpointDirectoryLockedException)
        {
            throw Unwritable(directory, e, files.FailedPath ?? full);
        }

        CheckpointDirectory? writer = null;
        try
        {
            CheckpointPointer? pointer = Existing(directory, full, mode);
            writer = new CheckpointDirectory(directory, full, created, files, runLock, mode == CheckpointMode.Resume ? pointer : null);
            writer.Clean(pointer);
            writer.CheckWritable(1);
            return writer;
        }
        catch
        {
            if (writer is null)
            {
                runLock.Dispose();
            }
            else
            {
                writer.Dispose();
            }

            throw;
        }
    }

    /// <summary>
    /// Writes and deletes a file of <paramref name="bytes"/> bytes under <c>checkpoints/</c>: a check, before a long
    /// computation, that there is room for that much (e.g. two checkpoints: the one kept while the next is written).
    /// It reserves nothing; a checkpoint can still fail later if the disk fills.
    /// </summary>
    /// <exception cref="IOException">The file cannot be written; the message names the path and the reason.</exception>
    public void CheckWritable(long bytes)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        ArgumentOutOfRangeException.ThrowIfNegative(bytes);
        string probe = Path.Combine(_checkpoints, $".probe-{Token()}");
        try
        {
            _files.CreateDirectory(_checkpoints);
            _files.WriteFile(probe, Math.Max(bytes, 1));
            _files.DeleteFile(probe);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string failed = _files.FailedPath ?? probe;
            TryDelete(probe, isDirectory: false);
            throw Unwritable(_shown, e, failed);
        }
    }

    /// <summary>
    /// Writes a checkpoint: <paramref name="files"/> into a new folder <c>checkpoints/{name}</c> (or
    /// <c>checkpoints/{name}.1</c> … when a folder of that name is kept as the last or the best), complete and flushed
    /// before it becomes the last checkpoint in one atomic replacement of the pointer. Then the folders that are
    /// neither the last nor the best are deleted (renamed away first, so none is ever seen half deleted).
    /// </summary>
    /// <param name="name">The checkpoint's name: 1 to 100 letters, digits, <c>-</c> or <c>_</c> (e.g. <c>step-00000400</c>).</param>
    /// <param name="files">File name (no folders, not starting with '.') → content.</param>
    /// <param name="best">Whether this checkpoint becomes the best one too (e.g. the best validation score so far).</param>
    /// <exception cref="ArgumentException">A name is not valid, or there are no files.</exception>
    /// <exception cref="IOException">
    /// The checkpoint could not be written (a full disk, an error of the file system); the message, on one line,
    /// names the path and says which checkpoint is kept. The directory is as before the call.
    /// </exception>
    public void Write(string name, IReadOnlyDictionary<string, byte[]> files, bool best = false)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        CheckNames(name, files);
        string folder = FreeFolder(name);
        string target = Path.Combine(_checkpoints, folder);
        string temp = Path.Combine(_checkpoints, $".tmp-{folder}-{Token()}");
        try
        {
            _files.CreateDirectory(temp);
            foreach (var (file, bytes) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                _files.WriteFile(Path.Combine(temp, file), bytes);
            }

            _files.MoveDirectory(temp, target);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            string failed = _files.FailedPath ?? temp;
            TryDelete(temp, isDirectory: true);
            throw WriteFailed(name, e, failed);
        }

        // The pointer: written to a temporary file, flushed, and renamed over the old one.
        var pointer = new CheckpointPointer(folder, best ? folder : _best);
        string pointerTemp = Path.Combine(Directory, $".{PointerFileName}.{Guid.NewGuid():N}.tmp");
        try
        {
            _files.WriteFile(pointerTemp, pointer.ToBytes());
            _files.ReplaceFile(pointerTemp, Path.Combine(Directory, PointerFileName));
        }
        catch (Exception e) when ((e is IOException or UnauthorizedAccessException) && !PointsTo(folder))
        {
            string failed = _files.FailedPath ?? pointerTemp;
            TryDelete(pointerTemp, isDirectory: false);
            TryDelete(target, isDirectory: true);
            throw WriteFailed(name, e, failed);
        }

        _last = pointer.Last;
        _best = pointer.Best;
        RemoveStale();
    }

    /// <summary>
    /// Releases the lock and deletes <c>run.lock</c>. A writer that wrote no checkpoint also removes the directory and its
    /// <c>checkpoints</c> folder when it created them and they are empty, so a run that failed early leaves nothing behind.
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _lock.Dispose();
        if (_last is null)
        {
            RemoveIfEmpty(_createdCheckpoints, _checkpoints);
            RemoveIfEmpty(_created, Directory);
        }
    }

    private static void RemoveIfEmpty(bool created, string directory)
    {
        try
        {
            if (created && System.IO.Directory.Exists(directory) && !System.IO.Directory.EnumerateFileSystemEntries(directory).Any())
            {
                System.IO.Directory.Delete(directory);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    /// <summary>Whether <paramref name="directory"/> is a run directory: it has a <c>checkpoint</c> pointer.</summary>
    public static bool IsRunDirectory(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        return File.Exists(Path.Combine(directory, PointerFileName));
    }

    /// <summary>The folder of the run directory's last or best checkpoint, as its pointer names it now.</summary>
    /// <exception cref="InvalidDataException">
    /// The directory has no pointer, the pointer is not valid, there is no best checkpoint, or the folder it names is gone.
    /// </exception>
    public static string Resolve(string directory, CheckpointKind checkpoint = CheckpointKind.Last)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string pointerPath = Path.Combine(directory, PointerFileName);
        CheckpointPointer pointer = CheckpointPointer.Read(pointerPath)
            ?? throw new InvalidDataException($"'{directory}' is not a run directory: it has no '{PointerFileName}' file naming its checkpoints.");
        string? folder = checkpoint == CheckpointKind.Best ? pointer.Best : pointer.Last;
        if (folder is null)
        {
            throw new InvalidDataException($"'{directory}' has no best checkpoint: none was written as the best (by validation) yet; read its last checkpoint instead.");
        }

        string path = Path.Combine(directory, CheckpointsFolderName, folder);
        return System.IO.Directory.Exists(path)
            ? path
            : throw new InvalidDataException($"{pointerPath} names the checkpoint folder '{folder}', but {path} does not exist; the run directory was changed by hand.");
    }

    /// <summary>The pointer of the run in <paramref name="full"/>, after checking that <paramref name="mode"/> allows opening it.</summary>
    private static CheckpointPointer? Existing(string shown, string full, CheckpointMode mode)
    {
        string pointerPath = Path.Combine(full, PointerFileName);
        CheckpointPointer? pointer;
        try
        {
            pointer = CheckpointPointer.Read(pointerPath);
        }
        catch (InvalidDataException) when (mode != CheckpointMode.Resume)
        {
            if (mode == CheckpointMode.New)
            {
                throw new ExistingRunException(shown, $"a '{PointerFileName}' file");
            }

            pointer = null; // overwritten at the first checkpoint
        }

        if (mode == CheckpointMode.New)
        {
            string checkpoints = Path.Combine(full, CheckpointsFolderName);
            string? what = pointer is not null ? $"its last checkpoint is '{pointer.Last}'"
                : System.IO.Directory.Exists(checkpoints) && System.IO.Directory.EnumerateFileSystemEntries(checkpoints).Any(e => !Path.GetFileName(e).StartsWith('.'))
                    ? $"a '{CheckpointsFolderName}' folder"
                : File.Exists(Path.Combine(full, "config.json")) ? "a model, config.json"
                : null;
            if (what is not null)
            {
                throw new ExistingRunException(shown, what);
            }
        }
        else if (mode == CheckpointMode.Resume)
        {
            if (pointer is null)
            {
                throw new InvalidDataException($"'{shown}' has no checkpoint to resume from (no '{PointerFileName}' file); start a new run instead.");
            }

            Resolve(full, CheckpointKind.Last);
        }

        return pointer;
    }

    /// <summary>Removes what an interrupted run left: entries of <c>checkpoints/</c> the pointer does not name, and temporary files of atomic writes.</summary>
    private void Clean(CheckpointPointer? pointer)
    {
        if (System.IO.Directory.Exists(_checkpoints))
        {
            foreach (string entry in System.IO.Directory.GetFileSystemEntries(_checkpoints))
            {
                string name = Path.GetFileName(entry);
                if (name != pointer?.Last && name != pointer?.Best)
                {
                    TryDelete(entry, System.IO.Directory.Exists(entry));
                }
            }
        }

        foreach (string file in System.IO.Directory.GetFiles(Directory))
        {
            if (TemporaryFile().IsMatch(Path.GetFileName(file)))
            {
                TryDelete(file, isDirectory: false);
            }
        }
    }

    /// <summary>The temporary file names of <see cref="AtomicFile"/> (and of the pointer): <c>.{name}.{32 hex digits}.tmp</c>.</summary>
    [GeneratedRegex(@"^\..+\.[0-9a-f]{32}\.tmp$")]
    private static partial Regex TemporaryFile();

    /// <summary>Whether the pointer on disk names <paramref name="folder"/> as the last checkpoint (a rename reported as failed may still have happened).</summary>
    private bool PointsTo(string folder)
    {
        try
        {
            return CheckpointPointer.Read(Path.Combine(Directory, PointerFileName))?.Last == folder;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException)
        {
            return false;
        }
    }

    /// <summary>Deletes the checkpoint folders that are neither the last nor the best; what fails here is left for the next open.</summary>
    private void RemoveStale()
    {
        foreach (string folder in System.IO.Directory.GetDirectories(_checkpoints))
        {
            string name = Path.GetFileName(folder);
            if (name.StartsWith('.') || name == _last || name == _best)
            {
                continue;
            }

            string trash = Path.Combine(_checkpoints, $".trash-{name}-{Token()}");
            try
            {
                _files.MoveDirectory(folder, trash);
                _files.DeleteDirectory(trash);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }
    }

    /// <summary><paramref name="name"/>, or <c>name.1</c>, <c>name.2</c> … : the first that is not a folder yet.</summary>
    private string FreeFolder(string name)
    {
        string folder = name;
        for (int k = 1; System.IO.Directory.Exists(Path.Combine(_checkpoints, folder)); k++)
        {
            folder = string.Create(CultureInfo.InvariantCulture, $"{name}.{k}");
        }

        return folder;
    }

    private static void CheckNames(string name, IReadOnlyDictionary<string, byte[]> files)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(files);
        if (!CheckpointName().IsMatch(name))
        {
            throw new ArgumentException($"CheckpointDirectory.Write: the checkpoint name '{name}' must be 1 to 100 letters, digits, '-' or '_' (e.g. step-00000400).", nameof(name));
        }

        if (files.Count == 0)
        {
            throw new ArgumentException("CheckpointDirectory.Write: a checkpoint needs at least one file.", nameof(files));
        }

        foreach (var (file, bytes) in files)
        {
            if (string.IsNullOrEmpty(file) || file != Path.GetFileName(file) || file.StartsWith('.') || file.IndexOfAny(Path.GetInvalidFileNameChars()) >= 0)
            {
                throw new ArgumentException($"CheckpointDirectory.Write: '{file}' is not a plain file name (no folders, not starting with '.').", nameof(files));
            }

            ArgumentNullException.ThrowIfNull(bytes, $"{nameof(files)}[{file}]");
        }
    }

    [GeneratedRegex("^[A-Za-z0-9_-]{1,100}$")]
    private static partial Regex CheckpointName();

    private IOException WriteFailed(string name, Exception e, string path)
    {
        string kept = _last is null ? "no earlier checkpoint was written"
            : _best is not null && _best != _last ? $"the previous checkpoint, '{_last}', and the best, '{_best}', are kept"
            : $"the previous checkpoint, '{_last}', is kept";
        return new IOException($"cannot write checkpoint '{name}' in '{_shown}': {Reason(e, path)}; {kept}.", e);
    }

    /// <summary>One line: <paramref name="directory"/> cannot be written, and why.</summary>
    private static IOException Unwritable(string directory, Exception e, string path)
    {
        string? file = FileAncestor(path);
        string reason = file is not null ? $"'{file}' is a file, not a directory" : Reason(e, path);
        return new IOException($"cannot write the run directory '{directory}': {reason}.", e);
    }

    /// <summary>What went wrong, naming <paramref name="path"/>: "no space left on the device" for a full disk, else the system's message.</summary>
    private static string Reason(Exception e, string? path)
    {
        // ENOSPC is errno 28 on Linux and macOS (.NET's HResult there); Windows has ERROR_DISK_FULL and ERROR_HANDLE_DISK_FULL.
        if (e.HResult is 28 or unchecked((int)0x80070070) or unchecked((int)0x80070027))
        {
            return $"no space left on the device (writing {path})";
        }

        string message = e.Message.TrimEnd('.');
        return path is null || message.Contains(path, StringComparison.Ordinal) ? message : $"{message} ({path})";
    }

    /// <summary>The nearest existing ancestor of <paramref name="path"/> when it is a file (so nothing can be created below it), else null.</summary>
    private static string? FileAncestor(string path)
    {
        for (string? p = Path.GetFullPath(path); p is not null; p = Path.GetDirectoryName(p))
        {
            if (File.Exists(p))
            {
                return p;
            }

            if (System.IO.Directory.Exists(p))
            {
                return null;
            }
        }

        return null;
    }

    private void TryDelete(string path, bool isDirectory)
    {
        try
        {
            if (isDirectory)
            {
                if (System.IO.Directory.Exists(path))
                {
                    _files.DeleteDirectory(path);
                }
            }
            else if (File.Exists(path))
            {
                _files.DeleteFile(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next open, which removes it.
        }
    }

    private static string Token() => Guid.NewGuid().ToString("N")[..12];
}
