using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Recur.IO;

/// <summary>
/// A minimal protocol-buffers encoder: tagged varints, 64-bit doubles, 32-bit floats and
/// length-delimited fields (strings, bytes, nested messages), appended to a growable buffer.
/// Fields are written in the order the caller writes them; proto3 readers accept any order.
/// </summary>
internal sealed class ProtoWriter
{
    private const int WireVarint = 0;
    private const int WireFixed64 = 1;
    private const int WireLengthDelimited = 2;
    private const int WireFixed32 = 5;

    private readonly ArrayBufferWriter<byte> _buffer;

    public ProtoWriter(int initialCapacity = 64) => _buffer = new ArrayBufferWriter<byte>(initialCapacity);

    /// <summary>The bytes written so far.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    /// <summary>Forgets what was written, keeping the buffer.</summary>
    public void Clear() => _buffer.Clear();

    /// <summary>Writes a varint field (int32, int64, uint64, bool, enum); negative values take ten bytes, as protobuf does.</summary>
    public void WriteInt64(int field, long value)
    {
        WriteTag(field, WireVarint);
        WriteVarint(unchecked((ulong)value));
    }

    /// <summary>Writes a <c>double</c> field (wire type 1, little-endian).</summary>
    public void WriteDouble(int field, double value)
    {
        WriteTag(field, WireFixed64);
        BinaryPrimitives.WriteDoubleLittleEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    /// <summary>Writes a <c>float</c> field (wire type 5, little-endian).</summary>
    public void WriteFloat(int field, float value)
    {
        WriteTag(field, WireFixed32);
        BinaryPrimitives.WriteSingleLittleEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    /// <summary>Writes a <c>string</c> field as UTF-8.</summary>
    public void WriteString(int field, string value)
    {
        WriteTag(field, WireLengthDelimited);
        int length = Encoding.UTF8.GetByteCount(value);
        WriteVarint((ulong)length);
        Encoding.UTF8.GetBytes(value, _buffer.GetSpan(length));
        _buffer.Advance(length);
    }

    /// <summary>Writes a <c>bytes</c> field, or an embedded message already encoded in <paramref name="value"/>.</summary>
    public void WriteBytes(int field, ReadOnlySpan<byte> value)
    {
        WriteTag(field, WireLengthDelimited);
        WriteVarint((ulong)value.Length);
        value.CopyTo(_buffer.GetSpan(value.Length));
        _buffer.Advance(value.Length);
    }

    /// <summary>Writes an embedded message field.</summary>
    public void WriteMessage(int field, ProtoWriter message) => WriteBytes(field, message.WrittenSpan);

    /// <summary>Writes a base-128 varint, least significant group first.</summary>
    public void WriteVarint(ulong value)
    {
        Span<byte> span = _buffer.GetSpan(10);
        int n = 0;
        while (value >= 0x80)
        {
            span[n++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[n++] = (byte)value;
        _buffer.Advance(n);
    }

    private void WriteTag(int field, int wireType)
    {
        if (field < 1 || field > 536_870_911)
        {
            throw new ArgumentOutOfRangeException(nameof(field), field, "A protobuf field number is between 1 and 2^29 - 1.");
        }

        WriteVarint(((ulong)field << 3) | (uint)wireType);
    }
}
