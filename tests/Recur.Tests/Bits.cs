namespace Recur.Tests;

/// <summary>Bit-for-bit comparison of float arrays, naming the first element that differs.</summary>
internal static class Bits
{
    public static void AssertEqual(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, string what)
    {
        Assert.True(expected.Length == actual.Length, $"{what}: {actual.Length} elements, expected {expected.Length}");
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what}: element {i} is {actual[i]}, expected {expected[i]}");
        }
    }
}
