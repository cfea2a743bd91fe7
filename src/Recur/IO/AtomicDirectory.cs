using System.Text.RegularExpressions;

namespace Recur.IO;

/// <summary>
/// Replaces a directory's content as a whole, so that a reader finds either the old set of files or the new one, never
/// a mix. There is no portable atomic exchange of two directories, so it takes four renames, each atomic:
/// <list type="number">
/// <item>the files are written, each flushed to the disk, into the sibling <c>.{name}.tmp-{id}</c>, which is then renamed
/// <c>.{name}.new-{id}</c> — complete;</item>
/// <item>the directory, if it exists, is renamed <c>.{name}.old-{id}</c>;</item>
/// <item><c>.{name}.new-{id}</c> is renamed to the directory's name;</item>
/// <item><c>.{name}.old-{id}</c> is deleted.</item>
/// </list>
/// Between 2 and 3 the directory does not exist for an instant; a crash there leaves the complete new version in
/// <c>.{name}.new-{id}</c>, which <see cref="Pending"/> finds (readers use it) and the next <see cref="Replace"/> renames
/// into place. A failure before step 2 leaves the directory untouched; one at step 3 renames the old version back.
/// </summary>
internal static class AtomicDirectory
{
    /// <summary>Makes <paramref name="directory"/> hold exactly <paramref name="files"/>.</summary>
    /// <param name="directory">The directory; its parents are created if needed.</param>
    /// <param name="files">File name → content.</param>
    /// <param name="replaceable">The names the directory may hold now; anything else in it is refused, as it would be lost.</param>
    /// <param name="operations">The file operations (a test makes them fail).</param>
    /// <exception cref="ArgumentException">The directory holds an entry not in <paramref name="replaceable"/>, is a file, or is a root.</exception>
    /// <exception cref="IOException">A file could not be written or renamed; the directory is as before, or complete in its pending sibling.</exception>
    public static void Replace(string directory, IReadOnlyDictionary<string, byte[]> files, IReadOnlySet<string> replaceable, FileOperations operations)
    {
        string full = Full(directory, out string parent, out string name);
        if (File.Exists(full))
        {
            throw new ArgumentException($"'{directory}' is a file; a model is saved as a directory.", nameof(directory));
        }

        // Finish or clear what an interrupted replacement left.
        if (!Directory.Exists(full) && Pending(full) is string pending)
        {
            operations.MoveDirectory(pending, full);
        }

        foreach (string sibling in Siblings(parent, name, "tmp|new|old"))
        {
            TryDelete(sibling, operations);
        }

        bool exists = Directory.Exists(full);
        if (exists && Directory.GetFileSystemEntries(full).Select(Path.GetFileName).Where(n => !replaceable.Contains(n!)).Order(StringComparer.Ordinal).FirstOrDefault() is string other)
        {
            throw new ArgumentException(
                $"'{directory}' holds '{other}', which is not part of a model; saving replaces the whole directory, so give the model a directory of its own.", nameof(directory));
        }

        string id = Guid.NewGuid().ToString("N")[..12];
        string temp = Path.Combine(parent, $".{name}.tmp-{id}"), next = Path.Combine(parent, $".{name}.new-{id}"), old = Path.Combine(parent, $".{name}.old-{id}");
        try
        {
            operations.CreateDirectory(temp);
            foreach (var (file, bytes) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
            {
                operations.WriteFile(Path.Combine(temp, file), bytes);
            }

            operations.MoveDirectory(temp, next);
        }
        catch
        {
            TryDelete(temp, operations);
            TryDelete(next, operations);
            throw;
        }

        if (exists)
        {
            try
            {
                operations.MoveDirectory(full, old);
            }
            catch
            {
                TryDelete(next, operations);
                throw;
            }
        }

        try
        {
            operations.MoveDirectory(next, full);
        }
        catch
        {
            if (exists && TryMove(old, full, operations))
            {
                TryDelete(next, operations);
            }

            throw;
        }

        if (exists)
        {
            TryDelete(old, operations);
        }
    }

    /// <summary>
    /// For a <paramref name="directory"/> that does not exist: the complete new version an interrupted
    /// <see cref="Replace"/> left beside it, or null.
    /// </summary>
    public static string? Pending(string directory)
    {
        string full = Full(directory, out string parent, out string name);
        return Directory.Exists(full) || !Directory.Exists(parent) ? null : Siblings(parent, name, "new").Order(StringComparer.Ordinal).FirstOrDefault();
    }

    private static string Full(string directory, out string parent, out string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(directory));
        parent = Path.GetDirectoryName(full) ?? throw new ArgumentException($"'{directory}' is a root; a model needs a directory of its own.", nameof(directory));
        name = Path.GetFileName(full);
        return full;
    }

    /// <summary>The directories <c>.{name}.{kind}-{id}</c> beside <paramref name="name"/>.</summary>
    private static IEnumerable<string> Siblings(string parent, string name, string kinds)
    {
        if (!Directory.Exists(parent))
        {
            return [];
        }

        var pattern = new Regex($"^\\.{Regex.Escape(name)}\\.({kinds})-[0-9a-f]{{12}}$");
        return Directory.EnumerateDirectories(parent, "." + name + ".*").Where(d => pattern.IsMatch(Path.GetFileName(d))).ToList();
    }

    private static bool TryMove(string from, string to, FileOperations operations)
    {
        try
        {
            operations.MoveDirectory(from, to);
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void TryDelete(string path, FileOperations operations)
    {
        try
        {
            if (Directory.Exists(path))
            {
                operations.DeleteDirectory(path);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Removed by the next Replace.
        }
    }
}
