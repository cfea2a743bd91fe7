using System.Text;

namespace Recur.Data;

/// <summary>
/// Finds, fetches and verifies the word lists of Debian's dictionary packages (<see cref="Languages"/>), the
/// source of <see cref="WordLanguageData"/>.
/// </summary>
/// <remarks>
/// <para>
/// Search order, per list: <see cref="WordListOptions.DataDir"/>, <c>$RECUR_DATA/words</c>, the per-user cache
/// (<c>…/recur/words</c>, as for MNIST), then <c>/usr/share/dict</c> where the packages install them. A list in
/// one of the first three with another SHA-256 is refused (<see cref="DataFileException"/> naming the file and
/// the fix); a list in <c>/usr/share/dict</c> with another hash (another Debian release's) is passed over, with a
/// log message, and bookworm's is fetched into the cache instead, so every machine reads the same words.
/// </para>
/// <para>
/// A list found nowhere is fetched from its package without root: <c>apt-get download PACKAGE</c> in a temporary
/// directory, <c>dpkg-deb -x</c> of the <c>.deb</c>, and the file under <c>usr/share/dict</c> is checked against its
/// SHA-256 before it is written (atomically) into the target directory. Files are decoded as the package writes them:
/// UTF-8, or ISO-8859-1 for <c>wswedish</c>.
/// </para>
/// </remarks>
public sealed class WordLists
{
    /// <summary>Where Debian's dictionary packages install their lists.</summary>
    public const string DefaultSystemDirectory = "/usr/share/dict";

    /// <summary>The subdirectory of a data root or of the cache holding the lists.</summary>
    public const string DirectoryName = "words";

    // Hashes and sizes of the files as bookworm's packages install them (apt-get download, dpkg-deb -x, sha256sum).
    private static readonly WordLanguage[] Known =
    [
        new("danish", "wdanish", "danish", false, "ed3f6ec15d32402c143539a1c0ec8f57b454a0fa758e23e7a2156b0a1119942b", 3_941_183),
        new("dutch", "wdutch", "dutch", false, "2e5128e8e7f9a5bdfc427c784c839986b0df1386cc53aef90ed2df71644f3987", 5_096_240),
        new("english", "wamerican", "american-english", false, "9f513f1ceadb6a01c5485b7dbdfd5118dc66cd70b59cae2851292112d4066a32", 985_084),
        new("french", "wfrench", "french", false, "33b3a15b7c47c4b85aaafa7c8b41d3fee9c7ca1383381bb8f710372ce7474f06", 4_006_521),
        new("german", "wngerman", "ngerman", false, "4864ca7300aae638c611114092ed566ba232b35e42280fcfb5509c5d121b307d", 4_725_887),
        new("italian", "witalian", "italian", false, "096f728b7b63073f32604dfaa7c5dbf5b2d32123880f0b05fe462670630f6218", 1_248_830),
        new("portuguese", "wportuguese", "portuguese", false, "0ae13d0be0b580a4f279e64c963371824092d05acca48a2523f562c228144536", 5_002_589),
        new("spanish", "wspanish", "spanish", false, "6b26adc955ec682e41e98d626d0ed1f778511065ee1f7f19c28e8b3cb574b9b6", 852_190),
        new("swedish", "wswedish", "swedish", true, "0e001d6362d9a06105354c4e5de3b4cbc320a327dcb59dc1a42c48f3b7231513", 1_272_931),
    ];

