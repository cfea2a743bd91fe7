using System.IO.Compression;
using Recur.Data;

namespace Recur.Tests.Data;

/// <summary>
/// The MNIST slice in fixtures/mnist-slice (made by tools/make_mnist_slice.py): the first 1,500 training
/// and first 500 test images of the real MNIST, gzipped IDX, with the SHA-256 of each decompressed file
/// in SHA256SUMS.
/// </summary>
internal static class MnistSlice
{
    public const int TrainCount = 1500;
    public const int TestCount = 500;

    public static string Directory { get; } = Path.Combine(AppContext.BaseDirectory, "fixtures", "mnist-slice");

    /// <summary>File name (without .gz) → SHA-256 of the decompressed file, from SHA256SUMS.</summary>
    public static IReadOnlyDictionary<string, string> Sha256 { get; } = File.ReadAllLines(Path.Combine(Directory, "SHA256SUMS"))
        .Select(line => line.Split("  "))
        .ToDictionary(parts => parts[1], parts => parts[0]);

    /// <summary>The gzipped file as stored.</summary>
    public static byte[] Gz(string name) => File.ReadAllBytes(Path.Combine(Directory, name + ".gz"));

    /// <summary>The decompressed file.</summary>
    public static byte[] Raw(string name)
    {
        using var gzip = new GZipStream(new MemoryStream(Gz(name)), CompressionMode.Decompress);
        using var raw = new MemoryStream();
        gzip.CopyTo(raw);
        return raw.ToArray();
    }

    /// <summary>Options that read the slice through the real loader, verified by its own hashes, touching nothing else.</summary>
    public static MnistOptions Options(int validationSize = 0, ulong seed = 0) => new()
    {
        DataDir = Directory,
        RecurDataDir = null,
        CacheDir = Directory,
        SearchSystemDirectories = false,
        Mirrors = [],
        UseNpm = false,
        ExpectedSha256 = Sha256,
        ValidationSize = validationSize,
        Seed = seed,
    };

    /// <summary>The slice split like read_data_sets: validation = the first <paramref name="validationSize"/> training images.</summary>
    public static MnistDataSets Load(int validationSize = 0, ulong seed = 0) => Mnist.ReadDataSets(Options(validationSize, seed));
}
