using Recur.Tensors;

namespace Recur.Tests.Tensors;

public class GemmTests
{
    private const float Sentinel = -12345.5f;

    // The smallest positive normal float, 2⁻¹²⁶: the absolute error of one rounding that underflows.
    private const double SmallestNormal = 1.1754943508222875e-38;

    private static readonly GemmPath[] AllPaths = [GemmPath.Vector512, GemmPath.Vector256, GemmPath.Vector128, GemmPath.Scalar];

    private static readonly (float Alpha, float Beta)[] Scalings = [(1f, 0f), (0.5f, 1f), (-1.5f, 0.25f)];

    public static TheoryData<bool, bool> Transposes() => new() { { false, false }, { false, true }, { true, false }, { true, true } };

    // GemmPath is internal, so theories take its name.
    public static TheoryData<string, bool, bool> PathsAndTransposes()
    {
        var data = new TheoryData<string, bool, bool>();
        foreach (GemmPath path in AllPaths)
        {
            data.Add(path.ToString(), false, false);
            data.Add(path.ToString(), false, true);
            data.Add(path.ToString(), true, false);
            data.Add(path.ToString(), true, true);
        }

        return data;
    }

    public static TheoryData<string> Paths()
    {
        var data = new TheoryData<string>();
        foreach (GemmPath path in AllPaths)
        {
            data.Add(path.ToString());
        }

        return data;
    }

    /// <summary>
    /// The default path over a grid of sizes around its register block (MR, NR) and cache blocks
    /// (KC, and 6·MR rows, where B stops being read in place), every scaling, some padded leading dimensions.
    /// </summary>
    [Theory]
    [MemberData(nameof(Transposes))]
    public void SweepMatchesReference(bool transA, bool transB)
    {
        GemmPath path = Gemm.DefaultPath;
        var (mr, nr, _, kc, _) = Gemm.BlockSizes(path);
        int[] ms = Distinct(1, 2, 3, 7, mr - 1, mr, mr + 1, (2 * mr) + 3, 6 * mr, (6 * mr) + 1, 65, 129);
        int[] ns = Distinct(1, 2, 9, nr - 1, nr, nr + 1, 2 * nr + 5, 100, 4 * nr + 1);
        int[] ks = Distinct(1, 2, 3, 16, 17, 63, kc + 1);
        int index = 0;
        foreach (int m in ms)
        {
            foreach (int n in ns)
            {
                foreach (int k in ks)
                {
                    var (alpha, beta) = Scalings[index % Scalings.Length];
                    int pad = index % 4 == 1 ? 3 : 0;
                    RunCase(path, transA, transB, m, n, k, alpha, beta, pad, 2 * pad, pad + 1, seed: index);
                    index++;
                }
            }
        }
    }

