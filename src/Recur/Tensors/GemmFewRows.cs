using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Tensors;

/// <summary>
/// <c>C = A·B + beta·C</c> for an A of one or two rows and a B packed beforehand (<see cref="PackedMatrix"/>): a
/// recurrent layer's streaming step, one sequence (or two) times the weights. Gives the same bits as
/// <see cref="Gemm.Multiply(bool, int, float, ReadOnlySpan{float}, int, PackedMatrix, float, Span{float}, int)"/> with
/// alpha 1 — the same depth blocks, each summed in increasing depth with the kernel's fused multiply-adds from zero,
/// then merged as the kernel merges — without the micro-kernel's MR rows, of which one row would use a sixth.
/// </summary>
/// <remarks>
/// The AVX2 and AVX-512 paths read four micro-panels (of two vectors each) at once: eight accumulators, enough to hide
/// the multiply-add's latency. The 128-bit and scalar paths, and more than <see cref="MaxRows"/> rows, go to the general
/// product (which for more rows is the cheaper one: its MR-row tiles read each panel once for all rows).
/// </remarks>
internal static unsafe class GemmFewRows
{
    /// <summary>The most rows that go row by row; more share each read of B in the general product's tiles.</summary>
    public const int MaxRows = 2;

    /// <summary>
    /// <c>c [m, n] = a [m, k] · B + beta·c</c>, B the packed <c>[k, n]</c>; rows of a at stride <paramref name="lda"/>,
    /// of c at <paramref name="ldc"/>. beta == 0 does not read c.
    /// </summary>
    /// <exception cref="ArgumentException">A size does not fit a span.</exception>
    public static void Multiply(int m, ReadOnlySpan<float> a, int lda, PackedMatrix b, float beta, Span<float> c, int ldc)
    {
        if (b.Path is not (GemmPath.Vector256 or GemmPath.Vector512) || m > MaxRows)
        {
            Gemm.Multiply(false, m, 1f, a, lda, b, beta, c, ldc);
            return;
        }

        int n = b.Columns, k = b.Depth;
        if (m < 0 || lda < k || a.Length < GemmChecks.MinimumLength(m, k, lda) || ldc < n || c.Length < GemmChecks.MinimumLength(m, n, ldc))
        {
            throw new ArgumentException(
                $"GemmFewRows with a packed B [{k}, {n}]: m = {m}, lda = {lda}, ldc = {ldc} do not fit a ({a.Length} elements) or c ({c.Length} elements).");
        }

        if (m == 0 || n == 0 || k == 0)
        {
            // The general product's trivial cases: C = beta·C.
            Gemm.Multiply(false, m, 1f, a, lda, b, beta, c, ldc);
            return;
        }

        bool wide = b.Path == GemmPath.Vector512;
        nint kcMax = wide ? Gemm.DepthBlocks<GemmKernel512>(k).KcMax : Gemm.DepthBlocks<GemmKernel256>(k).KcMax;
        fixed (float* pa = a, pc = c)
        {
            for (int i = 0; i < m; i++)
            {
                for (nint p0 = 0; p0 < k; p0 += kcMax)
                {
                    nint kc = Math.Min(kcMax, k - p0);

                    // The first depth block applies beta; later ones accumulate onto it, as in the general product.
                    float* ai = pa + (i * (nint)lda) + p0, block = b.Data + (p0 * b.PaddedColumns), ci = pc + (i * (nint)ldc);
                    float blockBeta = p0 == 0 ? beta : 1f;
                    if (wide)
                    {
                        Row<Vector512<float>, Panel512>(kc, ai, block, n, ci, blockBeta);
                    }
                    else
                    {
                        Row<Vector256<float>, Panel256>(kc, ai, block, n, ci, blockBeta);
                    }
                }
            }
        }
    }

