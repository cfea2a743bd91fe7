using System.Buffers.Binary;
using System.IO.Compression;

namespace Recur.Tests.IO;

/// <summary>
/// Writes gzip files that unpack to far more than they hold, for the tests of the readers' limits; generated when a
/// test runs, never committed. A file is a chain of gzip members (as pigz writes them, and as every gzip reader must
/// read them): the header, then one 10 MiB block of zeros compressed once (about 10 KB) and written again and again.
/// </summary>
internal static class GzipBomb
{
    private const int BlockBytes = 10 << 20;
    private static readonly Lazy<byte[]> ZeroBlock = new(() => Compress(new byte[BlockBytes]));

    /// <summary>An IDX image header: <paramref name="count"/> images of rows × columns unsigned bytes.</summary>
    public static byte[] ImageHeader(int count, int rows, int columns)
    {
        var header = new byte[16];
        BinaryPrimitives.WriteInt32BigEndian(header, Recur.Data.Idx.ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), count);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), rows);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), columns);
        return header;
    }

    /// <summary>Writes <paramref name="header"/> then zeros to <paramref name="path"/>, gzipped: at least <paramref name="unpacked"/> bytes once unpacked.</summary>
    /// <returns>The file's length in bytes.</returns>
    public static long Write(string path, byte[] header, long unpacked)
    {
        using var file = File.Create(path);
        file.Write(Compress(header));
        for (long written = header.Length; written < unpacked; written += BlockBytes)
        {
            file.Write(ZeroBlock.Value);
        }

        return file.Length;
    }

    private static byte[] Compress(byte[] data)
    {
        var output = new MemoryStream();
        using (var gzip = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            gzip.Write(data);
        }

        return output.ToArray();
    }
}
