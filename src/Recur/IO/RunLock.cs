using System.Globalization;
using System.Text;

namespace Recur.IO;

/// <summary>
/// The <c>run.lock</c> file of a run directory: held open with <see cref="FileShare.None"/>, which .NET turns into an
/// exclusive OS lock (<c>flock</c> on Linux and macOS, a share mode on Windows), so a second writer — in this process or
/// another — cannot take it, and the lock goes away with the process however it ends. The holder's process id is
/// written inside for people (<c>cat run.lock</c>). .NET itself cannot read a file another process has locked this way
/// (it takes a shared lock to read), so on Linux the holder is found for the message from <c>/proc</c>.
/// </summary>
internal sealed class RunLock : IDisposable
{
    /// <summary>The lock file's name inside a run directory.</summary>
    public const string FileName = "run.lock";

    private readonly FileStream _stream;
    private bool _disposed;

    private RunLock(string path, FileStream stream)
    {
        Path = path;
        _stream = stream;
    }

    /// <summary>The lock file.</summary>
    public string Path { get; }

    /// <summary>Takes the lock of the existing directory <paramref name="directory"/> and writes this process's id into it.</summary>
    /// <exception cref="CheckpointDirectoryLockedException">Another run (of this process or another) holds it.</exception>
    /// <exception cref="IOException">The lock file cannot be created or written.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory may not be written.</exception>
    public static RunLock Acquire(string directory)
    {
        string path = System.IO.Path.Combine(directory, FileName);
        FileStream stream;
        try
        {
            stream = new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, bufferSize: 1);
        }
        catch (IOException e) when (IsSharingViolation(e))
        {
            throw new CheckpointDirectoryLockedException(directory, path, Holder(path));
        }

        try
        {
            // A stale lock file (its process is gone, so its OS lock is too) is taken over: its old id is replaced.
            stream.SetLength(0);
            stream.Write(Encoding.ASCII.GetBytes(Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n"));
            stream.Flush(flushToDisk: true);
        }
        catch
        {
            stream.Dispose();
            throw;
        }

        return new RunLock(path, stream);
    }

    /// <summary>
    /// Deletes the lock file, then releases the lock. (Deleting first means a run that opens the file from now on
    /// creates a new one; a run that opened the old file in the microseconds before could still lock it once it is
    /// unlinked — a race left open, as with pid files.)
    /// </summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        try
        {
            File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A left-over lock file is harmless: nobody holds its OS lock, so the next run takes it over.
        }

        _stream.Dispose();
    }

    /// <summary>
    /// Whether <paramref name="e"/> says the file is locked by someone else: EWOULDBLOCK from <c>flock</c> (11 on Linux,
    /// 35 on macOS; .NET's HResult is the errno there) or Windows's sharing and lock violations.
    /// </summary>
    private static bool IsSharingViolation(IOException e) =>
        e.GetType() == typeof(IOException) && e.HResult is 11 or 35 or unchecked((int)0x80070020) or unchecked((int)0x80070021);

    /// <summary>The id of a process that has <paramref name="path"/> open, from <c>/proc/*/fd</c> on Linux; null elsewhere or when none is found.</summary>
    private static int? Holder(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        try
        {
            foreach (string process in Directory.EnumerateDirectories("/proc"))
            {
                if (!int.TryParse(System.IO.Path.GetFileName(process), NumberStyles.None, CultureInfo.InvariantCulture, out int pid))
                {
                    continue;
                }

                try
                {
                    foreach (string fd in Directory.EnumerateFileSystemEntries(System.IO.Path.Combine(process, "fd")))
                    {
                        if (new FileInfo(fd).LinkTarget == path)
                        {
                            return pid;
                        }
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The process ended, or its descriptors are not ours to see.
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }
}
