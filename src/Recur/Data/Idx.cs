using System.Buffers.Binary;
using System.IO.Compression;

namespace Recur.Data;

/// <summary>
/// Reads and writes IDX files, the format of MNIST and Fashion-MNIST: a big-endian header
/// (magic number <c>0x0000TTDD</c> — type <c>TT</c> = 0x08 for unsigned bytes, <c>DD</c> dimensions —
/// then one 32-bit size per dimension) followed by the data, row-major.
/// </summary>
/// <remarks>
/// Files may be raw or gzip-compressed; compression is detected by the gzip magic bytes
/// <c>1f 8b</c>, not by the file name. Every read checks the magic number, the dimensions and the
/// exact length, and throws <see cref="DataFileException"/> naming the file, what was expected,
/// what was found and the fix.
/// </remarks>
public static class Idx
{
    /// <summary>The magic number of an image file: unsigned bytes, 3 dimensions (count, rows, columns).</summary>
    public const int ImagesMagic = 0x00000803;

    /// <summary>The magic number of a label file: unsigned bytes, 1 dimension (count).</summary>
    public const int LabelsMagic = 0x00000801;

    /// <summary>The fix suggested when a file read directly through this class is wrong.</summary>
    internal const string DefaultFix = "Replace it with a complete copy of the right file (raw or gzipped IDX).";

    private const int ImagesHeader = 16;
    private const int LabelsHeader = 8;

    /// <summary>Reads an IDX image file (magic <c>0x00000803</c>), raw or gzipped.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The images, <c>[Count, Rows, Columns]</c> bytes.</returns>
    /// <exception cref="DataFileException">The file is not a complete, well-formed IDX image file.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static IdxImages ReadImages(string path) => ParseImages(ReadRaw(path, DefaultFix), path, DefaultFix);

    /// <summary>Reads an IDX label file (magic <c>0x00000801</c>), raw or gzipped.</summary>
    /// <param name="path">The file.</param>
    /// <param name="classes">When given, every label must be below it (10 for MNIST).</param>
    /// <returns>One label per example.</returns>
    /// <exception cref="DataFileException">The file is not a complete, well-formed IDX label file, or a label is out of range.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static byte[] ReadLabels(string path, int? classes = null) =>
        ParseLabels(ReadRaw(path, DefaultFix), path, classes, DefaultFix);

