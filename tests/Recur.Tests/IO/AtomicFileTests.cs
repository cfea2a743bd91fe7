using System.Text;
using Recur.IO;

namespace Recur.Tests.IO;

public class AtomicFileTests
{
    [Fact]
    public void WritesCreatesTheDirectoryAndReplacesTheOldFile()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "a", "b", "out.txt");
        AtomicFile.WriteAllText(path, "first");
        Assert.Equal("first", File.ReadAllText(path));

        AtomicFile.WriteAllBytes(path, [1, 2, 3]);
        Assert.Equal(new byte[] { 1, 2, 3 }, File.ReadAllBytes(path));

        AtomicFile.Write(path, s => s.Write("streamed"u8));
        Assert.Equal("streamed", File.ReadAllText(path));
        Assert.Equal(["out.txt"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void WriteAllTextHasNoByteOrderMark()
    {
        using var dir = new TempDirectory();
        string path = dir.File("t.txt");
        AtomicFile.WriteAllText(path, "é");
        Assert.Equal(Encoding.UTF8.GetBytes("é"), File.ReadAllBytes(path));
    }

    [Fact]
    public void AFailingWriterKeepsTheOldFileAndLeavesNoTempFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("model.bin");
        File.WriteAllText(path, "old content");
        var boom = new IOException("disk on fire");

        var thrown = Assert.Throws<IOException>(() => AtomicFile.Write(path, s =>
        {
            s.Write(new byte[100_000]);
            throw boom;
        }));

        Assert.Same(boom, thrown);
        Assert.Equal("old content", File.ReadAllText(path));
        Assert.Equal(["model.bin"], dir.FileNames());
    }

    [Fact]
    public void AFailingWriterCreatesNothingWhenThereWasNoFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("new.bin");
        Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, _ => throw new InvalidOperationException("no")));
        Assert.Empty(dir.FileNames());
    }

    [Fact]
    public void AWriterThatClosesTheStreamIsReportedAndChangesNothing()
    {
        using var dir = new TempDirectory();
        string path = dir.File("x.txt");
        File.WriteAllText(path, "old");
        var ex = Assert.Throws<InvalidOperationException>(() => AtomicFile.Write(path, s =>
        {
            using var w = new StreamWriter(s);
            w.Write("new");
        }));
        Assert.Contains("leaveOpen", ex.Message);
        Assert.Equal("old", File.ReadAllText(path));
        Assert.Equal(["x.txt"], dir.FileNames());
    }

    [Fact]
    public void ADirectoryIsNotAFileName()
    {
        using var dir = new TempDirectory();
        var ex = Assert.Throws<ArgumentException>(() => AtomicFile.WriteAllText(dir.Path, "x"));
        Assert.Contains("directory", ex.Message);
    }
}
