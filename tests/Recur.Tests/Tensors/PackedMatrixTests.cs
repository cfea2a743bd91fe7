using Recur.Tensors;

namespace Recur.Tests.Tensors;

/// <summary>A product with B packed beforehand gives exactly the bits of the ordinary product, on every path.</summary>
public class PackedMatrixTests
{
    public static TheoryData<string, bool> PathsAndTransposes()
    {
        var data = new TheoryData<string, bool>();
        foreach (GemmPath path in Enum.GetValues<GemmPath>())
        {
            data.Add(path.ToString(), false);
            data.Add(path.ToString(), true);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(PathsAndTransposes))]
    public void PackedProductEqualsUnpackedBitForBit(string pathName, bool transB)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        var (mr, nr, _, kc, nc) = Gemm.BlockSizes(path);
        var packed = new PackedMatrix();
        int seed = 0;
        // Sizes around the register block, a second depth block, a second column block; the largest first,
        // so later packs reuse the storage.
        foreach (var (m, n, k) in new[] { (mr + 3, nc + nr + 1, (2 * kc) + 1), (1, 1, 1), (mr, nr, 5), (2 * mr + 1, 3 * nr - 1, kc), (7, 2 * nr, kc + 1) })
        {
            foreach (var (alpha, beta, transA) in new[] { (1f, 0f, false), (0.5f, 1f, true), (-1.5f, 0.25f, false) })
            {
                seed++;
                float[] a = Random(m * k, seed), b = Random(k * n, seed + 100), c0 = Random(m * n, seed + 200);
                int lda = transA ? m : k, ldb = transB ? k : n;
                float[] expected = (float[])c0.Clone(), actual = (float[])c0.Clone();
                Gemm.Multiply(path, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, expected, n);
                packed.Pack(path, transB, k, n, b, ldb);
                Gemm.Multiply(transA, m, alpha, a, lda, packed, beta, actual, n);
                for (int i = 0; i < expected.Length; i++)
                {
                    Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                        $"{path} m {m} n {n} k {k} transA {transA}: element {i} is {actual[i]}, expected {expected[i]}");
                }
            }
        }
    }

    [Fact]
    public void RepackingAndMultiplyingAllocateNothing()
    {
        const int M = 16, N = 512, K = 128;
        float[] a = Random(M * K, 1), b = Random(N * K, 2), c = new float[M * N];
        var packed = new PackedMatrix();
        packed.Pack(Gemm.DefaultPath, true, K, N, b, K);
        Gemm.Multiply(false, M, 1f, a, K, packed, 0f, c, N);
        long before = GC.GetAllocatedBytesForCurrentThread();
        packed.Pack(Gemm.DefaultPath, true, K, N, b, K);
        Gemm.Multiply(false, M, 1f, a, K, packed, 1f, c, N);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void ShortOperandsAreRejected()
    {
        var packed = new PackedMatrix();
        Assert.Throws<ArgumentException>(() => packed.Pack(Gemm.DefaultPath, false, 4, 5, new float[19], 5));
        packed.Pack(Gemm.DefaultPath, false, 4, 5, new float[20], 5);
        var ex = Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, 3, 1f, new float[11], 4, packed, 0f, new float[15], 5));
        Assert.Contains("[4, 5]", ex.Message);
        Assert.Throws<ArgumentException>(() => Gemm.Multiply(false, 3, 1f, new float[12], 4, packed, 0f, new float[14], 5));
    }

    internal static float[] Random(int length, int seed)
    {
        var rng = new Rng((ulong)seed);
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (2f * rng.NextFloat()) - 1f;
        }

        return values;
    }
}
