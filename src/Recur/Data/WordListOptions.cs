namespace Recur.Data;

/// <summary>Where <see cref="WordLists"/> looks for and fetches the word lists. Every property has a working default.</summary>
public sealed record WordListOptions
{
    /// <summary>A directory holding the lists directly (searched first, fetched into). Null: not used.</summary>
    public string? DataDir { get; init; }

    /// <summary>A data root: lists in its <c>words</c> subdirectory. Defaults to <c>$RECUR_DATA</c>; null: not used.</summary>
    public string? RecurDataDir { get; init; } = Environment.GetEnvironmentVariable(MnistFiles.DataEnvironmentVariable);

    /// <summary>The per-user cache root (lists in its <c>words</c> subdirectory). Null: <see cref="MnistFiles.DefaultCacheDirectory"/>.</summary>
    public string? CacheDir { get; init; }

    /// <summary>Where the installed packages put the lists, searched last (default <c>/usr/share/dict</c>); null: not searched.</summary>
    public string? SystemDirectory { get; init; } = WordLists.DefaultSystemDirectory;

    /// <summary>Whether to fetch a missing list from its Debian package (<c>apt-get download</c>, then <c>dpkg-deb -x</c>; no root needed).</summary>
    public bool UseApt { get; init; } = true;

    /// <summary>The apt-get executable.</summary>
    public string AptGetCommand { get; init; } = "apt-get";

    /// <summary>The dpkg-deb executable.</summary>
    public string DpkgDebCommand { get; init; } = "dpkg-deb";

    /// <summary>The longest wait for each of apt-get and dpkg-deb.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The SHA-256 each list must have, by file name; null, or a file not in it: the bookworm hash of <see cref="WordLists.Languages"/>.</summary>
    public IReadOnlyDictionary<string, string>? ExpectedSha256 { get; init; }

    /// <summary>Receives progress messages; null: silent.</summary>
    public Action<string>? Log { get; init; }
}
