using System.Globalization;
using System.Text;

namespace Recur.Data;

/// <summary>
/// The header of a NumPy <c>.npy</c> file: the format version, the dtype (<see cref="Descr"/>, such as
/// <c>'&lt;f4'</c>), the memory order and the shape, and where the data starts. Read it with
/// <see cref="Npy.ReadHeader(string)"/>.
/// </summary>
public sealed class NpyHeader
{
    private readonly int[] _shape;

    internal NpyHeader(int majorVersion, int minorVersion, string descr, char byteOrder, char kind, int itemSize, bool fortranOrder, int[] shape, long count, long dataOffset)
    {
        MajorVersion = majorVersion;
        MinorVersion = minorVersion;
        Descr = descr;
        ByteOrder = byteOrder;
        Kind = kind;
        ItemSize = itemSize;
        FortranOrder = fortranOrder;
        _shape = shape;
        Count = count;
        DataOffset = dataOffset;
    }

    /// <summary>The format's major version: 1, 2 or 3 (2 and 3 allow headers over 64 KiB; 3 allows UTF-8 in the header).</summary>
    public int MajorVersion { get; }

    /// <summary>The format's minor version (0 in every version NumPy writes).</summary>
    public int MinorVersion { get; }

    /// <summary>The dtype as NumPy writes it: byte order, kind and size, such as <c>&lt;f4</c>, <c>&lt;i8</c> or <c>|u1</c>.</summary>
    public string Descr { get; }

    /// <summary><c>&lt;</c> little-endian, <c>&gt;</c> big-endian, <c>|</c> not applicable (one-byte types), <c>=</c> native.</summary>
    public char ByteOrder { get; }

    /// <summary>NumPy's kind character: <c>f</c> float, <c>i</c> signed integer, <c>u</c> unsigned integer, <c>b</c> boolean, <c>O</c> object, …</summary>
    public char Kind { get; }

    /// <summary>Bytes per element (for strings, the number in the dtype).</summary>
    public int ItemSize { get; }

    /// <summary>True when the data is stored column-major (<c>fortran_order</c>).</summary>
    public bool FortranOrder { get; }

    /// <summary>The array's shape, outermost first (empty for a single number).</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The number of elements, the product of <see cref="Shape"/>.</summary>
    public long Count { get; }

    /// <summary>The offset of the first data byte from the start of the file.</summary>
    public long DataOffset { get; }

    /// <summary>The number of data bytes the header declares, <see cref="Count"/> · <see cref="ItemSize"/>.</summary>
    public long DataLength => Count * ItemSize;

    /// <summary>NumPy's name of the dtype, such as <c>float32</c>, <c>int64</c>, <c>uint8</c> or <c>bool</c>.</summary>
    public string TypeName => Kind switch
    {
        'f' => $"float{8 * ItemSize}",
        'i' => $"int{8 * ItemSize}",
        'u' => $"uint{8 * ItemSize}",
        'c' => $"complex{8 * ItemSize}",
        'b' => "bool",
        'O' => "object",
        'U' => "str",
        'S' => "bytes",
        _ => $"'{Descr}'",
    };

    /// <summary>The shape as Python prints it: <c>(4, 3, 2)</c>, <c>(4,)</c> or <c>()</c>.</summary>
    public string ShapeText => FormatShape(_shape);

    /// <summary><paramref name="shape"/> as Python prints a tuple.</summary>
    internal static string FormatShape(ReadOnlySpan<int> shape)
    {
        var s = new StringBuilder("(");
        for (int i = 0; i < shape.Length; i++)
        {
            s.Append(i > 0 ? ", " : "").Append(shape[i].ToString(CultureInfo.InvariantCulture));
        }

        return s.Append(shape.Length == 1 ? ",)" : ")").ToString();
    }
}
