using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;
using Recur.Tensors;

namespace Recur.Data;

/// <summary>
/// Reads and writes NumPy <c>.npy</c> files (format versions 1.0, 2.0 and 3.0), written from the
/// format's specification: the magic string <c>\x93NUMPY</c>, a version, a header length (2 bytes
/// little-endian in version 1, 4 bytes in 2 and 3), and a header that is a Python dict literal
/// <c>{'descr': '&lt;f4', 'fortran_order': False, 'shape': (4, 3, 2), }</c> (Latin-1 in versions 1 and
/// 2, UTF-8 in 3), followed by the data.
/// </summary>
/// <remarks>
/// Recur reads plain little-endian arrays in C order: float32 with <see cref="ReadFloat32"/> and
/// integer labels with <see cref="ReadLabels"/>. Anything else — another dtype, big-endian or
/// Fortran-order data, a structured or object array, a damaged or truncated file, an <c>.npz</c>
/// archive — throws <see cref="DataFileException"/> with a message that names the file, says what it
/// holds and gives the NumPy line that saves a readable file.
/// </remarks>
public static partial class Npy
{
    /// <summary>The largest header read, in bytes (NumPy itself refuses headers over 10,000 bytes by default).</summary>
    public const int MaxHeaderLength = 1 << 20;

