using System.Text;
using Recur.Cli;
using Recur.Data;
using Recur.IO;
using Recur.Layers;
using Recur.Models;
using Recur.Tests.Data;
using Xunit.Abstractions;

namespace Recur.Tests.IO;

/// <summary>
/// The readers refuse hostile files before they allocate (issue 16): gzip bombs, image headers that claim gigabytes,
/// JSON too deep or too long. Memory is measured as the bytes this thread allocates while reading
/// (<see cref="GC.GetAllocatedBytesForCurrentThread"/>), which other tests running beside it do not disturb.
/// </summary>
[Collection(nameof(ReadLimitsTests))] // one test sets ReadLimits.Current, which the whole process reads
public sealed class ReadLimitsTests(ITestOutputHelper log)
{
    private const long TenGigabytes = 10L << 30;
    private const long MemoryBound = 300L << 20;

    /// <summary>Runs <paramref name="read"/>, which must fail; returns the failure and the bytes this thread allocated.</summary>
    private static (T Error, long Allocated) Allocating<T>(Action read) where T : Exception
    {
        long before = GC.GetAllocatedBytesForCurrentThread();
        T error = Assert.Throws<T>(read);
        return (error, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void AGzipBombIsRefusedOnceItPassesWhatItsHeaderDeclares()
    {
        using var dir = new TempDirectory();
        string path = dir.File("train-images-idx3-ubyte.gz");
        long size = GzipBomb.Write(path, GzipBomb.ImageHeader(60_000, 28, 28), TenGigabytes);

        var (e, allocated) = Allocating<DataFileException>(() => Idx.ReadImages(path));
        log.WriteLine($"{size:N0}-byte file unpacking to 10 GiB: {allocated:N0} bytes allocated; {e.Message}");
        Assert.InRange(size, 5_000_000, 15_000_000);
        Assert.Equal(path, e.FilePath);
        Assert.Contains($"'{path}' is longer than its header declares: 60000 images of 28×28 pixels make 47,040,016 bytes", e.Message);
        Assert.Contains("more than 47,105,552, so reading stopped there", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.InRange(allocated, 47_040_016, MemoryBound);
    }

    [Fact]
    public void AHeaderDeclaringMoreThanTheLimitIsRefusedBeforeDecompressing()
    {
        using var dir = new TempDirectory();
        string path = dir.File("x.idx.gz");
        GzipBomb.Write(path, GzipBomb.ImageHeader(1_000_000, 100, 100), 64L << 20);

        var (e, allocated) = Allocating<DataFileException>(() => Idx.ReadImages(path));
        log.WriteLine($"{allocated:N0} bytes allocated; {e.Message}");
        Assert.Contains("declares 1000000 images of 100×100 pixels in its header, 10,000,000,016 bytes decompressed, more than the 1,073,741,824 Recur reads (ReadLimits.MaxDecompressedBytes)", e.Message);
        Assert.InRange(allocated, 0, 1L << 20);

        string overflow = dir.File("overflow.idx");
        File.WriteAllBytes(overflow, GzipBomb.ImageHeader(int.MaxValue, int.MaxValue, int.MaxValue));
        e = Assert.Throws<DataFileException>(() => Idx.ReadImages(overflow));
        Assert.Contains("more than 2^63 bytes", e.Message);
    }

    [Fact]
    public void TheMnistReaderRefusesABombInTheDataDirectory()
    {
        using var dir = new TempDirectory();
        foreach (string name in MnistFiles.FileNames)
        {
            File.Copy(Path.Combine(MnistSlice.Directory, name + ".gz"), dir.File(name + ".gz"));
        }

        string bomb = dir.File(MnistFiles.TrainImages + ".gz");
        GzipBomb.Write(bomb, GzipBomb.ImageHeader(60_000, 28, 28), TenGigabytes);
        var files = new MnistFiles(new MnistOptions { DataDir = dir.Path, RecurDataDir = null, SearchSystemDirectories = false, CacheDir = dir.File("cache"), Mirrors = [], UseNpm = false });

        var (e, allocated) = Allocating<DataFileException>(() => files.ReadImages(MnistFiles.TrainImages));
        log.WriteLine($"{allocated:N0} bytes allocated; {e.Message}");
        Assert.Contains($"'{bomb}' is longer than its header declares", e.Message);
        Assert.Contains("--data-dir", e.Message);
        Assert.InRange(allocated, 0, MemoryBound);
    }

    [Fact]
    public void TheCliRefusesABombThroughDataDirAndPredictInput()
    {
        using var dir = new TempDirectory();
        string data = Directory.CreateDirectory(dir.File("data")).FullName;
        foreach (string name in MnistFiles.FileNames)
        {
            File.Copy(Path.Combine(MnistSlice.Directory, name + ".gz"), Path.Combine(data, name + ".gz"));
        }

        string bomb = Path.Combine(data, MnistFiles.TrainImages + ".gz");
        GzipBomb.Write(bomb, GzipBomb.ImageHeader(60_000, 28, 28), TenGigabytes);
        var (code, _, error) = Run("train", "--data-dir", data, "--steps", "1", "--out", dir.File("run"));
        log.WriteLine(error);
        Assert.Equal(1, code);
        string last = error.TrimEnd().Split('\n')[^1]; // after the "Reading …" progress line
        Assert.StartsWith($"recur train: '{bomb}' is longer than its header declares", last);

        var rng = new Rng(1);
        var model = new Sequential { new Lstm(28, 4, rng: rng), new Dense(4, 10, rng: rng) };
        string modelDir = dir.File("model");
        ModelFile.Save(model, modelDir, new Dictionary<string, string> { ["dataset"] = "mnist", ["sequence"] = "rows" });
        string input = dir.File("x.idx.gz");
        GzipBomb.Write(input, GzipBomb.ImageHeader(10, 28, 28), TenGigabytes);
        long before = GC.GetAllocatedBytesForCurrentThread();
        (code, _, error) = Run("predict", "--model", modelDir, "--input", input);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        log.WriteLine($"{allocated:N0} bytes allocated; {error}");
        Assert.Equal(1, code);
        Assert.Contains($"'{input}' is longer than its header declares: 10 images of 28×28 pixels make 7,856 bytes", error);
        Assert.Single(error.TrimEnd().Split('\n'));
        Assert.InRange(allocated, 0, MemoryBound);
    }

    [Theory]
    [InlineData(46000, 46000, "46000×46000 image, 2,116,000,000 pixels, more than the 67,108,864 Recur reads (ReadLimits.MaxImagePixels)")]
    [InlineData(100000, 100000, "100000×100000 image, 10,000,000,000 pixels")]
    [InlineData(2147483647, 2147483647, "2147483647×2147483647 image")]
    [InlineData(1000, 1000, "is truncated: a 1000×1000 PGM needs 1,000,000 bytes of pixels, the file has 1,024")]
    [InlineData(0, 28, "declares a 0×28 image; width and height must be at least 1")]
    public void APgmHeaderIsCheckedBeforeAllocating(int width, int height, string expected)
    {
        using var dir = new TempDirectory();
        string path = dir.File("digit.pgm");
        File.WriteAllBytes(path, [.. Encoding.ASCII.GetBytes($"P5\n{width} {height}\n255\n"), .. new byte[1024]]);
        var (e, allocated) = Allocating<InvalidDataException>(() => Pgm.Read(path));
        log.WriteLine($"{allocated:N0} bytes allocated; {e.Message}");
        Assert.Contains(path, e.Message);
        Assert.Contains(expected, e.Message);
        Assert.InRange(allocated, 0, 1L << 20);
    }

    [Fact]
    public void APlainPgmNeedsTwoBytesAPixel()
    {
        using var dir = new TempDirectory();
        string path = dir.File("digit.pgm");
        File.WriteAllText(path, "P2\n3000 3000\n255\n0 1 2 3\n");
        var e = Assert.Throws<InvalidDataException>(() => Pgm.Read(path));
        Assert.Contains("needs at least 17,999,999 bytes of pixels, the file has 8", e.Message);

        File.WriteAllText(path, "P2\n2 2\n255\n0 1 2 3\n");
        Assert.Equal([0f, 1 / 255f, 2 / 255f, 3 / 255f], Pgm.Read(path).Pixels);
    }

    [Fact]
    public void JsonFilesAreBoundedInDepthAndLength()
    {
        using var dir = new TempDirectory();
        var rng = new Rng(1);
        string modelDir = dir.File("model");
        ModelFile.Save(new Sequential { new Dense(3, 2, rng: rng) }, modelDir);
        string config = Path.Combine(modelDir, ModelFile.ConfigFileName);
        File.WriteAllText(config, new string('[', 100) + new string(']', 100));
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(modelDir));
        log.WriteLine(e.Message);
        Assert.Contains(config, e.Message);
        Assert.Contains("maximum configured depth of 64", e.Message);

        string vocabulary = dir.File("vocabulary.json");
        File.WriteAllText(vocabulary, "{\"a\":" + new string('[', 65) + new string(']', 65) + "}");
        var v = Assert.Throws<DataFileException>(() => Vocabulary.Load(vocabulary));
        Assert.Contains($"'{vocabulary}' is not JSON", v.Message);
        Assert.Contains("depth", v.Message);

        ReadLimits saved = ReadLimits.Current;
        try
        {
            ReadLimits.Current = saved with { MaxJsonBytes = 100 };
            File.WriteAllText(vocabulary, "{\"format\": \"recur.vocabulary\", \"padding\": \"" + new string(' ', 200) + "\"}");
            v = Assert.Throws<DataFileException>(() => Vocabulary.Load(vocabulary));
            log.WriteLine(v.Message);
            Assert.Contains($"'{vocabulary}' is 2", v.Message);
            Assert.Contains("more than the 100 a JSON file may have (ReadLimits.MaxJsonBytes)", v.Message);
        }
        finally
        {
            ReadLimits.Current = saved;
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => ReadLimits.Current = saved with { MaxJsonDepth = 0 });
        Assert.Same(saved, ReadLimits.Current);
    }

    [Fact]
    public void LoadingAPathThatDoesNotExistSaysSo()
    {
        using var dir = new TempDirectory();
        string missing = dir.File("no-such-model");
        var e = Assert.Throws<DirectoryNotFoundException>(() => Sequential.Load(missing));
        Assert.Contains($"'{missing}' does not exist", e.Message);
    }

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }
}

[CollectionDefinition(nameof(ReadLimitsTests), DisableParallelization = true)]
public sealed class ReadLimitsCollection;