    /// <summary>Every vector width (forced, so all run on this machine) on sizes around its own MR, NR and KC.</summary>
    [Theory]
    [MemberData(nameof(PathsAndTransposes))]
    public void EveryPathMatchesReference(string pathName, bool transA, bool transB)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        var (mr, nr, _, kc, _) = Gemm.BlockSizes(path);
        int index = 0;
        foreach (int m in Distinct(1, mr - 1, mr + 1, 2 * mr, 3 * mr + 2))
        {
            foreach (int n in Distinct(1, nr - 1, nr + 1, 3 * nr + 1, 5 * nr))
            {
                foreach (int k in Distinct(1, 5, 33, kc + 1))
                {
                    var (alpha, beta) = Scalings[index % Scalings.Length];
                    int pad = index % 3 == 2 ? 5 : 0;
                    RunCase(path, transA, transB, m, n, k, alpha, beta, pad, pad, pad, seed: 1000 + index);
                    index++;
                }
            }
        }
    }

    /// <summary>Skinny shapes that cross the cache blocks MC, KC and NC of each path, where a full cube would be too slow.</summary>
    [Theory]
    [MemberData(nameof(PathsAndTransposes))]
    public void CacheBlockEdgesMatchReference(string pathName, bool transA, bool transB)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        var (mr, nr, mc, kc, nc) = Gemm.BlockSizes(path);
        RunCase(path, transA, transB, mc + mr + 1, nr + 3, 5, 1f, 0f, 0, 0, 0, seed: 1);
        RunCase(path, transA, transB, 2 * mc + 1, 2, 3, -1.5f, 0.25f, 1, 2, 3, seed: 2);
        RunCase(path, transA, transB, mr + 1, nr + 1, kc, 0.5f, 1f, 0, 0, 0, seed: 3);
        RunCase(path, transA, transB, mr + 1, nr + 1, (2 * kc) + 1, -1.5f, 0.25f, 0, 1, 2, seed: 4);
        RunCase(path, transA, transB, mr + 1, nc + nr + 1, 3, 0.5f, 1f, 2, 0, 1, seed: 5);
        RunCase(path, transA, transB, 3, (2 * nc) + 1, 7, 1f, 0f, 0, 0, 0, seed: 6);
        RunCase(path, transA, transB, (2 * mr) + 1, nc - 1, kc + 2, 1f, 0f, 0, 0, 7, seed: 7);
    }

    /// <summary>The LSTM's own products (forward X·Wᵀ, backward dG·W and dGᵀ·X) at a small batch.</summary>
    [Fact]
    public void LstmShapesMatchReference()
    {
        const int Batch = 16, Input = 28, Hidden = 32, Gates = 4 * Hidden;
        RunCase(Gemm.DefaultPath, false, true, Batch, Gates, Input, 1f, 0f, 0, 0, 0, seed: 11);   // X·W_ihᵀ
        RunCase(Gemm.DefaultPath, false, true, Batch, Gates, Hidden, 1f, 1f, 0, 0, 0, seed: 12);  // + H·W_hhᵀ
        RunCase(Gemm.DefaultPath, false, false, Batch, Hidden, Gates, 1f, 0f, 0, 0, 0, seed: 13); // dG·W_hh
        RunCase(Gemm.DefaultPath, true, false, Gates, Input, 28 * Batch, 1f, 1f, 0, 0, 0, seed: 14); // dW_ih += dGᵀ·X
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void NothingOutsideCIsWritten(string pathName)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        var (mr, nr, _, _, _) = Gemm.BlockSizes(path);

        // RunCase checks that the sentinels between n and ldc and after the last row survive.
        foreach (var (alpha, beta) in Scalings)
        {
            RunCase(path, false, false, mr + 1, nr + 1, 9, alpha, beta, 1, 1, 13, seed: 21);
            RunCase(path, true, true, (2 * mr) - 1, (2 * nr) - 1, 9, alpha, beta, 1, 1, 1, seed: 22);
            RunCase(path, false, true, 1, 1, 1, alpha, beta, 0, 0, 2, seed: 23);
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void BetaZeroOverwritesNaN(string pathName)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        var (mr, nr, _, kc, _) = Gemm.BlockSizes(path);

        // C starts as NaN; RunCase fails on any NaN left in C. Interior and edge tiles, one and two depth blocks.
        foreach (var (transA, transB) in new[] { (false, false), (false, true), (true, false), (true, true) })
        {
            RunCase(path, transA, transB, (2 * mr) + 2, (2 * nr) + 2, 19, 1f, 0f, 0, 0, 1, seed: 31, nanC: true);
            RunCase(path, transA, transB, mr, nr, kc + 3, -1.5f, 0f, 1, 0, 0, seed: 32, nanC: true);
        }
    }

    [Fact]
    public void ZeroAlphaOrZeroDepthOnlyScalesC()
    {
        const int M = 5, N = 7, K = 3;
        float[] nanA = Filled(M * K, float.NaN), nanB = Filled(K * N, float.NaN);
        float[] c = Random(M * N, 41);
        float[] expected = Array.ConvertAll(c, x => x * 0.5f);

        // alpha == 0: A and B are not read, as in BLAS, so their NaNs do not reach C.
        Gemm.Multiply(false, false, M, N, K, 0f, nanA, K, nanB, N, 0.5f, c, N);
        Assert.Equal(expected, c);

        // k == 0: empty A and B, C = beta·C; beta == 0 clears NaN.
        Gemm.Multiply(false, false, M, N, 0, 1f, [], 0, [], N, 2f, c, N);
        Assert.Equal(Array.ConvertAll(expected, x => x * 2f), c);
        float[] nanC = Filled(M * N, float.NaN);
        Gemm.Multiply(true, true, M, N, 0, 1f, [], M, [], 0, 0f, nanC, N);
        Assert.All(nanC, x => Assert.Equal(0f, x));
    }

    [Fact]
    public void EmptyResultTouchesNothing()
    {
        float[] c = [Sentinel];
        Gemm.Multiply(false, false, 0, 5, 3, 1f, [], 3, Random(15, 1), 5, 0f, [], 5);
        Gemm.Multiply(false, false, 4, 0, 3, 1f, Random(12, 2), 3, [], 0, 0f, c.AsSpan(0, 0), 0);
        Assert.Equal(Sentinel, c[0]);
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void RepeatedCallsAreBitIdentical(string pathName)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        var (mr, nr, _, kc, _) = Gemm.BlockSizes(path);
        int m = (3 * mr) + 1, n = (3 * nr) + 1, k = kc + 7;
        float[] a = Random(m * k, 51), b = Random(n * k, 52), c0 = Random(m * n, 53);
        float[] first = (float[])c0.Clone(), second = (float[])c0.Clone();
        Gemm.Multiply(path, false, true, m, n, k, -1.5f, a, k, b, k, 0.25f, first, n);

        // A different-sized call in between must not leave anything behind that changes the next result.
        float[] other = new float[7 * 9];
        Gemm.Multiply(path, true, false, 7, 9, 5, 1f, Random(35, 54), 7, Random(45, 55), 9, 0f, other, 9);

        Gemm.Multiply(path, false, true, m, n, k, -1.5f, a, k, b, k, 0.25f, second, n);
        for (int i = 0; i < first.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(first[i]), BitConverter.SingleToInt32Bits(second[i]));
        }
    }

    /// <summary>
    /// An element of C does not depend on where its row or column falls in the register and cache
    /// blocks: a product split into row blocks or column blocks (as threads across the batch will
    /// split it) gives exactly the bits of one call.
    /// </summary>
    [Theory]
    [MemberData(nameof(PathsAndTransposes))]
    public void SplittingRowsOrColumnsGivesTheSameBits(string pathName, bool transA, bool transB)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        var (mr, nr, _, kc, _) = Gemm.BlockSizes(path);
        int m = (7 * mr) + 3, n = (3 * nr) + 5, k = kc + 9;
        int lda = transA ? m : k, ldb = transB ? k : n;
        float[] a = Random(m * k, 81), b = Random(k * n, 82), c0 = Random(m * n, 83);
        float[] whole = (float[])c0.Clone(), byRows = (float[])c0.Clone(), byColumns = (float[])c0.Clone();
        Gemm.Multiply(path, transA, transB, m, n, k, 0.5f, a, lda, b, ldb, 1f, whole, n);

        // Uneven row blocks: 1 row, then 5, then 17, ... (some below the in-place threshold for B, some above).
        int[] rowBlocks = [1, 5, 17, 2, m];
        for (int i0 = 0, block = 0; i0 < m; i0 += rowBlocks[block], block++)
        {
            int rows = Math.Min(rowBlocks[block], m - i0);
            ReadOnlySpan<float> aRows = transA ? a.AsSpan(i0) : a.AsSpan(i0 * lda);
            Gemm.Multiply(path, transA, transB, rows, n, k, 0.5f, aRows, lda, b, ldb, 1f, byRows.AsSpan(i0 * n), n);
        }

        int[] columnBlocks = [3, 1, nr + 1, n];
        for (int j0 = 0, block = 0; j0 < n; j0 += columnBlocks[block], block++)
        {
            int cols = Math.Min(columnBlocks[block], n - j0);
            ReadOnlySpan<float> bColumns = transB ? b.AsSpan(j0 * ldb) : b.AsSpan(j0);
            Gemm.Multiply(path, transA, transB, m, cols, k, 0.5f, a, lda, bColumns, ldb, 1f, byColumns.AsSpan(j0), n);
        }

        for (int i = 0; i < whole.Length; i++)
        {
            Assert.Equal(BitConverter.SingleToInt32Bits(whole[i]), BitConverter.SingleToInt32Bits(byRows[i]));
            Assert.Equal(BitConverter.SingleToInt32Bits(whole[i]), BitConverter.SingleToInt32Bits(byColumns[i]));
        }
    }

    [Theory]
    [MemberData(nameof(Paths))]
    public void RepeatedCallAllocatesNothing(string pathName)
    {
        GemmPath path = Enum.Parse<GemmPath>(pathName);
        // Large enough to use several row, depth and column blocks of every path, in place and packed.
        var (mr, nr, _, kc, nc) = Gemm.BlockSizes(path);
        int m = (2 * mr) + 3, n = nc + nr + 1, k = kc + 1;
        float[] a = Random(m * k, 61), b = Random(k * n, 62), c = new float[m * n];
        foreach (var (transA, transB) in new[] { (false, false), (false, true), (true, false), (true, true) })
        {
            int lda = transA ? m : k, ldb = transB ? k : n;
            long allocated = SingleThread.AllocatedAfterWarmUp(() => Gemm.Multiply(path, transA, transB, m, n, k, 1f, a, lda, b, ldb, 0.5f, c, n));
            Assert.True(allocated == 0, $"{path}, transA {transA}, transB {transB}: two calls after the first allocated {allocated} bytes.");
        }
    }

    [Fact]
    public void DefaultPathIsTheWidestAccelerated()
    {
        GemmPath expected =
            System.Runtime.Intrinsics.Vector512.IsHardwareAccelerated ? GemmPath.Vector512
            : System.Runtime.Intrinsics.Vector256.IsHardwareAccelerated ? GemmPath.Vector256
            : System.Runtime.Intrinsics.Vector128.IsHardwareAccelerated ? GemmPath.Vector128
            : GemmPath.Scalar;
        Assert.Equal(expected, Gemm.DefaultPath);
    }

    /// <summary>
    /// Packing lays out op(A) and op(B) exactly as the micro-kernels read them, including from an
    /// offset sub-block, and zero-pads partial panels. (Padding only ever meets discarded lanes of C,
    /// so results cannot show it; garbage there could still be denormal or NaN and slow the kernel.)
    /// </summary>
    [Fact]
    public void PackingLaysOutPanelsAndZeroPadsTheEdges()
    {
        CheckPacking<GemmKernel512>();
        CheckPacking<GemmKernel256>();
        CheckPacking<GemmKernel128>();
        CheckPacking<GemmKernelScalar>();
    }

    private static unsafe void CheckPacking<TKernel>()
        where TKernel : struct, IGemmMicroKernel
    {
        int mr = TKernel.MR, nr = TKernel.NR;
        const int Ic = 1, Pc = 2, Jc = 3, Kc = 13;
        int mc = (2 * mr) + 3, nc = (2 * nr) + 5;
        int m = Ic + mc + 2, n = Jc + nc + 1, k = Pc + Kc + 4;
        int mPanels = (mc + mr - 1) / mr, nPanels = (nc + nr - 1) / nr;
        foreach (bool trans in new[] { false, true })
        {
            int lda = (trans ? m : k) + 1, ldb = (trans ? k : n) + 2;
            float[] a = Matrix(trans ? k : m, trans ? m : k, lda, 71, float.NaN);
            float[] b = Matrix(trans ? n : k, trans ? k : n, ldb, 72, float.NaN);
            float[] packA = Filled(mPanels * mr * Kc, float.NaN), packB = Filled(nPanels * nr * Kc, float.NaN);
            fixed (float* pa = a, pb = b, ppa = packA, ppb = packB)
            {
                var op = new GemmOperands(pa, lda, trans, pb, ldb, trans, null, 0, 1f);
                GemmPacking.PackA<TKernel>(in op, Ic, mc, Pc, Kc, ppa);
                GemmPacking.PackB<TKernel>(in op, Pc, Kc, Jc, nc, ppb);
            }

            for (int r = 0; r < mPanels * mr; r++)
            {
                for (int p = 0; p < Kc; p++)
                {
                    int i = Ic + r, q = Pc + p;
                    float expected = r < mc ? (trans ? a[(q * lda) + i] : a[(i * lda) + q]) : 0f;
                    Assert.Equal(expected, packA[((r / mr) * mr * Kc) + (p * mr) + (r % mr)]);
                }
            }

            for (int col = 0; col < nPanels * nr; col++)
            {
                for (int p = 0; p < Kc; p++)
                {
                    int j = Jc + col, q = Pc + p;
                    float expected = col < nc ? (trans ? b[(j * ldb) + q] : b[(q * ldb) + j]) : 0f;
                    Assert.Equal(expected, packB[((col / nr) * nr * Kc) + (p * nr) + (col % nr)]);
                }
            }
        }
    }

    [Fact]
    public void NegativeSizesAreRejected()
    {
        float[] x = new float[64];
        AssertRejected<ArgumentOutOfRangeException>("m", ["m = -1", "negative"],
            () => Gemm.Multiply(false, false, -1, 2, 2, 1f, x, 2, x, 2, 0f, new float[4], 2));
        AssertRejected<ArgumentOutOfRangeException>("n", ["n = -2"],
            () => Gemm.Multiply(false, false, 2, -2, 2, 1f, x, 2, x, 2, 0f, new float[4], 2));
        AssertRejected<ArgumentOutOfRangeException>("k", ["k = -3"],
            () => GemmReference.Multiply(false, false, 2, 2, -3, 1f, x, 2, x, 2, 0f, new float[4], 2));
    }

    [Fact]
    public void SmallLeadingDimensionsAreRejected()
    {
        float[] x = new float[64];
        AssertRejected<ArgumentOutOfRangeException>("lda", ["lda = 3", "5 columns of A"],
            () => Gemm.Multiply(false, false, 4, 2, 5, 1f, x, 3, x, 2, 0f, new float[8], 2));
        AssertRejected<ArgumentOutOfRangeException>("lda", ["lda = 3", "4 columns of A", "transA"],
            () => Gemm.Multiply(true, false, 4, 2, 5, 1f, x, 3, x, 2, 0f, new float[8], 2));
        AssertRejected<ArgumentOutOfRangeException>("ldb", ["ldb = 1", "2 columns of B"],
            () => Gemm.Multiply(false, false, 4, 2, 5, 1f, x, 5, x, 1, 0f, new float[8], 2));
        AssertRejected<ArgumentOutOfRangeException>("ldb", ["ldb = 4", "5 columns of B", "transB"],
            () => Gemm.Multiply(false, true, 4, 2, 5, 1f, x, 5, x, 4, 0f, new float[8], 2));
        AssertRejected<ArgumentOutOfRangeException>("ldc", ["ldc = 1", "2 columns of C"],
            () => GemmReference.Multiply(false, false, 4, 2, 5, 1f, x, 5, x, 2, 0f, new float[8], 1));
    }

    [Fact]
    public void ShortSpansAreRejected()
    {
        float[] x = new float[64];
        AssertRejected<ArgumentException>("a", ["a has 10 elements", "m = 4, k = 5, lda = 5", "needs 20"],
            () => Gemm.Multiply(false, false, 4, 2, 5, 1f, new float[10], 5, x, 2, 0f, new float[8], 2));
        AssertRejected<ArgumentException>("b", ["b has 9 elements", "needs 10"],
            () => Gemm.Multiply(false, false, 4, 2, 5, 1f, x, 5, new float[9], 2, 0f, new float[8], 2));
        AssertRejected<ArgumentException>("c", ["c has 7 elements", "m = 4, n = 2, ldc = 2", "needs 8"],
            () => Gemm.Multiply(false, false, 4, 2, 5, 1f, x, 5, x, 2, 0f, new float[7], 2));

        // The last row needs only its own n columns, not a whole ldc: (4 - 1)·3 + 2 = 11.
        Gemm.Multiply(false, false, 4, 2, 5, 1f, x, 5, x, 2, 0f, new float[11], 3);
        AssertRejected<ArgumentException>("c", ["needs 11"],
            () => Gemm.Multiply(false, false, 4, 2, 5, 1f, x, 5, x, 2, 0f, new float[10], 3));
    }

    [Fact]
    public void OverlappingOutputIsRejected()
    {
        float[] storage = new float[100];
        AssertRejected<ArgumentException>("c", ["c overlaps a"],
            () => Gemm.Multiply(false, false, 4, 4, 4, 1f, storage.AsSpan(0, 16), 4, storage.AsSpan(40, 16), 4, 0f, storage.AsSpan(10, 16), 4));
        AssertRejected<ArgumentException>("c", ["c overlaps b"],
            () => Gemm.Multiply(false, false, 4, 4, 4, 1f, storage.AsSpan(0, 16), 4, storage.AsSpan(40, 16), 4, 0f, storage.AsSpan(50, 16), 4));

        // Adjacent is fine.
        Gemm.Multiply(false, false, 4, 4, 4, 1f, storage.AsSpan(0, 16), 4, storage.AsSpan(16, 16), 4, 0f, storage.AsSpan(32, 16), 4);
    }

    /// <summary>
    /// Runs one product with <see cref="Gemm"/> on <paramref name="path"/> and with
    /// <see cref="GemmReference"/>, on storage whose leading dimensions exceed the row lengths by the
    /// given paddings. Padding of A and B holds NaN (so reading it would show in C); padding of C holds
    /// a sentinel that must survive bit for bit. Every element of C must be within the rounding-error
    /// bound of <see cref="Tolerance"/>.
    /// </summary>
    private static void RunCase(GemmPath path, bool transA, bool transB, int m, int n, int k, float alpha, float beta,
        int padA, int padB, int padC, int seed, bool nanC = false)
    {
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        int lda = aCols + padA, ldb = bCols + padB, ldc = n + padC;
        float[] a = Matrix(aRows, aCols, lda, seed, float.NaN);
        float[] b = Matrix(bRows, bCols, ldb, seed + 7919, float.NaN);
        float[] c0 = Matrix(m, n, ldc, seed + 104729, Sentinel);
        if (nanC)
        {
            for (int i = 0; i < m; i++)
            {
                c0.AsSpan(i * ldc, n).Fill(float.NaN);
            }
        }

        float[] actual = (float[])c0.Clone(), expected = (float[])c0.Clone();

        Gemm.Multiply(path, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, actual, ldc);
        GemmReference.Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, expected, ldc);

        var (_, _, _, kc, _) = Gemm.BlockSizes(path);
        int depthBlocks = Math.Max(1, (k + kc - 1) / kc);
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double sumAbs = 0;
                for (int p = 0; p < k; p++)
                {
                    double aip = transA ? a[(p * lda) + i] : a[(i * lda) + p];
                    double bpj = transB ? b[(j * ldb) + p] : b[(p * ldb) + j];
                    sumAbs += Math.Abs(aip * bpj);
                }

                double oldC = beta == 0f ? 0 : Math.Abs((double)beta * c0[(i * ldc) + j]);
                double bound = Tolerance(k, depthBlocks, (Math.Abs(alpha) * sumAbs) + oldC);
                float got = actual[(i * ldc) + j], want = expected[(i * ldc) + j];
                if (!(Math.Abs((double)got - want) <= bound))
                {
                    Assert.Fail($"{path} transA={transA} transB={transB} m={m} n={n} k={k} alpha={alpha} beta={beta} " +
                        $"lda={lda} ldb={ldb} ldc={ldc}: C[{i}, {j}] = {got}, reference {want}, " +
                        $"difference {Math.Abs((double)got - want)} > bound {bound}.");
                }
            }
        }

        for (int index = 0; index < actual.Length; index++)
        {
            bool inside = index / ldc < m && index % ldc < n;
            if (!inside && BitConverter.SingleToInt32Bits(actual[index]) != BitConverter.SingleToInt32Bits(Sentinel))
            {
                Assert.Fail($"{path} transA={transA} transB={transB} m={m} n={n} k={k} ldc={ldc}: " +
                    $"element {index} (row {index / ldc}, column {index % ldc}) outside C was overwritten with {actual[index]}.");
            }
        }
    }

    /// <summary>
    /// How far the fast result may be from the reference, from the standard error bound of a float dot
    /// product (Higham, Accuracy and Stability of Numerical Algorithms, §3.1): a sum of k products,
    /// each term passing through at most r roundings, is within γ_r·Σ|aᵢbᵢ| of the exact value, with
    /// γ_r = r·u / (1 - r·u) and u = 2⁻²⁴. The reference puts each term of alpha·Σab through k
    /// roundings for the sum, one for alpha and one for adding beta·c: r = k + 2. The blocked kernel
    /// (FMA only removes roundings) sums each depth block (at most k roundings in all), then per block
    /// multiplies by alpha and adds into C: r = k + 2·depthBlocks. beta·c is rounded at most
    /// depthBlocks + 1 times on either side. The two errors add, so with
    /// <paramref name="magnitude"/> = |alpha|·Σ|ab| + |beta·c|:
    /// |fast - reference| ≤ (γ_{k+2·depthBlocks} + γ_{k+2})·magnitude, plus one smallest normal float
    /// for results that underflow.
    /// </summary>
    private static double Tolerance(int k, int depthBlocks, double magnitude)
    {
        static double Gamma(int r) => r * Math.Pow(2, -24) / (1 - (r * Math.Pow(2, -24)));
        double gamma = Gamma(k + (2 * depthBlocks)) + Gamma(k + 2);
        return (gamma * magnitude) + SmallestNormal;
    }

    private static void AssertRejected<TException>(string parameter, string[] fragments, Action call)
        where TException : ArgumentException
    {
        var ex = Assert.Throws<TException>(call);
        Assert.Equal(parameter, ex.ParamName);
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, ex.Message);
        }
    }

    /// <summary>A rows × cols matrix of values in [-1, 1) with row stride ld, the padding and 3 extra elements set to <paramref name="padding"/>.</summary>
    private static float[] Matrix(int rows, int cols, int ld, int seed, float padding)
    {
        var rng = new Random(seed);
        float[] data = Filled((Math.Max(rows - 1, 0) * ld) + cols + 3, padding);
        for (int r = 0; r < rows; r++)
        {
            for (int col = 0; col < cols; col++)
            {
                data[(r * ld) + col] = (float)((rng.NextDouble() * 2) - 1);
            }
        }

        return data;
    }

    private static float[] Random(int length, int seed) => Matrix(1, length, length, seed, 0f)[..length];

    private static float[] Filled(int length, float value)
    {
        float[] data = new float[length];
        Array.Fill(data, value);
        return data;
    }

    private static int[] Distinct(params int[] values)
    {
        var list = new List<int>();
        foreach (int v in values)
        {
            if (v > 0 && !list.Contains(v))
            {
                list.Add(v);
            }
        }

        return list.ToArray();
    }
}
