using System.Buffers.Binary;

namespace Recur.IO;

/// <summary>
/// TFRecord framing, the container of TensorBoard event files. Each record is
/// <c>uint64 length</c>, <c>uint32 masked CRC-32C of those 8 bytes</c>, the data, and
/// <c>uint32 masked CRC-32C of the data</c>, all little-endian.
/// </summary>
internal static class TfRecord
{
    /// <summary>Bytes a record adds around its data.</summary>
    public const int Overhead = 16;

    /// <summary>Writes one record holding <paramref name="data"/> to <paramref name="stream"/>.</summary>
    public static void Write(Stream stream, ReadOnlySpan<byte> data)
    {
        Span<byte> head = stackalloc byte[12];
        BinaryPrimitives.WriteUInt64LittleEndian(head, (ulong)data.Length);
        BinaryPrimitives.WriteUInt32LittleEndian(head[8..], Crc32C.Mask(Crc32C.Compute(head[..8])));
        Span<byte> tail = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(tail, Crc32C.Mask(Crc32C.Compute(data)));
        stream.Write(head);
        stream.Write(data);
        stream.Write(tail);
    }
}
