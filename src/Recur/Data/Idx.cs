using System.Buffers.Binary;
using System.Globalization;
using System.IO.Compression;
using Recur.IO;

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

    /// <summary>
    /// The bytes of <paramref name="path"/>, decompressed when they are gzip, read no further than the IDX header
    /// declares (see <see cref="ReadBounded"/>).
    /// </summary>
    internal static byte[] ReadRaw(string path, string fix)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return ReadBounded(file, path, fix);
    }

    /// <summary>
    /// The IDX bytes of <paramref name="stream"/> (raw, or gzip by its magic bytes), read as its header directs: the
    /// magic number and the dimensions first, then exactly the bytes they declare and not one more than needed to
    /// see there are more. Memory grows with the bytes actually read, up to the declared size, so neither a header
    /// claiming gigabytes nor a small gzip file that unpacks to gigabytes (a decompression bomb) can exhaust it.
    /// A header whose magic number or dimensions are unusable ends the read early; the parser then names the fault.
    /// </summary>
    /// <param name="stream">A seekable stream positioned at the start of the file.</param>
    /// <param name="source">The file, for messages.</param>
    /// <param name="fix">The fix suggested in messages.</param>
    /// <exception cref="DataFileException">
    /// The declared size exceeds <see cref="ReadLimits.MaxDecompressedBytes"/>, the data goes on past it, or the
    /// compressed data is damaged.
    /// </exception>
    internal static byte[] ReadBounded(Stream stream, string source, string fix)
    {
        long length = stream.Length;
        Span<byte> start = stackalloc byte[2];
        bool gzip = stream.ReadAtLeast(start, 2, throwOnEndOfStream: false) == 2 && IsGzip(start);
        stream.Position = 0;
        Stream data = gzip ? new GZipStream(stream, CompressionMode.Decompress, leaveOpen: true) : stream;
        try
        {
            return ReadDeclared(data, gzip, length, source, fix);
        }
        catch (InvalidDataException e) when (gzip)
        {
            throw new DataFileException(source, $"'{source}' starts like a gzip file but its compressed data is damaged ({e.Message}). {fix}", e);
        }
        finally
        {
            if (gzip)
            {
                data.Dispose();
            }
        }
    }

    private static byte[] ReadDeclared(Stream data, bool gzip, long length, string source, string fix)
    {
        var magic = new byte[4];
        int got = data.ReadAtLeast(magic, 4, throwOnEndOfStream: false);
        int elementSize = got == 4 ? ElementSize(BinaryPrimitives.ReadInt32BigEndian(magic)) : 0;
        if (elementSize == 0)
        {
            return magic[..got]; // empty, or not an IDX magic number: the parser says which
        }

        var header = new byte[4 + 4 * magic[3]];
        magic.CopyTo(header, 0);
        got = 4 + data.ReadAtLeast(header.AsSpan(4), header.Length - 4, throwOnEndOfStream: false);
        long expected;
        try
        {
            long count = 1;
            for (int offset = 4; offset < got; offset += 4)
            {
                int dimension = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(offset));
                if (dimension < 0 || (dimension == 0 && offset > 4))
                {
                    return header[..got]; // the parser names the negative or empty dimension (only the count may be 0)
                }

                count = checked(count * dimension);
            }

            expected = checked(header.Length + count * elementSize);
        }
        catch (OverflowException)
        {
            expected = long.MaxValue;
        }

        if (got < header.Length)
        {
            return header[..got]; // truncated inside the header
        }

        ReadLimits limits = ReadLimits.Current;
        long limit = Math.Min(limits.MaxDecompressedBytes, Array.MaxLength);
        string declared = DescribeDimensions(header, elementSize);
        if (expected > limit)
        {
            throw new DataFileException(source,
                $"'{source}' declares {declared} in its header, {(expected == long.MaxValue ? "more than 2^63" : expected.ToString("N0", CultureInfo.InvariantCulture))} bytes" +
                $"{(gzip ? " decompressed" : string.Empty)}, more than the {limit:N0} Recur reads (ReadLimits.MaxDecompressedBytes); " +
                $"the header is damaged, or raise ReadLimits.Current for a file this large. {fix}");
        }

        // Grow with the data that actually arrives: a raw file holds at most its length, gzip at most what it unpacks.
        var buffer = new byte[(int)Math.Min(expected, gzip ? Math.Max(1L << 20, 4 * length) : Math.Max(length, header.Length))];
        header.CopyTo(buffer, 0);
        int filled = header.Length;
        while (filled < expected)
        {
            if (filled == buffer.Length)
            {
                Array.Resize(ref buffer, (int)Math.Min(expected, 2L * buffer.Length));
            }

            int read = data.Read(buffer, filled, buffer.Length - filled);
            if (read == 0)
            {
                return buffer[..filled]; // truncated: the parser says how much is missing
            }

            filled += read;
        }

        if (gzip)
        {
            // Look a little past the declared end: a short tail is counted, a long one (a bomb) is not unpacked.
            var tail = new byte[1 << 16];
            int extra = data.ReadAtLeast(tail, tail.Length, throwOnEndOfStream: false);
            if (extra > 0)
            {
                bool more = extra == tail.Length && data.ReadByte() >= 0;
                throw Longer(source, declared, expected, more ? $"more than {expected + extra:N0}, so reading stopped there" : $"{expected + extra:N0} ({extra:N0} extra)", fix);
            }
        }
        else if (length > expected)
        {
            throw Longer(source, declared, expected, $"{length:N0} ({length - expected:N0} extra)", fix);
        }

        return buffer;
    }

    private static DataFileException Longer(string source, string declared, long expected, string actual, string fix) =>
        new(source,
            $"'{source}' is longer than its header declares: {declared} make {expected:N0} bytes (decompressed), but it has {actual}; " +
            $"the header's dimensions are wrong or another file was appended. {fix}");

    /// <summary>Bytes per element of an IDX magic number's type, or 0 when it is not an IDX magic number.</summary>
    private static int ElementSize(int magic) =>
        (magic & unchecked((int)0xFFFF0000)) != 0 ? 0 : ((magic >> 8) & 0xFF) switch
        {
            0x08 or 0x09 => 1,
            0x0B => 2,
            0x0C or 0x0D => 4,
            0x0E => 8,
            _ => 0,
        };

    /// <summary>The header's dimensions as a phrase: "3 images of 4×5 pixels", "10 labels", or "dimensions 2 × 3 of 4-byte elements".</summary>
    private static string DescribeDimensions(byte[] header, int elementSize)
    {
        int magic = BinaryPrimitives.ReadInt32BigEndian(header);
        var dims = new int[(header.Length - 4) / 4];
        for (int i = 0; i < dims.Length; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(header.AsSpan(4 + 4 * i));
        }

        return magic switch
        {
            ImagesMagic => $"{dims[0]} images of {dims[1]}×{dims[2]} pixels",
            LabelsMagic => $"{dims[0]} labels",
            _ => $"dimensions {string.Join(" × ", dims)} of {elementSize}-byte elements",
        };
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