    private static ReadOnlySpan<byte> Magic => [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    /// <summary>Reads the header of <paramref name="path"/> (not the data).</summary>
    /// <exception cref="DataFileException">The file is not a .npy file, its header is damaged or describes a structured array.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static NpyHeader ReadHeader(string path)
    {
        using FileStream stream = Open(path);
        return ReadHeader(stream, path);
    }

    /// <summary>
    /// Reads a float32 (<c>&lt;f4</c>) array of any rank of at least 1, in C order, as a tensor of the
    /// same shape.
    /// </summary>
    /// <exception cref="DataFileException">
    /// The file is not a complete .npy file of little-endian float32 in C order; the message says what it
    /// holds and how to save it (for example <c>x.astype(np.float32)</c> for float64).
    /// </exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static Tensor ReadFloat32(string path)
    {
        using FileStream stream = Open(path);
        NpyHeader header = ReadHeader(stream, path);
        string name = VariableName(path);
        if (header.Kind != 'f' || header.ItemSize != 4)
        {
            string holds = header.Kind switch
            {
                'O' => "Python objects (an object array, pickled)",
                'U' or 'S' => "strings",
                _ => $"{header.TypeName} values",
            };
            throw Fail(path, $"holds {holds} ('{header.Descr}'), but Recur reads float32 ('<f4'). " +
                $"Save it with np.save(..., {name}.astype(np.float32))" +
                (header.Kind == 'O' ? " (np.stack a list of equal-length sequences first)." : "."));
        }

        if (header.Shape.Length == 0)
        {
            throw Fail(path, $"holds a single number (shape ()), not an array. Save the whole array with np.save.");
        }

        CheckLayout(header, path, name);
        CheckLength(stream, header, path);
        var data = new float[header.Count];
        stream.ReadExactly(MemoryMarshal.AsBytes(data.AsSpan()));
        if (!BitConverter.IsLittleEndian)
        {
            Span<int> bits = MemoryMarshal.Cast<float, int>(data.AsSpan());
            BinaryPrimitives.ReverseEndianness(bits, bits);
        }

        return new Tensor(data, header.Shape.ToArray());
    }

    /// <summary>
    /// Reads class labels: a 1-D array <c>[N]</c> (or a column <c>[N, 1]</c>) of any NumPy integer dtype
    /// (<c>int64</c>, NumPy's default, <c>int32</c>, <c>int16</c>, <c>int8</c>, <c>uint8</c>, … up to
    /// <c>uint64</c>), or of float32 or float64 values that are all whole numbers (as pandas often
    /// leaves integer columns). Range checks against a number of classes are the caller's.
    /// </summary>
    /// <returns>One label per row, as stored.</returns>
    /// <exception cref="DataFileException">
    /// The file is not a complete .npy file of such labels: another dtype or rank (a one-hot array is
    /// recognised and <c>argmax</c> suggested), a value that is not a whole number or does not fit in 64
    /// bits, big-endian or Fortran-order data.
    /// </exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static long[] ReadLabels(string path)
    {
        using FileStream stream = Open(path);
        NpyHeader header = ReadHeader(stream, path);
        string name = VariableName(path);
        bool integer = header.Kind is 'i' or 'u' && header.ItemSize is 1 or 2 or 4 or 8;
        bool floating = header.Kind == 'f' && header.ItemSize is 4 or 8;
        if (!integer && !floating)
        {
            string fix = header.Kind == 'b'
                ? $"save {name}.astype(np.int64) to use False and True as classes 0 and 1"
                : $"save class indices 0, 1, 2, … as integers, for example {name}.astype(np.int64)";
            throw Fail(path, $"holds {(header.Kind == 'O' ? "Python objects" : header.TypeName)} ('{header.Descr}'), but labels are integer class indices; {fix}.");
        }

        ReadOnlySpan<int> shape = header.Shape;
        if (shape.Length != 1 && !(shape.Length == 2 && shape[1] == 1))
        {
            string fix = shape.Length == 2 && shape[1] > 1
                ? $"it looks one-hot ({shape[1]} columns): save {name}.argmax(axis=1)"
                : $"save one class index per sequence, shape (N,), for example {name}.reshape(-1)";
            throw Fail(path, $"holds an array of shape {header.ShapeText}, but labels must have shape (N,) or (N, 1); {fix}.");
        }

        CheckLayout(header, path, name);
        CheckLength(stream, header, path);
        int size = header.ItemSize;
        var bytes = new byte[header.DataLength];
        stream.ReadExactly(bytes);
        var labels = new long[header.Count];
        for (int i = 0; i < labels.Length; i++)
        {
            ReadOnlySpan<byte> b = bytes.AsSpan(i * size, size);
            labels[i] = (header.Kind, size) switch
            {
                ('i', 1) => (sbyte)b[0],
                ('i', 2) => BinaryPrimitives.ReadInt16LittleEndian(b),
                ('i', 4) => BinaryPrimitives.ReadInt32LittleEndian(b),
                ('i', 8) => BinaryPrimitives.ReadInt64LittleEndian(b),
                ('u', 1) => b[0],
                ('u', 2) => BinaryPrimitives.ReadUInt16LittleEndian(b),
                ('u', 4) => BinaryPrimitives.ReadUInt32LittleEndian(b),
                ('u', 8) => BinaryPrimitives.ReadUInt64LittleEndian(b) is var u && u <= long.MaxValue
                    ? (long)u
                    : throw Fail(path, $"holds label {BinaryPrimitives.ReadUInt64LittleEndian(b)} at index {i}, which is far too large for a class index."),
                (_, 4) => WholeNumber(BinaryPrimitives.ReadSingleLittleEndian(b), i, path, name),
                _ => WholeNumber(BinaryPrimitives.ReadDoubleLittleEndian(b), i, path, name),
            };
        }

        return labels;
    }

    /// <summary>
    /// Writes <paramref name="array"/> as a version 1.0 .npy file of float32 (<c>&lt;f4</c>), C order,
    /// exactly as <c>np.save</c> writes it; atomically (a temporary file, then a rename).
    /// </summary>
    public static void Write(string path, Tensor array)
    {
        ArgumentNullException.ThrowIfNull(array);
        var data = new byte[array.Length * 4L];
        ReadOnlySpan<float> values = array.Span;
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), values[i]);
        }

        Write(path, "<f4", array.Shape, data);
    }

    /// <summary>
    /// Writes <paramref name="labels"/> as a 1-D .npy file of int64 (<c>&lt;i8</c>, NumPy's default
    /// integer), exactly as <c>np.save</c> writes it; atomically.
    /// </summary>
    public static void WriteLabels(string path, ReadOnlySpan<int> labels)
    {
        var data = new byte[labels.Length * 8L];
        for (int i = 0; i < labels.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(data.AsSpan(i * 8), labels[i]);
        }

        Write(path, "<i8", [labels.Length], data);
    }

    /// <summary>A Python name for the array in suggested fixes: the file's stem when it is an identifier, else <c>x</c>.</summary>
    internal static string VariableName(string path)
    {
        string stem = Path.GetFileNameWithoutExtension(path);
        return Identifier().IsMatch(stem) ? stem : "x";
    }

    private static FileStream Open(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(
                Directory.Exists(path) ? $"'{path}' is a directory; give a .npy file." : $"'{path}' does not exist.", path);
        }

        return new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
    }

    private static NpyHeader ReadHeader(Stream stream, string path)
    {
        Span<byte> prefix = stackalloc byte[12];
        int read = stream.ReadAtLeast(prefix[..10], 10, throwOnEndOfStream: false);
        if (read == 0)
        {
            throw Fail(path, "is empty (0 bytes). Save the array with np.save.");
        }

        if (read >= 4 && prefix[..4].SequenceEqual("PK\x03\x04"u8))
        {
            throw Fail(path, "is a zip archive (an .npz file from np.savez?), not a .npy file. " +
                "Load it with a = np.load(...) and save each array on its own, e.g. np.save('x.npy', a['x']).");
        }

        if (read < Magic.Length || !prefix[..Magic.Length].SequenceEqual(Magic))
        {
            throw Fail(path, $"is not a .npy file: it starts with {Printable(prefix[..read])} instead of the magic string \\x93NUMPY. Save the array with np.save.");
        }

        if (read < 10)
        {
            throw Fail(path, $"is truncated: it has {read} bytes, less than the 10 that start every .npy header. Save the array again with np.save.");
        }

        int major = prefix[6], minor = prefix[7];
        if (major is < 1 or > 3 || minor != 0)
        {
            throw Fail(path, $"is .npy format version {major}.{minor}; Recur reads versions 1.0, 2.0 and 3.0. Save the array again with np.save.");
        }

        long headerLength;
        if (major == 1)
        {
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(prefix[8..]);
        }
        else
        {
            if (stream.ReadAtLeast(prefix[10..12], 2, throwOnEndOfStream: false) < 2)
            {
                throw Fail(path, "is truncated inside its header. Save the array again with np.save.");
            }

            headerLength = BinaryPrimitives.ReadUInt32LittleEndian(prefix[8..]);
        }

        long remaining = stream.Length - stream.Position;
        if (headerLength > MaxHeaderLength)
        {
            throw Fail(path, $"declares a header of {headerLength:N0} bytes, more than the {MaxHeaderLength:N0} Recur reads; the file is damaged or holds a structured array. Save a plain array with np.save.");
        }

        if (headerLength > remaining)
        {
            throw Fail(path, $"is truncated: its header should be {headerLength} bytes long but only {remaining} follow. Save the array again with np.save.");
        }

        var headerBytes = new byte[headerLength];
        stream.ReadExactly(headerBytes);
        string text = major == 3 ? Encoding.UTF8.GetString(headerBytes) : Encoding.Latin1.GetString(headerBytes);
        return ParseHeader(text, major, minor, stream.Position, path);
    }

    private static NpyHeader ParseHeader(string text, int major, int minor, long dataOffset, string path)
    {
        string shown = Shown(text);
        object? parsed;
        try
        {
            parsed = PythonLiteral.Parse(text);
        }
        catch (FormatException e)
        {
            throw Fail(path, $"has a damaged header ({e.Message}): {shown}. Save the array again with np.save.", e);
        }

        if (parsed is not Dictionary<string, object?> dict)
        {
            throw Fail(path, $"has a header that is not a dict: {shown}. Save the array again with np.save.");
        }

        foreach (string key in (string[])["descr", "fortran_order", "shape"])
        {
            if (!dict.ContainsKey(key))
            {
                throw Fail(path, $"has a header without its '{key}' entry: {shown}. Save the array again with np.save.");
            }
        }

        if (dict["descr"] is List<object?>)
        {
            throw Fail(path, $"holds a structured array (dtype {ShowValue(dict["descr"])}), but Recur reads plain arrays of one number type. " +
                "Save each field as its own array, e.g. np.save('x.npy', a['x'].astype(np.float32)).");
        }

        if (dict["descr"] is not string descr || TypeString().Match(descr) is not { Success: true } type)
        {
            throw Fail(path, $"has a dtype Recur does not know: {ShowValue(dict["descr"])}. Save float32 features or integer labels with np.save.");
        }

        if (dict["fortran_order"] is not bool fortran)
        {
            throw Fail(path, $"has a header whose 'fortran_order' is {ShowValue(dict["fortran_order"])}, not True or False. Save the array again with np.save.");
        }

        if (dict["shape"] is not List<object?> dims)
        {
            throw Fail(path, $"has a header whose 'shape' is {ShowValue(dict["shape"])}, not a tuple. Save the array again with np.save.");
        }

        var shape = new int[dims.Count];
        long count = 1;
        for (int i = 0; i < shape.Length; i++)
        {
            if (dims[i] is not long d || d < 0)
            {
                throw Fail(path, $"has a header whose shape holds {ShowValue(dims[i])}, not a size. Save the array again with np.save.");
            }

            if (d > Array.MaxLength || (count *= d) > Array.MaxLength)
            {
                throw Fail(path, $"holds an array of shape {ShowValue(dims)}, more elements than one .NET array can hold ({Array.MaxLength:N0}). Split it into smaller files.");
            }

            shape[i] = (int)d;
        }

        char order = type.Groups[1].Success ? type.Groups[1].Value[0] : '|';
        char kind = type.Groups[2].Value[0];
        int size = type.Groups[3].Length > 0 ? int.Parse(type.Groups[3].Value, CultureInfo.InvariantCulture) : IntPtr.Size; // '|O': pointers
        int itemSize = kind == 'U' ? size * 4 : size;
        return new NpyHeader(major, minor, descr, order, kind, itemSize, fortran, shape, count, dataOffset);
    }

    /// <summary>Big-endian or Fortran-order data cannot be read as stored.</summary>
    private static void CheckLayout(NpyHeader header, string path, string name)
    {
        if (header.ByteOrder == '>' && header.ItemSize > 1)
        {
            throw Fail(path, $"holds big-endian {header.TypeName} ('{header.Descr}'); Recur reads little-endian. " +
                $"Save it with np.save(..., {name}.astype('<{header.Kind}{header.ItemSize}')).");
        }

        int dimensionsOverOne = 0;
        foreach (int d in header.Shape)
        {
            dimensionsOverOne += d > 1 ? 1 : 0;
        }

        // With at most one dimension over 1, Fortran and C order lay the data out the same way.
        if (header.FortranOrder && dimensionsOverOne > 1)
        {
            throw Fail(path, $"is stored in Fortran (column-major) order; Recur reads C order. Save it with np.save(..., np.ascontiguousarray({name})).");
        }
    }

    private static void CheckLength(Stream stream, NpyHeader header, string path)
    {
        long actual = stream.Length - header.DataOffset, expected = header.DataLength;
        string declared = $"shape {header.ShapeText} of {header.TypeName}";
        if (actual < expected)
        {
            throw Fail(path, $"is truncated: its header declares {declared}, {expected:N0} bytes of data, but only {actual:N0} follow the header ({expected - actual:N0} missing). " +
                "Copy the complete file again, or save the array again with np.save.");
        }

        if (actual > expected)
        {
            throw Fail(path, $"is longer than its header declares: {declared} is {expected:N0} bytes of data, but {actual:N0} follow the header ({actual - expected:N0} extra). " +
                "The file is damaged or another file was appended; save the array again with np.save.");
        }
    }

    private static long WholeNumber(double value, int index, string path, string name)
    {
        if (double.IsInteger(value) && Math.Abs(value) < 9.2e18)
        {
            return (long)value;
        }

        throw Fail(path, string.Create(CultureInfo.InvariantCulture,
            $"holds label {value} at index {index}, which is not a whole number; labels are class indices 0, 1, 2, …. " +
            $"If the values are classes, save them as integers with {name}.astype(np.int64)."));
    }

    private static void Write(string path, string descr, ReadOnlySpan<int> shape, byte[] data)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        string dict = $"{{'descr': '{descr}', 'fortran_order': False, 'shape': {NpyHeader.FormatShape(shape)}, }}";
        // As NumPy's _wrap_header: 1 to 64 spaces and a newline, so the data starts at a multiple of 64.
        int prefix = dict.Length + 65 > ushort.MaxValue ? 12 : 10;
        int padding = 64 - (prefix + dict.Length + 1) % 64;
        byte[] header = Encoding.Latin1.GetBytes(dict + new string(' ', padding) + "\n");
        Recur.IO.AtomicFile.Write(path, stream =>
        {
            Span<byte> start = stackalloc byte[12];
            Magic.CopyTo(start);
            start[6] = (byte)(prefix == 10 ? 1 : 2);
            start[7] = 0;
            if (prefix == 10)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(start[8..], (ushort)header.Length);
            }
            else
            {
                BinaryPrimitives.WriteUInt32LittleEndian(start[8..], (uint)header.Length);
            }

            stream.Write(start[..prefix]);
            stream.Write(header);
            stream.Write(data);
        });
    }

    private static DataFileException Fail(string path, string message, Exception? inner = null) =>
        new(path, $"'{path}' {message}", inner);

    /// <summary>A header as a message quotes it: on one line, control characters as <c>\uNNNN</c>, at most 200 characters.</summary>
    private static string Shown(string header)
    {
        var s = new StringBuilder();
        foreach (char c in header.Trim())
        {
            if (s.Length >= 200)
            {
                return s.Append('…').ToString();
            }

            s.Append(char.IsControl(c) ? $"\\u{(int)c:x4}" : c.ToString());
        }

        return s.ToString();
    }

    /// <summary>The first bytes of a file, quoted, with non-printable bytes as <c>\xNN</c>.</summary>
    private static string Printable(ReadOnlySpan<byte> bytes)
    {
        var s = new StringBuilder("'");
        foreach (byte b in bytes)
        {
            s.Append(b is >= 0x20 and < 0x7f and not (byte)'\\' and not (byte)'\'' ? ((char)b).ToString() : $"\\x{b:x2}");
        }

        return s.Append('\'').ToString();
    }

    private static string ShowValue(object? value) => value switch
    {
        null => "None",
        string s => $"'{Shown(s)}'",
        bool b => b ? "True" : "False",
        long l => l.ToString(CultureInfo.InvariantCulture),
        List<object?> items => $"({string.Join(", ", items.Select(ShowValue))})",
        Dictionary<string, object?> d => $"{{{string.Join(", ", d.Select(p => $"'{p.Key}': {ShowValue(p.Value)}"))}}}",
        _ => value.ToString() ?? "",
    };

    /// <summary>
    /// A NumPy type string: optional byte order, kind, size (<c>&lt;f4</c>, <c>|u1</c>, <c>&lt;U10</c>; none for <c>|O</c>).
    /// <c>\z</c>, not <c>$</c>: <c>$</c> also matches before a final line break, which let <c>'&lt;i\n'</c> through.
    /// </summary>
    [GeneratedRegex(@"^([<>|=])?([a-zA-Z])(\d{0,9})\z")]
    private static partial Regex TypeString();

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex Identifier();
}
