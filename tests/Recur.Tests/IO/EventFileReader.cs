using System.Buffers.Binary;
using System.Text;

namespace Recur.Tests.IO;

/// <summary>
/// An independent reader of TensorBoard event files for the tests: TFRecord framing checked with
/// a bit-at-a-time CRC-32C (not the library's table or SSE4.2 code), and a hand-written decoder
/// of the few protobuf fields an Event with scalars uses. Unknown fields are skipped by wire type.
/// </summary>
internal static class EventFileReader
{
    public sealed record Event(double WallTime, long Step, string? FileVersion, List<(string Tag, float Value)> Scalars);

    /// <summary>CRC-32C one bit at a time, straight from the definition (reflected polynomial 0x82F63B78).</summary>
    public static uint BitwiseCrc32C(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int i = 0; i < 8; i++)
            {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
            }
        }

        return ~crc;
    }

    public static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = BitwiseCrc32C(data);
        return unchecked(((crc >> 15) | (crc << 17)) + 0xA282EAD8);
    }

    /// <summary>Splits a TFRecord file into its records' data, checking both CRCs of each.</summary>
    public static List<byte[]> ReadRecords(byte[] file)
    {
        var records = new List<byte[]>();
        int pos = 0;
        while (pos < file.Length)
        {
            if (file.Length - pos < 12)
            {
                throw new InvalidDataException($"Record at byte {pos}: only {file.Length - pos} bytes left for its 12-byte header.");
            }

            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(file.AsSpan(pos));
            uint lengthCrc = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(pos + 8));
            if (lengthCrc != MaskedCrc(file.AsSpan(pos, 8)))
            {
                throw new InvalidDataException($"Record at byte {pos}: length CRC mismatch.");
            }

            if ((ulong)(file.Length - pos - 12) < length + 4)
            {
                throw new InvalidDataException($"Record at byte {pos}: truncated.");
            }

            byte[] data = file.AsSpan(pos + 12, (int)length).ToArray();
            uint dataCrc = BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(pos + 12 + (int)length));
            if (dataCrc != MaskedCrc(data))
            {
                throw new InvalidDataException($"Record at byte {pos}: data CRC mismatch.");
            }

            records.Add(data);
            pos += 12 + (int)length + 4;
        }

        return records;
    }

    public static List<Event> ReadEvents(string path)
    {
        byte[] bytes;
        using (var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
        {
            bytes = new byte[s.Length];
            s.ReadExactly(bytes);
        }

        return ReadRecords(bytes).Select(DecodeEvent).ToList();
    }

    public static Event DecodeEvent(byte[] data)
    {
        double wallTime = 0;
        long step = 0;
        string? version = null;
        var scalars = new List<(string, float)>();
        foreach (var (field, wire, value, bytes) in Fields(data))
        {
            switch (field)
            {
                case 1 when wire == 1: wallTime = BitConverter.Int64BitsToDouble((long)value); break;
                case 2 when wire == 0: step = (long)value; break;
                case 3 when wire == 2: version = Encoding.UTF8.GetString(bytes!); break;
                case 5 when wire == 2:
                    foreach (var (vf, vw, _, vbytes) in Fields(bytes!))
                    {
                        if (vf == 1 && vw == 2)
                        {
                            string tag = string.Empty;
                            float simple = float.NaN;
                            foreach (var (f, w, v, b) in Fields(vbytes!))
                            {
                                if (f == 1 && w == 2)
                                {
                                    tag = Encoding.UTF8.GetString(b!);
                                }
                                else if (f == 2 && w == 5)
                                {
                                    simple = BitConverter.Int32BitsToSingle((int)v);
                                }
                            }

                            scalars.Add((tag, simple));
                        }
                    }

                    break;
            }
        }

        return new Event(wallTime, step, version, scalars);
    }

    /// <summary>The fields of a protobuf message: number, wire type, numeric value, and bytes for length-delimited ones.</summary>
    private static IEnumerable<(int Field, int Wire, ulong Value, byte[]? Bytes)> Fields(byte[] msg)
    {
        int pos = 0;
        while (pos < msg.Length)
        {
            ulong key = Varint(msg, ref pos);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0:
                    yield return (field, wire, Varint(msg, ref pos), null);
                    break;
                case 1:
                    yield return (field, wire, BinaryPrimitives.ReadUInt64LittleEndian(msg.AsSpan(pos, 8)), null);
                    pos += 8;
                    break;
                case 2:
                    int n = (int)Varint(msg, ref pos);
                    yield return (field, wire, 0, msg.AsSpan(pos, n).ToArray());
                    pos += n;
                    break;
                case 5:
                    yield return (field, wire, BinaryPrimitives.ReadUInt32LittleEndian(msg.AsSpan(pos, 4)), null);
                    pos += 4;
                    break;
                default:
                    throw new InvalidDataException($"Unsupported wire type {wire} at byte {pos}.");
            }
        }
    }

    private static ulong Varint(byte[] msg, ref int pos)
    {
        ulong result = 0;
        for (int shift = 0; shift < 64; shift += 7)
        {
            byte b = msg[pos++];
            result |= (ulong)(b & 0x7F) << shift;
            if (b < 0x80)
            {
                return result;
            }
        }

        throw new InvalidDataException("Varint longer than 10 bytes.");
    }
}
