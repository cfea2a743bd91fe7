namespace Recur.IO;

/// <summary>
/// The file-system steps that <see cref="CheckpointDirectory"/> and <c>ModelFile.Save</c> take, one method per step, so
/// that a test can make any one of them fail (override <see cref="Before"/>) and check what a crash or a full disk at
/// that point leaves behind. Reads do not go through here. Not thread-safe: each writer has its own instance.
/// </summary>
internal class FileOperations
{
    /// <summary>The path of the last step that failed, or null; names the file in error messages.</summary>
    public string? FailedPath { get; private set; }

    /// <summary>Called before every step with its kind and path; throw from it to make the step fail.</summary>
    protected virtual void Before(FileOperation operation, string path)
    {
    }

    /// <summary>Creates <paramref name="path"/> and its missing parents.</summary>
    public void CreateDirectory(string path) => Do(FileOperation.CreateDirectory, path, () => Directory.CreateDirectory(path));

    /// <summary>Creates the new file <paramref name="path"/> (it must not exist), writes <paramref name="bytes"/> and flushes them to the disk.</summary>
    public void WriteFile(string path, byte[] bytes) => Do(FileOperation.WriteFile, path, () =>
    {
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        stream.Write(bytes);
        stream.Flush(flushToDisk: true);
    });

    /// <summary>Creates the new file <paramref name="path"/> of <paramref name="length"/> bytes (not zeros, which some file systems store in no space) and flushes it to the disk.</summary>
    public void WriteFile(string path, long length) => Do(FileOperation.WriteFile, path, () =>
    {
        byte[] chunk = new byte[(int)Math.Min(length, 1 << 20)];
        Array.Fill(chunk, (byte)0xA5);
        using var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1);
        for (long left = length; left > 0; left -= chunk.Length)
        {
            stream.Write(chunk, 0, (int)Math.Min(left, chunk.Length));
        }

        stream.Flush(flushToDisk: true);
    });

    /// <summary>Renames the directory <paramref name="from"/> to <paramref name="to"/>, which must not exist: one rename.</summary>
    public void MoveDirectory(string from, string to) => Do(FileOperation.MoveDirectory, to, () => Directory.Move(from, to));

    /// <summary>Renames the file <paramref name="from"/> over <paramref name="to"/>: one rename, which replaces <paramref name="to"/> atomically.</summary>
    public void ReplaceFile(string from, string to) => Do(FileOperation.ReplaceFile, to, () => File.Move(from, to, overwrite: true));

    /// <summary>Deletes the directory <paramref name="path"/> and everything in it.</summary>
    public void DeleteDirectory(string path) => Do(FileOperation.DeleteDirectory, path, () => Directory.Delete(path, recursive: true));

    /// <summary>Deletes the file <paramref name="path"/>.</summary>
    public void DeleteFile(string path) => Do(FileOperation.DeleteFile, path, () => File.Delete(path));

    private void Do(FileOperation operation, string path, Action step)
    {
        try
        {
            Before(operation, path);
            step();
        }
        catch
        {
            FailedPath = path;
            throw;
        }
    }
}
