using System.Runtime.Intrinsics.X86;
using System.Text;
using Recur.IO;

namespace Recur.Tests.IO;

public class Crc32CTests
{
    // Check value of the CRC-32C catalogue entry, and the four test patterns of RFC 3720 (iSCSI), B.4.
    public static TheoryData<string, uint> KnownVectors => new()
    {
        { "ascii:123456789", 0xE3069283u },
        { "zeros32", 0x8A9136AAu },
        { "ones32", 0x62A8AB43u },
        { "ascending32", 0x46DD794Eu },
        { "descending32", 0x113FDB5Cu },
        { "ascii:", 0x00000000u },
    };

    [Theory]
    [MemberData(nameof(KnownVectors))]
    public void SoftwareMatchesKnownVectors(string input, uint expected)
    {
        byte[] data = Input(input);
        Assert.Equal(expected, Crc32C.ComputeSoftware(data));
        Assert.Equal(expected, Crc32C.Compute(data));
        Assert.Equal(expected, EventFileReader.BitwiseCrc32C(data));
    }

    [Theory]
    [MemberData(nameof(KnownVectors))]
    public void HardwareMatchesKnownVectors(string input, uint expected)
    {
        if (!Sse42.IsSupported)
        {
            Assert.Throws<PlatformNotSupportedException>(() => Crc32C.ComputeHardware(Input(input)));
            return;
        }

        Assert.Equal(expected, Crc32C.ComputeHardware(Input(input)));
    }

    [Fact]
    public void AllImplementationsAgreeOnEveryLengthAndAlignment()
    {
        var rng = new Rng(11);
        byte[] buffer = new byte[300];
        for (int i = 0; i < buffer.Length; i++)
        {
            buffer[i] = (byte)rng.NextInt(256);
        }

        for (int start = 0; start < 8; start++)
        {
            for (int length = 0; length <= 270; length++)
            {
                ReadOnlySpan<byte> span = buffer.AsSpan(start, length);
                uint reference = EventFileReader.BitwiseCrc32C(span);
                Assert.Equal(reference, Crc32C.ComputeSoftware(span));
                if (Sse42.IsSupported)
                {
                    Assert.Equal(reference, Crc32C.ComputeHardware(span));
                }
            }
        }
    }

    [Fact]
    public void MaskRotatesRightBy15AndAddsTheDelta()
    {
        Assert.Equal(0xA282EAD8u, Crc32C.Mask(0));
        Assert.Equal(0xA282EAD9u, Crc32C.Mask(0x00008000u));              // bit 15 rotates to bit 0
        Assert.Equal(0xA282EAD8u + 0x00020000u, Crc32C.Mask(0x00000001u)); // bit 0 rotates to bit 17
        foreach (uint v in new uint[] { 0, 1, 0xDEADBEEF, 0xFFFFFFFF, 0xE3069283 })
        {
            Assert.Equal(v, Crc32C.Unmask(Crc32C.Mask(v)));
        }
    }

    private static byte[] Input(string name) => name switch
    {
        "zeros32" => new byte[32],
        "ones32" => Enumerable.Repeat((byte)0xFF, 32).ToArray(),
        "ascending32" => Enumerable.Range(0, 32).Select(i => (byte)i).ToArray(),
        "descending32" => Enumerable.Range(0, 32).Select(i => (byte)(31 - i)).ToArray(),
        _ => Encoding.ASCII.GetBytes(name["ascii:".Length..]),
    };
}
