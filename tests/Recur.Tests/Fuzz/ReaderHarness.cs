using System.IO.Compression;

namespace Recur.Tests.Fuzz;

/// <summary>
/// A reader under fuzzing: its seed files (<c>fuzz/corpus/NAME</c>), how a mutated file is read, and the exceptions
/// that are its documented refusals. Any other exception (an index out of range, an overflow, out of memory, a null
/// reference, a JSON or format exception that escaped) is a crash.
/// </summary>
internal sealed record ReaderHarness(string Name, string Extension, params Action<string>[] Read)
{
    /// <summary>The exceptions that are the reader's documented refusals.</summary>
    public Type[] Refusals { get; init; } = [];

    /// <summary>Applied to the mutated bytes before they are written (the gzip harness compresses them).</summary>
    public Func<byte[], byte[]> Encode { get; init; } = b => b;

    /// <summary>Where the seed corpus lives: <c>fuzz/corpus/NAME</c> of the repository.</summary>
    public string? CorpusName { get; init; }

    /// <summary>The seed files.</summary>
    public byte[][] Seeds() => Directory.GetFiles(Path.Combine(RepositoryRoot(), "fuzz", "corpus", CorpusName ?? Name))
        .Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();

    /// <summary>True when <paramref name="e"/> is one of the reader's documented refusals.</summary>
    public bool IsRefusal(Exception e) => Refusals.Any(t => t.IsInstanceOfType(e));

    /// <summary>gzip of <paramref name="bytes"/>, for the harness that fuzzes what a gzip file unpacks to.</summary>
    public static byte[] Gzip(byte[] bytes)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(bytes);
        }

        return output.ToArray();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Recur.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new DirectoryNotFoundException($"No Recur.slnx above {AppContext.BaseDirectory}; the fuzz corpus is found from the repository root.");
    }
}
