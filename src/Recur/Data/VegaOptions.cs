namespace Recur.Data;

/// <summary>Where <see cref="VegaDatasets"/> looks for and fetches its CSV files. Every property has a working default.</summary>
public sealed record VegaOptions
{
    /// <summary>A directory holding the files directly (searched first, fetched into). Null: not used.</summary>
    public string? DataDir { get; init; }

    /// <summary>A data root: files in its <c>vega-datasets</c> subdirectory. Defaults to <c>$RECUR_DATA</c>; null: not used.</summary>
    public string? RecurDataDir { get; init; } = Environment.GetEnvironmentVariable(MnistFiles.DataEnvironmentVariable);

    /// <summary>The per-user cache root (files in its <c>vega-datasets</c> subdirectory). Null: <see cref="MnistFiles.DefaultCacheDirectory"/>.</summary>
    public string? CacheDir { get; init; }

    /// <summary>Where Debian's <c>python3-vega-datasets</c> installs the files, searched last; null: not searched.</summary>
    public string? SystemDirectory { get; init; } = VegaDatasets.DebianDirectory;

    /// <summary>Whether to fetch a missing file with <c>npm pack</c> of <see cref="VegaDatasets.NpmPackage"/>.</summary>
    public bool UseNpm { get; init; } = true;

    /// <summary>The npm executable (<c>npm</c>, or <c>npm.cmd</c> on Windows).</summary>
    public string NpmCommand { get; init; } = OperatingSystem.IsWindows() ? "npm.cmd" : "npm";

    /// <summary>The longest wait for <c>npm pack</c>.</summary>
    public TimeSpan NpmTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>Receives progress messages; null: silent.</summary>
    public Action<string>? Log { get; init; }
}
