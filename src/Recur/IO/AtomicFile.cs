using System.Text;

namespace Recur.IO;

/// <summary>
/// Writes files so that a reader sees either the old file or the complete new one, never a
/// half-written file: the content goes to a temporary file in the same directory, is flushed to
/// the disk, and is then renamed over <c>path</c>. If anything fails, the temporary file is
/// deleted and the previous file at <c>path</c> is left untouched.
/// </summary>
public static class AtomicFile
{
    /// <summary>
    /// Writes <paramref name="path"/> through <paramref name="write"/>, atomically. The directory is
    /// created if needed.
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="write">
    /// Writes the whole content to the stream it is given. It must not close the stream (wrap it
    /// with <c>leaveOpen: true</c>); an exception it throws leaves <paramref name="path"/> as it was
    /// and is rethrown.
    /// </param>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names a directory.</exception>
    /// <exception cref="InvalidOperationException"><paramref name="write"/> closed the stream.</exception>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(write);
        string full = Path.GetFullPath(path);
        string fileName = Path.GetFileName(full);
        if (fileName.Length == 0 || Directory.Exists(full))
        {
            throw new ArgumentException($"'{path}' names a directory, not a file.", nameof(path));
        }

        string directory = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(directory);
        string temp = Path.Combine(directory, $".{fileName}.{Guid.NewGuid():N}.tmp");
        try
        {
            using (var stream = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16))
            {
                write(stream);
                if (!stream.CanWrite)
                {
                    throw new InvalidOperationException(
                        $"The callback writing '{path}' closed the stream; wrap it with leaveOpen: true so the file can be flushed to disk before it replaces the old one.");
                }

                stream.Flush(flushToDisk: true);
            }

            File.Move(temp, full, overwrite: true);
        }
        catch
        {
            TryDelete(temp);
            throw;
        }
    }

    /// <summary>Writes <paramref name="bytes"/> to <paramref name="path"/>, atomically.</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names a directory.</exception>
    public static void WriteAllBytes(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        Write(path, s => s.Write(bytes));
    }

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> as UTF-8 without a byte-order mark, atomically.</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names a directory.</exception>
    public static void WriteAllText(string path, string text) => WriteAllText(path, text, new UTF8Encoding(false));

    /// <summary>Writes <paramref name="text"/> to <paramref name="path"/> in <paramref name="encoding"/>, atomically.</summary>
    /// <exception cref="ArgumentException"><paramref name="path"/> is empty or names a directory.</exception>
    public static void WriteAllText(string path, string text, Encoding encoding)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentNullException.ThrowIfNull(encoding);
        Write(path, s =>
        {
            using var writer = new StreamWriter(s, encoding, bufferSize: 1 << 16, leaveOpen: true);
            writer.Write(text);
        });
    }

    private static void TryDelete(string temp)
    {
        try
        {
            File.Delete(temp);
        }
        catch (IOException)
        {
            // The original exception matters more; a leftover temp file is named to be recognisable.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
