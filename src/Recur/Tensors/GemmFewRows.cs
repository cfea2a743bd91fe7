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

        // The row of sums, in the room of the thread's A pack, which this product does not use.
        float* sums = GemmWorkspace.Current.PackA(b.PaddedColumns);
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
                        Row<Vector512<float>, Panel512>(kc, ai, block, n, ci, blockBeta, sums);
                    }
                    else
                    {
                        Row<Vector256<float>, Panel256>(kc, ai, block, n, ci, blockBeta, sums);
                    }
                }
            }
        }
    }

    /// <summary>
    /// One row and one depth block: <c>c [n] = a [kc] · block + beta·c</c>, block being <paramref name="kc"/> rows of
    /// packed micro-panels, NR = two vectors wide (the AVX2 and AVX-512 kernels' register blocks), whose sums go to
    /// <paramref name="sums"/> (room for every panel's NR columns) and are then merged into c.
    /// </summary>
    private static void Row<TV, TOps>(nint kc, float* a, float* block, nint n, float* c, float beta, float* sums)
        where TV : struct
        where TOps : struct, IPanelVector<TV>
    {
        Sums<TV, TOps>(kc, a, block, (n + (2 * TOps.Count) - 1) / (2 * TOps.Count), sums);

        // c = acc, or acc + c·beta: the kernel's acc·1 + c·beta, the same bits (no fused multiply-add here).
        nint j = 0, w = TOps.Count;
        if (beta == 0f)
        {
            new ReadOnlySpan<float>(sums, (int)n).CopyTo(new Span<float>(c, (int)n));
            return;
        }

        for (; j + w <= n; j += w)
        {
            TOps.Store(TOps.AddScaled(TOps.Load(sums + j), TOps.Load(c + j), beta), c + j);
        }

        for (; j < n; j++)
        {
            c[j] = sums[j] + (c[j] * beta);
        }
    }

    /// <summary>
    /// The sums of one row against <paramref name="panels"/> micro-panels into <paramref name="sums"/>, four panels at a
    /// time (eight accumulators). No call in here: a call would make the register allocator keep the accumulators in
    /// memory (measured twice as slow), and pointers step down the panels rather than being indexed by depth.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Sums<TV, TOps>(nint kc, float* a, float* block, nint panels, float* sums)
        where TV : struct
        where TOps : struct, IPanelVector<TV>
    {
        nint w = TOps.Count, nr = 2 * w, stride = nr * kc, s = 0;
        for (; s + 4 <= panels; s += 4)
        {
            float* b0 = block + (s * stride), b1 = b0 + stride, b2 = b1 + stride, b3 = b2 + stride;
            TV c0 = default, c1 = default, c2 = default, c3 = default, c4 = default, c5 = default, c6 = default, c7 = default;
            for (nint p = 0; p < kc; p++, b0 += nr, b1 += nr, b2 += nr, b3 += nr)
            {
                TV ap = TOps.Broadcast(a[p]);
                c0 = TOps.MultiplyAdd(ap, TOps.Load(b0), c0);
                c1 = TOps.MultiplyAdd(ap, TOps.Load(b0 + w), c1);
                c2 = TOps.MultiplyAdd(ap, TOps.Load(b1), c2);
                c3 = TOps.MultiplyAdd(ap, TOps.Load(b1 + w), c3);
                c4 = TOps.MultiplyAdd(ap, TOps.Load(b2), c4);
                c5 = TOps.MultiplyAdd(ap, TOps.Load(b2 + w), c5);
                c6 = TOps.MultiplyAdd(ap, TOps.Load(b3), c6);
                c7 = TOps.MultiplyAdd(ap, TOps.Load(b3 + w), c7);
            }

            float* t = sums + (s * nr);
            TOps.Store(c0, t);
            TOps.Store(c1, t + w);
            TOps.Store(c2, t + nr);
            TOps.Store(c3, t + nr + w);
            TOps.Store(c4, t + (2 * nr));
            TOps.Store(c5, t + (2 * nr) + w);
            TOps.Store(c6, t + (3 * nr));
            TOps.Store(c7, t + (3 * nr) + w);
        }

        for (; s < panels; s++)
        {
            float* b0 = block + (s * stride);
            TV c0 = default, c1 = default;
            for (nint p = 0; p < kc; p++, b0 += nr)
            {
                TV ap = TOps.Broadcast(a[p]);
                c0 = TOps.MultiplyAdd(ap, TOps.Load(b0), c0);
                c1 = TOps.MultiplyAdd(ap, TOps.Load(b0 + w), c1);
            }

            TOps.Store(c0, sums + (s * nr));
            TOps.Store(c1, sums + (s * nr) + w);
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
