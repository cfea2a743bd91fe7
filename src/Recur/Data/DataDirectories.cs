using System.Security.Cryptography;

namespace Recur.Data;

/// <summary>
/// What the fetched data sets share (<see cref="MnistFiles"/>, <see cref="WordLists"/>, <see cref="VegaDatasets"/>):
/// the directories searched, in order, and the hash every file is checked by.
/// </summary>
internal static class DataDirectories
{
    /// <summary>
    /// The directories to search for a data set kept in <paramref name="name"/>: <paramref name="dataDir"/> itself when
    /// given, then <c>recurDataDir/name</c> (<c>$RECUR_DATA</c>) when given, then the per-user cache's <c>name</c>
    /// (<paramref name="cacheDir"/>, or <see cref="MnistFiles.DefaultCacheDirectory"/>), each as a full path. The first is
    /// where a missing file is fetched to.
    /// </summary>
    public static List<string> Search(string? dataDir, string? recurDataDir, string? cacheDir, string name)
    {
        var search = new List<string>();
        if (!string.IsNullOrEmpty(dataDir))
        {
            search.Add(Path.GetFullPath(dataDir));
        }

        if (!string.IsNullOrEmpty(recurDataDir))
        {
            search.Add(Path.GetFullPath(Path.Combine(recurDataDir, name)));
        }

        search.Add(Path.GetFullPath(Path.Combine(cacheDir ?? MnistFiles.DefaultCacheDirectory(), name)));
        return search;
    }

    /// <summary>The SHA-256 of <paramref name="bytes"/> as 64 lower-case hex digits (what <c>sha256sum</c> prints).</summary>
    public static string Sha256Hex(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
}