    /// <summary>
    /// Writes an IDX image file atomically (temporary name, then rename), gzip-compressed when
    /// <paramref name="path"/> ends in <c>.gz</c> and raw otherwise.
    /// </summary>
    public static void WriteImages(string path, IdxImages images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var header = new byte[ImagesHeader];
        BinaryPrimitives.WriteInt32BigEndian(header, ImagesMagic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), images.Count);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(8), images.Rows);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(12), images.Columns);
        Write(path, header, images.Pixels);
    }

    /// <summary>
    /// Writes an IDX label file atomically (temporary name, then rename), gzip-compressed when
    /// <paramref name="path"/> ends in <c>.gz</c> and raw otherwise.
    /// </summary>
    public static void WriteLabels(string path, byte[] labels)
    {
        ArgumentNullException.ThrowIfNull(labels);
        var header = new byte[LabelsHeader];
        BinaryPrimitives.WriteInt32BigEndian(header, LabelsMagic);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), labels.Length);
        Write(path, header, labels);
    }

    /// <summary>True when <paramref name="bytes"/> starts with the gzip magic bytes <c>1f 8b</c>.</summary>
    public static bool IsGzip(ReadOnlySpan<byte> bytes) => bytes.Length >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b;

    /// <summary>The bytes of <paramref name="path"/>, decompressed when they are gzip.</summary>
    internal static byte[] ReadRaw(string path, string fix)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes = File.ReadAllBytes(path);
        return IsGzip(bytes) ? Decompress(bytes, path, fix) : bytes;
    }

    /// <summary>Decompresses gzip <paramref name="bytes"/> read from <paramref name="source"/>.</summary>
    /// <exception cref="DataFileException">The compressed data is damaged.</exception>
    internal static byte[] Decompress(byte[] bytes, string source, string fix)
    {
        // The gzip trailer holds the decompressed size mod 2^32: a good first capacity, bounded by
        // deflate's largest ratio (about 1032:1) so a damaged trailer cannot ask for much more.
        long hint = bytes.Length >= 18 ? BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(bytes.Length - 4)) : 0;
        var output = new MemoryStream((int)Math.Min(hint, Math.Min(bytes.Length * 1032L, 1 << 30)));
        try
        {
            using var gzip = new GZipStream(new MemoryStream(bytes, writable: false), CompressionMode.Decompress);
            gzip.CopyTo(output);
        }
        catch (InvalidDataException e)
        {
            throw new DataFileException(source, $"'{source}' starts like a gzip file but its compressed data is damaged ({e.Message}). {fix}", e);
        }

        return output.Length == output.Capacity ? output.GetBuffer() : output.ToArray();
    }

    /// <summary>Parses the bytes of an IDX image file read from <paramref name="path"/>.</summary>
    internal static IdxImages ParseImages(byte[] raw, string path, string fix)
    {
        CheckHeader(raw, path, ImagesMagic, ImagesHeader, "image", fix);
        int count = Dimension(raw, 4, "image count", 0, path, fix);
        int rows = Dimension(raw, 8, "rows", 1, path, fix);
        int columns = Dimension(raw, 12, "columns", 1, path, fix);
        long dataLength = (long)count * rows * columns;
        CheckLength(raw, path, ImagesHeader, dataLength, $"{count} images of {rows}×{columns} pixels", fix);
        return new IdxImages(count, rows, columns, raw.AsSpan(ImagesHeader).ToArray());
    }

    /// <summary>Parses the bytes of an IDX label file read from <paramref name="path"/>.</summary>
    internal static byte[] ParseLabels(byte[] raw, string path, int? classes, string fix)
    {
        CheckHeader(raw, path, LabelsMagic, LabelsHeader, "label", fix);
        int count = Dimension(raw, 4, "label count", 0, path, fix);
        CheckLength(raw, path, LabelsHeader, count, $"{count} labels", fix);
        byte[] labels = raw.AsSpan(LabelsHeader).ToArray();
        if (classes is int c)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(c, nameof(classes));
            int bad = labels.AsSpan().IndexOfAnyExceptInRange((byte)0, (byte)Math.Min(c - 1, 255));
            if (bad >= 0)
            {
                throw new DataFileException(path,
                    $"'{path}' holds label {labels[bad]} at index {bad}, but there are {c} classes (labels 0 to {c - 1}). {fix}");
            }
        }

        return labels;
    }

    private static void CheckHeader(byte[] raw, string path, int magic, int headerLength, string kind, string fix)
    {
        if (raw.Length == 0)
        {
            throw new DataFileException(path,
                $"'{path}' is empty (0 bytes); an IDX {kind} file starts with a {headerLength}-byte header. {fix}");
        }

        if (raw.Length < 4)
        {
            throw new DataFileException(path,
                $"'{path}' is truncated: it has {raw.Length} bytes, less than the 4-byte magic number of an IDX {kind} file. {fix}");
        }

        int found = BinaryPrimitives.ReadInt32BigEndian(raw);
        if (found != magic)
        {
            throw new DataFileException(path,
                $"'{path}' is not an IDX {kind} file: its magic number is 0x{found:X8} ({DescribeMagic(found)}), " +
                $"expected 0x{magic:X8} ({DescribeMagic(magic)}). {fix}");
        }

        if (raw.Length < headerLength)
        {
            throw new DataFileException(path,
                $"'{path}' is truncated: it has {raw.Length} bytes, but the header of an IDX {kind} file alone is {headerLength} bytes. {fix}");
        }
    }

    private static int Dimension(byte[] raw, int offset, string what, int min, string path, string fix)
    {
        int value = BinaryPrimitives.ReadInt32BigEndian(raw.AsSpan(offset));
        if (value < min)
        {
            throw new DataFileException(path,
                $"'{path}' has a wrong header: its {what} is {value}, expected at least {min}. {fix}");
        }

        return value;
    }

    private static void CheckLength(byte[] raw, string path, int headerLength, long dataLength, string declared, string fix)
    {
        long expected = headerLength + dataLength;
        if (raw.Length < expected)
        {
            throw new DataFileException(path,
                $"'{path}' is truncated: its header declares {declared}, so it must be {expected} bytes long (decompressed), " +
                $"but it has {raw.Length} ({expected - raw.Length} missing). {fix}");
        }

        if (raw.Length > expected)
        {
            throw new DataFileException(path,
                $"'{path}' is longer than its header declares: {declared} make {expected} bytes (decompressed), " +
                $"but it has {raw.Length} ({raw.Length - expected} extra); the header's dimensions are wrong or another file was appended. {fix}");
        }
    }

    private static string DescribeMagic(int magic)
    {
        if ((magic & unchecked((int)0xFFFF0000)) != 0)
        {
            return "not an IDX header";
        }

        int type = (magic >> 8) & 0xFF, dims = magic & 0xFF;
        string typeName = type switch
        {
            0x08 => "unsigned bytes",
            0x09 => "signed bytes",
            0x0B => "16-bit integers",
            0x0C => "32-bit integers",
            0x0D => "32-bit floats",
            0x0E => "64-bit floats",
            _ => $"unknown type 0x{type:X2}",
        };
        string shape = dims == 1 ? "1 dimension" : $"{dims} dimensions";
        string role = magic switch
        {
            ImagesMagic => ", an image file",
            LabelsMagic => ", a label file",
            _ => string.Empty,
        };
        return $"{typeName} in {shape}{role}";
    }

    private static void Write(string path, byte[] header, byte[] data)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        bool gzip = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        Recur.IO.AtomicFile.Write(path, stream =>
        {
            if (gzip)
            {
                using var compressor = new GZipStream(stream, CompressionLevel.SmallestSize, leaveOpen: true);
                compressor.Write(header);
                compressor.Write(data);
            }
            else
            {
                stream.Write(header);
                stream.Write(data);
            }
        });
    }
}
