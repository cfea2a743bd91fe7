using System.Buffers.Binary;
using System.Runtime.Intrinsics.X86;

namespace Recur.IO;

/// <summary>
/// CRC-32C (Castagnoli; reflected polynomial 0x82F63B78, initial value and final xor 0xFFFFFFFF),
/// the checksum of TFRecord files; not the CRC-32 of zip and zlib. Uses the SSE4.2 instruction when
/// the CPU has it, a slicing-by-8 table otherwise; both give the same result.
/// </summary>
internal static class Crc32C
{
    private const uint Polynomial = 0x82F63B78u;
    private const uint MaskDelta = 0xA282EAD8u;

    /// <summary>Table[k][b]: the CRC register after byte b followed by k zero bytes.</summary>
    private static readonly uint[][] Table = BuildTable();

    /// <summary>CRC-32C of <paramref name="data"/>, with the fastest implementation the CPU supports.</summary>
    public static uint Compute(ReadOnlySpan<byte> data) =>
        Sse42.IsSupported ? ComputeHardware(data) : ComputeSoftware(data);

    /// <summary>The TFRecord "masked" CRC: rotated right by 15 bits plus a constant, so a CRC of CRCs stays well mixed.</summary>
    public static uint Mask(uint crc) => unchecked(((crc >> 15) | (crc << 17)) + MaskDelta);

    /// <summary>The inverse of <see cref="Mask"/>.</summary>
    public static uint Unmask(uint masked)
    {
        uint rot = unchecked(masked - MaskDelta);
        return (rot << 15) | (rot >> 17);
    }

    /// <summary>CRC-32C by table lookup, eight bytes per step.</summary>
    public static uint ComputeSoftware(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFFu;
        uint[] t0 = Table[0], t1 = Table[1], t2 = Table[2], t3 = Table[3];
        uint[] t4 = Table[4], t5 = Table[5], t6 = Table[6], t7 = Table[7];
        while (data.Length >= 8)
        {
            uint lo = BinaryPrimitives.ReadUInt32LittleEndian(data) ^ crc;
            uint hi = BinaryPrimitives.ReadUInt32LittleEndian(data[4..]);
            crc = t7[lo & 0xFF] ^ t6[(lo >> 8) & 0xFF] ^ t5[(lo >> 16) & 0xFF] ^ t4[lo >> 24]
                ^ t3[hi & 0xFF] ^ t2[(hi >> 8) & 0xFF] ^ t1[(hi >> 16) & 0xFF] ^ t0[hi >> 24];
            data = data[8..];
        }

        foreach (byte b in data)
        {
            crc = t0[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    /// <summary>CRC-32C with the SSE4.2 <c>crc32</c> instruction.</summary>
    /// <exception cref="PlatformNotSupportedException">The CPU has no SSE4.2.</exception>
    public static uint ComputeHardware(ReadOnlySpan<byte> data)
    {
        if (!Sse42.IsSupported)
        {
            throw new PlatformNotSupportedException("This CPU has no SSE4.2 crc32 instruction; use ComputeSoftware.");
        }

        uint crc = 0xFFFFFFFFu;
        if (Sse42.X64.IsSupported)
        {
            ulong wide = crc;
            while (data.Length >= 8)
            {
                wide = Sse42.X64.Crc32(wide, BinaryPrimitives.ReadUInt64LittleEndian(data));
                data = data[8..];
            }

            crc = (uint)wide;
        }

        while (data.Length >= 4)
        {
            crc = Sse42.Crc32(crc, BinaryPrimitives.ReadUInt32LittleEndian(data));
            data = data[4..];
        }

        foreach (byte b in data)
        {
            crc = Sse42.Crc32(crc, b);
        }

        return ~crc;
    }

    private static uint[][] BuildTable()
    {
        var table = new uint[8][];
        for (int k = 0; k < 8; k++)
        {
            table[k] = new uint[256];
        }

        for (uint b = 0; b < 256; b++)
        {
            uint r = b;
            for (int bit = 0; bit < 8; bit++)
            {
                r = (r & 1) != 0 ? (r >> 1) ^ Polynomial : r >> 1;
            }

            table[0][b] = r;
        }

        for (int k = 1; k < 8; k++)
        {
            for (int b = 0; b < 256; b++)
            {
                uint prev = table[k - 1][b];
                table[k][b] = (prev >> 8) ^ table[0][prev & 0xFF];
            }
        }

        return table;
    }
}
