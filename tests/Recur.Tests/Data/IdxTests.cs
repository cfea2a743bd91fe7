using System.Buffers.Binary;
using System.IO.Compression;
using Recur.Data;

namespace Recur.Tests.Data;

public class IdxTests
{
    private static IdxImages Sample(int count = 3, int rows = 4, int columns = 5)
    {
        var pixels = new byte[count * rows * columns];
        for (int i = 0; i < pixels.Length; i++)
        {
            pixels[i] = (byte)(i * 37 % 256);
        }

        return new IdxImages(count, rows, columns, pixels);
    }

    private static byte[] ImageHeader(int magic, int count, int rows, int columns)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, magic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), columns);
        return header;
    }

    private static byte[] Gzip(byte[] raw)
    {
        using var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest, leaveOpen: true))
        {
            gzip.Write(raw);
        }

        return output.ToArray();
    }

    /// <summary>Asserts the read fails with a message that names the file, contains each fragment and suggests a fix.</summary>
    private static DataFileException AssertBad(Action read, string path, params string[] fragments)
    {
        var e = Assert.Throws<DataFileException>(read);
        Assert.Equal(path, e.FilePath);
        Assert.Contains(path, e.Message);
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, e.Message);
        }

        Assert.Contains("Replace it", e.Message);
        return e;
    }

    [Fact]
    public void RawImagesRoundTrip()
    {
        using var dir = new TempDirectory();
        IdxImages images = Sample();
        string path = dir.File("images-idx3-ubyte");
        Idx.WriteImages(path, images);

        Assert.Equal(16 + images.Pixels.Length, new FileInfo(path).Length);
        Assert.Equal([0x00, 0x00, 0x08, 0x03], File.ReadAllBytes(path)[..4]);
        IdxImages back = Idx.ReadImages(path);
        Assert.Equal((3, 4, 5), (back.Count, back.Rows, back.Columns));
        Assert.Equal(images.Pixels, back.Pixels);
        Assert.Equal(images.Pixels.AsSpan(20, 20).ToArray(), back.Image(1).ToArray());
        Assert.Equal(["images-idx3-ubyte"], dir.FileNames()); // no temporary file left behind
    }

    [Fact]
    public void GzipImagesAndLabelsRoundTrip()
    {
        using var dir = new TempDirectory();
        IdxImages images = Sample(count: 7);
        byte[] labels = [0, 1, 2, 3, 4, 5, 9];
        Idx.WriteImages(dir.File("images.gz"), images);
        Idx.WriteLabels(dir.File("labels.gz"), labels);

        Assert.True(Idx.IsGzip(File.ReadAllBytes(dir.File("images.gz"))));
        Assert.True(Idx.IsGzip(File.ReadAllBytes(dir.File("labels.gz"))));
        Assert.Equal(images.Pixels, Idx.ReadImages(dir.File("images.gz")).Pixels);
        Assert.Equal(labels, Idx.ReadLabels(dir.File("labels.gz"), classes: 10));
    }

    [Fact]
    public void GzipIsDetectedByContentNotByName()
    {
        using var dir = new TempDirectory();
        IdxImages images = Sample();
        byte[] raw = [.. ImageHeader(Idx.ImagesMagic, 3, 4, 5), .. images.Pixels];
        File.WriteAllBytes(dir.File("compressed-without-extension"), Gzip(raw));
        File.WriteAllBytes(dir.File("raw-with-extension.gz"), raw);

        Assert.Equal(images.Pixels, Idx.ReadImages(dir.File("compressed-without-extension")).Pixels);
        Assert.Equal(images.Pixels, Idx.ReadImages(dir.File("raw-with-extension.gz")).Pixels);
    }

    [Fact]
    public void SliceFixtureReads()
    {
        IdxImages images = Idx.ReadImages(Path.Combine(MnistSlice.Directory, "t10k-images-idx3-ubyte.gz"));
        byte[] labels = Idx.ReadLabels(Path.Combine(MnistSlice.Directory, "t10k-labels-idx1-ubyte.gz"), classes: 10);
        Assert.Equal((MnistSlice.TestCount, 28, 28), (images.Count, images.Rows, images.Columns));
        Assert.Equal(MnistSlice.TestCount, labels.Length);
        Assert.Equal(7, labels[0]); // the first MNIST test digit is a 7
    }

    [Fact]
    public void WrongMagicNamesBothMagicNumbers()
    {
        using var dir = new TempDirectory();
        string labels = dir.File("labels-idx1-ubyte");
        Idx.WriteLabels(labels, [1, 2, 3]);
        string images = dir.File("images-idx3-ubyte");
        Idx.WriteImages(images, Sample());
        string text = dir.File("page.html");
        File.WriteAllText(text, "<html>Not Found</html>");

        AssertBad(() => Idx.ReadImages(labels), labels, "0x00000801", "a label file", "expected 0x00000803", "an image file");
        AssertBad(() => Idx.ReadLabels(images), images, "0x00000803", "expected 0x00000801");
        AssertBad(() => Idx.ReadImages(text), text, "not an IDX header");
    }

    [Fact]
    public void TruncatedDataSaysHowManyBytesAreMissing()
    {
        using var dir = new TempDirectory();
        IdxImages images = Sample();
        byte[] whole = [.. ImageHeader(Idx.ImagesMagic, 3, 4, 5), .. images.Pixels];
        string raw = dir.File("cut-idx3-ubyte");
        File.WriteAllBytes(raw, whole[..^7]);
        string gz = dir.File("cut-idx3-ubyte.gz");
        File.WriteAllBytes(gz, Gzip(whole[..^7]));

        AssertBad(() => Idx.ReadImages(raw), raw, "truncated", "3 images of 4×5 pixels", $"must be {whole.Length} bytes", "7 missing");
        AssertBad(() => Idx.ReadImages(gz), gz, "truncated", "7 missing");
    }

    [Fact]
    public void TruncatedGzipStreamIsRefused()
    {
        using var dir = new TempDirectory();
        byte[] whole = [.. ImageHeader(Idx.ImagesMagic, 3, 4, 5), .. Sample().Pixels];
        byte[] gz = Gzip(whole);
        string path = dir.File("cut.gz");
        File.WriteAllBytes(path, gz[..(gz.Length / 2)]);

        var e = Assert.Throws<DataFileException>(() => Idx.ReadImages(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void DamagedGzipIsRefused()
    {
        using var dir = new TempDirectory();
        byte[] gz = Gzip([.. ImageHeader(Idx.ImagesMagic, 3, 4, 5), .. Sample().Pixels]);
        for (int i = 10; i < gz.Length - 8; i++)
        {
            gz[i] = 0xFF;
        }

        string path = dir.File("damaged.gz");
        File.WriteAllBytes(path, gz);
        AssertBad(() => Idx.ReadImages(path), path, "gzip");
    }

    [Fact]
    public void WrongDimensionsAreRefused()
    {
        using var dir = new TempDirectory();
        byte[] pixels = Sample().Pixels; // 60 bytes: 3 images of 4×5

        string tooMany = dir.File("claims-more");
        File.WriteAllBytes(tooMany, [.. ImageHeader(Idx.ImagesMagic, 3, 5, 5), .. pixels]);
        AssertBad(() => Idx.ReadImages(tooMany), tooMany, "3 images of 5×5 pixels", "must be 91 bytes", "it has 76");

        string tooFew = dir.File("claims-fewer");
        File.WriteAllBytes(tooFew, [.. ImageHeader(Idx.ImagesMagic, 2, 4, 5), .. pixels]);
        AssertBad(() => Idx.ReadImages(tooFew), tooFew, "longer than its header declares", "20 extra");

        string zeroRows = dir.File("zero-rows");
        File.WriteAllBytes(zeroRows, [.. ImageHeader(Idx.ImagesMagic, 3, 0, 5), .. pixels]);
        AssertBad(() => Idx.ReadImages(zeroRows), zeroRows, "rows is 0", "at least 1");

        string negative = dir.File("negative-count");
        File.WriteAllBytes(negative, [.. ImageHeader(Idx.ImagesMagic, -3, 4, 5), .. pixels]);
        AssertBad(() => Idx.ReadImages(negative), negative, "image count is -3");
    }

    [Fact]
    public void EmptyAndHeaderOnlyFilesAreRefused()
    {
        using var dir = new TempDirectory();
        string empty = dir.File("empty");
        File.WriteAllBytes(empty, []);
        AssertBad(() => Idx.ReadImages(empty), empty, "is empty", "16-byte header");
        AssertBad(() => Idx.ReadLabels(empty), empty, "is empty", "8-byte header");

        string shortHeader = dir.File("short-header");
        File.WriteAllBytes(shortHeader, ImageHeader(Idx.ImagesMagic, 1, 2, 2)[..10]);
        AssertBad(() => Idx.ReadImages(shortHeader), shortHeader, "truncated", "10 bytes", "header");
    }

    [Fact]
    public void LabelsOutsideTheClassesAreRefused()
    {
        using var dir = new TempDirectory();
        string path = dir.File("labels");
        Idx.WriteLabels(path, [3, 9, 10, 2]);

        Assert.Equal([3, 9, 10, 2], Idx.ReadLabels(path));
        AssertBad(() => Idx.ReadLabels(path, classes: 10), path, "label 10 at index 2", "10 classes");
    }

    [Fact]
    public void MissingFileIsFileNotFound()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => Idx.ReadImages(dir.File("absent")));
        Assert.Contains("absent", e.Message);
    }
}
