using System.Text;
using Recur.Data;

namespace Recur.Tests.Data;

/// <summary>The word lists (found, verified, fetched from a package) and the language-of-a-word data set, on the slices in fixtures/words.</summary>
public sealed class WordListsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Slices => Path.Combine(AppContext.BaseDirectory, "fixtures", "words");

    /// <summary>The slices' SHA-256 by file name, from fixtures/words/SHA256SUMS.</summary>
    private static Dictionary<string, string> SliceHashes() => File.ReadAllLines(Path.Combine(Slices, "SHA256SUMS"))
        .Select(line => line.Split("  ")).ToDictionary(p => p[1], p => p[0]);

    private WordListOptions Options(string? dataDir = null) => new()
    {
        DataDir = dataDir ?? Slices,
        RecurDataDir = null,
        CacheDir = _dir.File("cache"),
        SystemDirectory = null,
        UseApt = false,
        ExpectedSha256 = SliceHashes(),
    };

    [Fact]
    public void ListsAreDecodedInTheirOwnEncoding()
    {
        var lists = new WordLists(Options());
        IReadOnlyList<string> swedish = lists.ReadWords(WordLists.Language("swedish")); // ISO-8859-1 on disk
        Assert.Equal(300, swedish.Count);
        Assert.Contains(swedish, w => w.Contains('ä') || w.Contains('å') || w.Contains('ö'));
        Assert.DoesNotContain(swedish, w => w.Contains('\uFFFD'));
        Assert.Contains(lists.ReadWords(WordLists.Language("german")), w => w.Contains('ü') || w.Contains('ö') || w.Contains('ä') || w.Contains('ß'));
        Assert.Equal(9, WordLists.Languages.Count);
        Assert.Equal(WordLists.Languages.Select(l => l.Name).Order(StringComparer.Ordinal), WordLists.Languages.Select(l => l.Name));
    }

    [Fact]
    public void AListWithAnotherHashIsRefusedWithTheFix()
    {
        string dir = _dir.File("data");
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "spanish"), "hola\n");
        var lists = new WordLists(Options(dir));
        string path = Path.Combine(dir, "spanish");
        DataFileAssert.Bad(() => lists.ReadWords(WordLists.Language("spanish")), path, "is not wspanish's word list spanish", "expected fc326e65", "Delete it and run again");
    }

    [Fact]
    public void ASystemListOfAnotherReleaseIsPassedOverAndTheMessageNamesThePackage()
    {
        string system = _dir.File("dict");
        Directory.CreateDirectory(system);
        File.WriteAllText(Path.Combine(system, "italian"), "ciao\n");
        var log = new List<string>();
        var lists = new WordLists(Options(_dir.File("empty")) with { SystemDirectory = system, UseApt = true, AptGetCommand = "recur-test-no-such-apt-get", Log = log.Add });
        var e = Assert.Throws<DataUnavailableException>(() => lists.ReadWords(WordLists.Language("italian")));
        Assert.Contains("apt-get install witalian", e.Message);
        Assert.Contains("apt-get download witalian: apt-get is not available", e.Message);
        Assert.Contains(log, line => line.StartsWith("Passing over", StringComparison.Ordinal));
        Assert.Equal(["italian"], e.MissingFiles);
    }

    [Fact]
    public void AMissingListIsFetchedFromItsPackageVerifiedAndCached()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // the fake apt-get and dpkg-deb are shell scripts
        }

        string bin = _dir.File("bin");
        Directory.CreateDirectory(bin);
        string slice = Path.Combine(Slices, "french");
        string apt = Script(Path.Combine(bin, "apt-get"), "[ \"$1 $2\" = \"download wfrench\" ] || exit 3\necho fake > wfrench_1.2.7-2_all.deb");
        string dpkg = Script(Path.Combine(bin, "dpkg-deb"), $"[ \"$1\" = \"-x\" ] || exit 4\nmkdir -p \"$3/usr/share/dict\"\ncp '{slice}' \"$3/usr/share/dict/french\"");
        string target = _dir.File("target");
        var options = Options(target) with { UseApt = true, AptGetCommand = apt, DpkgDebCommand = dpkg };
        IReadOnlyList<string> words = new WordLists(options).ReadWords(WordLists.Language("french"));
        Assert.Equal(300, words.Count);
        Assert.Equal(File.ReadAllBytes(slice), File.ReadAllBytes(Path.Combine(target, "french")));

        // A package whose file has another hash is refused and nothing is written.
        string other = _dir.File("other");
        var wrong = options with { DataDir = other, ExpectedSha256 = new Dictionary<string, string> { ["french"] = new string('0', 64) } };
        var e = Assert.Throws<DataUnavailableException>(() => new WordLists(wrong).ReadWords(WordLists.Language("french")));
        Assert.Contains("apt-get download wfrench: refused, SHA-256", e.Message);
        Assert.False(File.Exists(Path.Combine(other, "french")));

        var failing = options with { DataDir = other, AptGetCommand = Script(Path.Combine(bin, "failing"), "echo 'E: Unable to locate package wfrench' >&2\nexit 100") };
        e = Assert.Throws<DataUnavailableException>(() => new WordLists(failing).ReadWords(WordLists.Language("french")));
        Assert.Contains("failed with exit code 100 (E: Unable to locate package wfrench)", e.Message);
    }

    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static string Script(string path, string body)
    {
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    [Theory]
    [InlineData("Haus", "haus")]
    [InlineData("AA's", null)]
    [InlineData("06-nummer", null)]
    [InlineData("dell'arte", "dell'arte")]
    [InlineData("A-aktie", "a-aktie")]
    [InlineData("St. Louis", null)]
    public void WordsAreCleaned(string word, string? expected) => Assert.Equal(expected, WordLanguageData.Clean(word));

    [Fact]
    public void TheDataSetIsBalancedUnambiguousAndSeeded()
    {
        var lists = new WordLists(Options());
        var options = new WordLanguageOptions { PerLanguage = 200, ValidationFraction = 0.1, TestFraction = 0.2, Seed = 3 };
        WordLanguageData data = WordLanguageData.Load(lists, options);
        Assert.Equal(WordLists.Languages.Select(l => l.Name), data.ClassNames);
        Assert.Equal(200, data.PerLanguage);
        Assert.Equal((1260, 180, 360), (data.Train.Count, data.Validation.Count, data.Test.Count));
        var all = data.Train.Concat(data.Validation).Concat(data.Test).ToArray();
        Assert.All(Enumerable.Range(0, 9), c => Assert.Equal(200, all.Count(p => p.Label == c)));
        Assert.Equal(all.Length, all.Select(p => p.Word).Distinct().Count()); // no word twice, so none in two splits or languages

        WordLanguageData again = WordLanguageData.Load(lists, options);
        Assert.Equal(data.Test, again.Test);
        Assert.NotEqual(data.Test, WordLanguageData.Load(lists, options with { Seed = 4 }).Test);

        // A word in two lists is dropped from both.
        WordLanguageData small = WordLanguageData.Build(["x", "y"], [["Radio", "casa", "perro"], ["radio", "house", "dog's"]]);
        Assert.Equal(1, small.Ambiguous);
        Assert.Equal([2, 1], small.Available);
        Assert.Equal(1, small.PerLanguage);
    }

    [Fact]
    public void TheSplitsEncodeAndWriteAsText()
    {
        WordLanguageData data = WordLanguageData.Load(new WordLists(Options()), new WordLanguageOptions { PerLanguage = 50 });
        var (train, validation, test) = data.Encode();
        Assert.Equal(data.Train.Count, train.Count);
        Assert.Equal(data.Test.Select(p => p.Word.EnumerateRunes().Count()), test.Lengths);
        Assert.Same(train.Vocabulary, test.Vocabulary);
        Assert.Equal(9, validation.Sequences.Classes);

        IReadOnlyList<string> paths = data.WriteText(_dir.File("text"));
        TextData back = TextFiles.Read(paths[2], new TextFileOptions { Vocabulary = train.Vocabulary, ClassNames = data.ClassNames });
        Assert.Equal(test.Labels, back.Labels);
        Assert.Equal(test.Ids.Data, back.Ids.Data);
        Assert.Equal(Encoding.UTF8.GetBytes($"{data.ClassNames[data.Train[0].Label]}\t{data.Train[0].Word}\n"), File.ReadAllBytes(paths[0]).Take(Encoding.UTF8.GetByteCount(data.ClassNames[data.Train[0].Label] + data.Train[0].Word) + 2));
    }
}