    /// <summary>
    /// One row: <c>c [n] = a [kc] · block + beta·c</c>, block being one depth block of packed micro-panels, kc × NR each,
    /// NR being two vectors (the AVX2 and AVX-512 kernels' register blocks are two vectors wide).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row<TV, TOps>(nint kc, float* a, float* block, nint n, float* c, float beta)
        where TV : struct
        where TOps : struct, IPanelVector<TV>
    {
        nint w = TOps.Count, nr = 2 * w, panels = (n + nr - 1) / nr, stride = nr * kc, s = 0;
        for (; s + 4 <= panels; s += 4)
        {
            float* b0 = block + (s * stride), b1 = b0 + stride, b2 = b1 + stride, b3 = b2 + stride;
            TV c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            for (nint p = 0; p < kc; p++)
            {
                TV ap = TOps.Broadcast(a[p]);
                nint o = p * nr;
                c0 = TOps.MultiplyAdd(ap, TOps.Load(b0 + o), c0);
                c1 = TOps.MultiplyAdd(ap, TOps.Load(b0 + o + w), c1);
                c2 = TOps.MultiplyAdd(ap, TOps.Load(b1 + o), c2);
                c3 = TOps.MultiplyAdd(ap, TOps.Load(b1 + o + w), c3);
                c4 = TOps.MultiplyAdd(ap, TOps.Load(b2 + o), c4);
                c5 = TOps.MultiplyAdd(ap, TOps.Load(b2 + o + w), c5);
                c6 = TOps.MultiplyAdd(ap, TOps.Load(b3 + o), c6);
                c7 = TOps.MultiplyAdd(ap, TOps.Load(b3 + o + w), c7);
            }

            nint j = s * nr;
            Merge<TV, TOps>(c0, c1, c + j, n - j, beta);
            Merge<TV, TOps>(c2, c3, c + j + nr, n - j - nr, beta);
            Merge<TV, TOps>(c4, c5, c + j + (2 * nr), n - j - (2 * nr), beta);
            Merge<TV, TOps>(c6, c7, c + j + (3 * nr), n - j - (3 * nr), beta);
        }

        for (; s < panels; s++)
        {
            float* b0 = block + (s * stride);
            TV c0 = default, c1 = default;
            for (nint p = 0; p < kc; p++)
            {
                TV ap = TOps.Broadcast(a[p]);
                c0 = TOps.MultiplyAdd(ap, TOps.Load(b0 + (p * nr)), c0);
                c1 = TOps.MultiplyAdd(ap, TOps.Load(b0 + (p * nr) + w), c1);
            }

            Merge<TV, TOps>(c0, c1, c + (s * nr), n - (s * nr), beta);
        }
    }

    /// <summary>
    /// Merges a panel's NR sums into <paramref name="c"/>, of which <paramref name="cols"/> (any number; at most NR
    /// used) are C's: <c>c = acc</c>, or <c>acc + c·beta</c> — the kernel's <c>acc·1 + c·beta</c>, the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Merge<TV, TOps>(TV lo, TV hi, float* c, nint cols, float beta)
        where TV : struct
        where TOps : struct, IPanelVector<TV>
    {
        nint w = TOps.Count;
        if (cols >= 2 * w)
        {
            if (beta == 0f)
            {
                TOps.Store(lo, c);
                TOps.Store(hi, c + w);
            }
            else
            {
                TOps.Store(TOps.AddScaled(lo, TOps.Load(c), beta), c);
                TOps.Store(TOps.AddScaled(hi, TOps.Load(c + w), beta), c + w);
            }

            return;
        }

        float* t = stackalloc float[32];
        TOps.Store(lo, t);
        TOps.Store(hi, t + w);
        for (nint j = 0; j < cols; j++)
        {
            c[j] = beta == 0f ? t[j] : t[j] + (c[j] * beta);
        }
    }

    /// <summary>The vector operations of a kernel's panel, with that kernel's multiply-add (fused or its estimate).</summary>
    private interface IPanelVector<TV>
        where TV : struct
    {
        static abstract int Count { get; }

        static abstract TV Load(float* p);

        static abstract void Store(TV v, float* p);

        static abstract TV Broadcast(float x);

        static abstract TV MultiplyAdd(TV a, TV b, TV c);

        /// <summary><c>acc + c·beta</c>, lane by lane.</summary>
        static abstract TV AddScaled(TV acc, TV c, float beta);
    }

    /// <summary>GemmKernel256's: <see cref="Vector256.MultiplyAddEstimate(Vector256{float}, Vector256{float}, Vector256{float})"/>.</summary>
    private readonly struct Panel256 : IPanelVector<Vector256<float>>
    {
        public static int Count => 8;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Load(float* p) => Vector256.Load(p);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector256<float> v, float* p) => v.Store(p);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> Broadcast(float x) => Vector256.Create(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> MultiplyAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.MultiplyAddEstimate(a, b, c);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector256<float> AddScaled(Vector256<float> acc, Vector256<float> c, float beta) => acc + (c * Vector256.Create(beta));
    }

    /// <summary>GemmKernel512's: <see cref="Vector512.FusedMultiplyAdd(Vector512{float}, Vector512{float}, Vector512{float})"/>.</summary>
    private readonly struct Panel512 : IPanelVector<Vector512<float>>
    {
        public static int Count => 16;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Load(float* p) => Vector512.Load(p);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static void Store(Vector512<float> v, float* p) => v.Store(p);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> Broadcast(float x) => Vector512.Create(x);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> MultiplyAdd(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public static Vector512<float> AddScaled(Vector512<float> acc, Vector512<float> c, float beta) => acc + (c * Vector512.Create(beta));
    }
}
