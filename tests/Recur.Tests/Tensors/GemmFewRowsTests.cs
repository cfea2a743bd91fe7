using Recur.Tensors;

namespace Recur.Tests.Tensors;

/// <summary>The few-row product over packed panels gives exactly the bits of the general product with the same packed B.</summary>
public class GemmFewRowsTests
{
    public static TheoryData<string> Paths()
    {
        var data = new TheoryData<string>();
        foreach (GemmPath path in Enum.GetValues<GemmPath>())
        {
            data.Add(path.ToString());
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void EqualsThePackedProductBitForBit(string pathName)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        var (_, nr, _, kc, nc) = Gemm.BlockSizes(path);
        var packed = new PackedMatrix();
        int seed = 0, compared = 0;
        // Whole groups of four panels, a partial last panel, fewer than four panels, a second depth block, a second
        // column block, the LSTM(128)-on-28 step (k = 157, n = 512); m from one row to past MaxRows.
        foreach (var (n, k) in new[] { (nc + nr + 1, (2 * kc) + 1), (4 * nr, 157), (3 * nr - 5, 20), (1, 1), (512, 157), (7, kc + 1) })
        {
            foreach (int m in new[] { 1, 2, 3 })
            {
                foreach (float beta in new[] { 0f, 1f, 0.25f })
                {
                    seed++;
                    int lda = k + 3, ldc = n + 2;
                    float[] a = PackedMatrixTests.Random(m * lda, seed), b = PackedMatrixTests.Random(k * n, seed + 100);
                    float[] expected = PackedMatrixTests.Random(m * ldc, seed + 200), actual = (float[])expected.Clone();
                    packed.Pack(path, true, k, n, b, k);
                    Gemm.Multiply(false, m, 1f, a, lda, packed, beta, expected, ldc);
                    GemmFewRows.Multiply(m, a, lda, packed, beta, actual, ldc);
                    Bits.AssertEqual(expected, actual, $"{path} m {m} n {n} k {k} beta {beta}");
                    compared += expected.Length;
                }
            }
        }

        Assert.True(compared > 0);
    }

    [Fact]
    public void AllocatesNothing()
    {
        const int N = 512, K = 157;
        float[] a = PackedMatrixTests.Random(K, 1), b = PackedMatrixTests.Random(N * K, 2), c = new float[N];
        var packed = new PackedMatrix();
        packed.Pack(Gemm.DefaultPath, true, K, N, b, K);
        long allocated = SingleThread.AllocatedAfterWarmUp(() => GemmFewRows.Multiply(1, a, K, packed, 0f, c, N));
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ShortOperandsAreRejected()
    {
        var packed = new PackedMatrix();
        packed.Pack(GemmPath.Vector256, false, 4, 5, new float[20], 5);
        var ex = Assert.Throws<ArgumentException>(() => GemmFewRows.Multiply(1, new float[3], 4, packed, 0f, new float[5], 5));
        Assert.Contains("m = 1, lda = 4", ex.Message);
    }
}