    private static readonly Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);

    private readonly Action<string>? _log;

    /// <summary>Prepares the search and fetch described by <paramref name="options"/> (nothing is read yet).</summary>
    public WordLists(WordListOptions? options = null)
    {
        Options = options ?? new WordListOptions();
        _log = Options.Log;
        List<string> search = DataDirectories.Search(Options.DataDir, Options.RecurDataDir, Options.CacheDir, DirectoryName);
        TargetDirectory = search[0];
        SearchDirectories = search;
    }

    /// <summary>The languages, in ordinal order of their names (nine; the class ids of <see cref="WordLanguageData"/>).</summary>
    public static IReadOnlyList<WordLanguage> Languages => Known;

    /// <summary>The options in use.</summary>
    public WordListOptions Options { get; }

    /// <summary>The directories searched before <see cref="WordListOptions.SystemDirectory"/>, in order.</summary>
    public IReadOnlyList<string> SearchDirectories { get; }

    /// <summary>Where missing lists are fetched to (created when needed).</summary>
    public string TargetDirectory { get; }

    /// <summary>The language called <paramref name="name"/> ("english", …).</summary>
    /// <exception cref="ArgumentException">No language has that name.</exception>
    public static WordLanguage Language(string name) =>
        Known.FirstOrDefault(l => l.Name == name)
        ?? throw new ArgumentException($"'{name}' is not one of the word-list languages ({string.Join(", ", Known.Select(l => l.Name))}).", nameof(name));

    /// <summary>The SHA-256 <paramref name="language"/>'s file must have.</summary>
    public string ExpectedSha256(WordLanguage language) =>
        Options.ExpectedSha256 is { } given && given.TryGetValue(language.FileName, out string? hash) ? hash.ToLowerInvariant() : language.Sha256;

    /// <summary>
    /// The path of <paramref name="language"/>'s verified list: found (and verified) or fetched into <see cref="TargetDirectory"/>.
    /// </summary>
    /// <exception cref="DataFileException">A copy in the data directory or cache has another SHA-256.</exception>
    /// <exception cref="DataUnavailableException">The list is nowhere and could not be fetched.</exception>
    public string Ensure(WordLanguage language)
    {
        ArgumentNullException.ThrowIfNull(language);
        ReadVerified(language, out string path);
        return path;
    }

    /// <summary>The lines of <paramref name="language"/>'s list, decoded (UTF-8 or ISO-8859-1), without blank lines; found or fetched and verified.</summary>
    /// <exception cref="DataFileException">A copy in the data directory or cache has another SHA-256, or is not text in its encoding.</exception>
    /// <exception cref="DataUnavailableException">The list is nowhere and could not be fetched.</exception>
    public IReadOnlyList<string> ReadWords(WordLanguage language)
    {
        ArgumentNullException.ThrowIfNull(language);
        byte[] bytes = ReadVerified(language, out string path);
        string text;
        try
        {
            text = language.Latin1 ? Encoding.Latin1.GetString(bytes) : StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException e)
        {
            throw new DataFileException(path, $"'{path}' is not UTF-8 text ({e.Message}); it is not {language.Package}'s list. Delete it and run again.", e);
        }

        return text.Split('\n').Select(line => line.TrimEnd('\r')).Where(line => line.Length > 0).ToArray();
    }

    private byte[] ReadVerified(WordLanguage language, out string path)
    {
        string expected = ExpectedSha256(language);
        foreach (string directory in SearchDirectories)
        {
            path = Path.Combine(directory, language.FileName);
            if (File.Exists(path))
            {
                byte[] bytes = File.ReadAllBytes(path);
                string actual = DataDirectories.Sha256Hex(bytes);
                if (actual != expected)
                {
                    throw new DataFileException(path,
                        $"'{path}' is not {language.Package}'s word list {language.FileName} of Debian 12: the SHA-256 of its {bytes.Length} bytes is {actual}, expected {expected} " +
                        $"({language.Bytes} bytes). Delete it and run again to fetch the right one into {TargetDirectory}.");
                }

                _log?.Invoke($"Reading {path}");
                return bytes;
            }
        }

        if (Options.SystemDirectory is string system && File.Exists(Path.Combine(system, language.FileName)))
        {
            path = Path.Combine(system, language.FileName);
            byte[] bytes = File.ReadAllBytes(path);
            if (DataDirectories.Sha256Hex(bytes) == expected)
            {
                _log?.Invoke($"Reading {path}");
                return bytes;
            }

            _log?.Invoke($"Passing over {path}: another version of {language.Package} than Debian 12's (SHA-256 {DataDirectories.Sha256Hex(bytes)}); fetching bookworm's");
        }

        return Fetch(language, expected, out path);
    }

    private byte[] Fetch(WordLanguage language, string expected, out string path)
    {
        var tried = new List<string>();
        void Note(string message)
        {
            tried.Add(message);
            _log?.Invoke(message);
        }

        if (Options.UseApt)
        {
            string temp = Directory.CreateTempSubdirectory("recur-apt-").FullName;
            try
            {
                _log?.Invoke($"Fetching {language.FileName} with apt-get download {language.Package}");
                byte[]? bytes = Unpack(language, temp, Note);
                if (bytes is not null)
                {
                    string actual = DataDirectories.Sha256Hex(bytes);
                    if (actual == expected)
                    {
                        path = Path.Combine(TargetDirectory, language.FileName);
                        Recur.IO.AtomicFile.WriteAllBytes(path, bytes);
                        _log?.Invoke($"Saved {language.FileName} ({bytes.Length} bytes, SHA-256 verified) to {path}");
                        return bytes;
                    }

                    Note($"apt-get download {language.Package}: refused, SHA-256 of its {language.FileName} ({bytes.Length} bytes) is {actual}, expected {expected}");
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Note($"cannot write {TargetDirectory}: {e.Message}");
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

        var text = new StringBuilder();
        text.Append($"The {language.Name} word list ({language.FileName}) is not on this machine and could not be fetched.\n");
        text.Append($"On Debian or Ubuntu: `apt-get install {language.Package}` installs it in {DefaultSystemDirectory}; ");
        text.Append($"or copy Debian 12's {language.FileName} (SHA-256 {expected}) into {TargetDirectory}.\n");
        if (tried.Count > 0)
        {
            text.Append("Tried:\n");
            foreach (string line in tried)
            {
                text.Append($"  {line}\n");
            }
        }

        throw new DataUnavailableException(text.ToString().TrimEnd('\n'), TargetDirectory, [language.FileName]);
    }

    /// <summary>apt-get download, then dpkg-deb -x; the list's bytes, or null after a note.</summary>
    private byte[]? Unpack(WordLanguage language, string temp, Action<string> note)
    {
        if (!ExternalCommand.Run(Options.AptGetCommand, "apt-get", ["download", language.Package], temp, Options.CommandTimeout, note))
        {
            return null;
        }

        string[] debs = Directory.GetFiles(temp, "*.deb");
        if (debs.Length != 1)
        {
            note($"apt-get download {language.Package}: expected one .deb file, found {debs.Length}");
            return null;
        }

        string root = Path.Combine(temp, "root");
        Directory.CreateDirectory(root);
        if (!ExternalCommand.Run(Options.DpkgDebCommand, "dpkg-deb", ["-x", debs[0], root], temp, Options.CommandTimeout, note))
        {
            return null;
        }

        string file = Path.Combine(root, "usr", "share", "dict", language.FileName);
        if (!File.Exists(file))
        {
            note($"dpkg-deb -x {Path.GetFileName(debs[0])}: the package holds no usr/share/dict/{language.FileName}");
            return null;
        }

        return File.ReadAllBytes(file);
    }

}
