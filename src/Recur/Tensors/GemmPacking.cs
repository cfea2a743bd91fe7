using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Recur.Tensors;

/// <summary>
/// Packing, as BLIS's packm: copies a block of op(A) or op(B) into micro-panels laid out in the exact
/// order the micro-kernel reads them, zero-padded to full width so the kernel never needs an edge case.
/// </summary>
/// <remarks>
/// A packed A block <c>[mc, kc]</c> is a sequence of micro-panels of MR rows; micro-panel r holds
/// <c>op(A)[r·MR + i, p]</c> at <c>p·MR + i</c>. A packed B block <c>[kc, nc]</c> is a sequence of
/// micro-panels of NR columns; micro-panel s holds <c>op(B)[p, s·NR + j]</c> at <c>p·NR + j</c>.
/// Both are the same operation on a "width" index (i or j) and a depth index p: when the source is
/// contiguous along the width (A transposed, B not transposed) each depth step is one row copy;
/// otherwise (A not transposed, B transposed) it is a transpose.
/// </remarks>
internal static unsafe class GemmPacking
{
    /// <summary>Packs rows <c>[ic, ic + mc)</c> and columns <c>[pc, pc + kc)</c> of op(A) into <paramref name="dst"/> (<c>roundup(mc, MR) · kc</c> floats).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackA<TKernel>(in GemmOperands op, nint ic, nint mc, nint pc, nint kc, float* dst)
        where TKernel : struct, IGemmMicroKernel
    {
        if (op.TransA)
        {
            // A stored [k, m]: op(A)[i, p] = a[p·lda + i], contiguous along i.
            PackContiguous(op.A + (pc * op.Lda) + ic, op.Lda, mc, kc, TKernel.MR, dst);
        }
        else
        {
            // A stored [m, k]: op(A)[i, p] = a[i·lda + p], contiguous along p.
            PackStrided(op.A + (ic * op.Lda) + pc, op.Lda, mc, kc, TKernel.MR, dst);
        }
    }

    /// <summary>Packs rows <c>[pc, pc + kc)</c> and columns <c>[jc, jc + nc)</c> of op(B) into <paramref name="dst"/> (<c>kc · roundup(nc, NR)</c> floats).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void PackB<TKernel>(in GemmOperands op, nint pc, nint kc, nint jc, nint nc, float* dst)
        where TKernel : struct, IGemmMicroKernel
    {
        if (op.TransB)
        {
            // B stored [n, k]: op(B)[p, j] = b[j·ldb + p], contiguous along p.
            PackStrided(op.B + (jc * op.Ldb) + pc, op.Ldb, nc, kc, TKernel.NR, dst);
        }
        else
        {
            // B stored [k, n]: op(B)[p, j] = b[p·ldb + j], contiguous along j.
            PackContiguous(op.B + (pc * op.Ldb) + jc, op.Ldb, nc, kc, TKernel.NR, dst);
        }
    }

    /// <summary>
    /// Packs a block whose source is contiguous along the panel width: panel q gets
    /// <c>dst[q·w·kc + p·w + x] = src[p·ld + q·w + x]</c>, zero past <paramref name="width"/>.
    /// Walks the source one whole row at a time, so it streams through memory even when
    /// <paramref name="ld"/> is large (walking down one panel at a time would touch a new page
    /// every row or two, which the hardware prefetchers do not follow).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PackContiguous(float* src, nint ld, nint width, nint kc, int w, float* dst)
    {
        nint fullPanels = width / w;
        nint rest = width - (fullPanels * w);
        nint panelSize = w * kc;
        for (nint p = 0; p < kc; p++)
        {
            float* s = src + (p * ld);
            float* d = dst + (p * w);
            for (nint q = 0; q < fullPanels; q++)
            {
                CopyRow(s + (q * w), d + (q * panelSize), w);
            }

            if (rest > 0)
            {
                CopyPartialRow(s + (fullPanels * w), d + (fullPanels * panelSize), rest, w);
            }
        }
    }

    /// <summary>Copies <paramref name="w"/> floats (a constant after inlining) with the widest vectors available.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyRow(float* src, float* dst, int w)
    {
        int x = 0;
        if (Vector512.IsHardwareAccelerated)
        {
            for (; x + 16 <= w; x += 16)
            {
                Vector512.Load(src + x).Store(dst + x);
            }
        }

        if (Vector256.IsHardwareAccelerated)
        {
            for (; x + 8 <= w; x += 8)
            {
                Vector256.Load(src + x).Store(dst + x);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; x + 4 <= w; x += 4)
            {
                Vector128.Load(src + x).Store(dst + x);
            }
        }

        for (; x < w; x++)
        {
            dst[x] = src[x];
        }
    }

    /// <summary>Copies <paramref name="count"/> &lt; <paramref name="w"/> floats and zeroes the rest of the <paramref name="w"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CopyPartialRow(float* src, float* dst, nint count, int w)
    {
        nint x = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            for (; x + 8 <= count; x += 8)
            {
                Vector256.Load(src + x).Store(dst + x);
            }
        }

        if (Vector128.IsHardwareAccelerated)
        {
            for (; x + 4 <= count; x += 4)
            {
                Vector128.Load(src + x).Store(dst + x);
            }
        }

        for (; x < count; x++)
        {
            dst[x] = src[x];
        }

        for (; x < w; x++)
        {
            dst[x] = 0f;
        }
    }

    /// <summary>
    /// Packs a block whose source is contiguous along the depth: panel q gets
    /// <c>dst[q·w·kc + p·w + x] = src[(q·w + x)·ld + p]</c>, zero past <paramref name="width"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PackStrided(float* src, nint ld, nint width, nint kc, int w, float* dst)
    {
        for (nint x0 = 0; x0 < width; x0 += w)
        {
            PackStridedPanel(src + (x0 * ld), ld, Math.Min(w, width - x0), kc, w, dst + (x0 * kc));
        }
    }

    /// <summary>
    /// <c>dst[p·w + x] = src[x·ld + p]</c> for x &lt; <paramref name="width"/>, 0 for the rest of the
    /// panel width <paramref name="w"/>; p &lt; <paramref name="kc"/>: a transpose. Done in 8 × 8 blocks
    /// (AVX) or 4 × 4 blocks (SSE) of registers, the leftovers one element at a time.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void PackStridedPanel(float* src, nint ld, nint width, nint kc, int w, float* dst)
    {
        nint x = 0;
        if (Avx.IsSupported)
        {
            for (; x + 8 <= width; x += 8)
            {
                float* s = src + (x * ld);
                float* d = dst + x;
                nint p = 0;
                for (; p + 8 <= kc; p += 8)
                {
                    Transpose8x8(s + p, ld, d + (p * w), w);
                }

                TransposeScalar(s, ld, 8, p, kc, w, d);
            }
        }

        if (Sse.IsSupported)
        {
            for (; x + 4 <= width; x += 4)
            {
                float* s = src + (x * ld);
                float* d = dst + x;
                nint p = 0;
                for (; p + 4 <= kc; p += 4)
                {
                    Transpose4x4(s + p, ld, d + (p * w), w);
                }

                TransposeScalar(s, ld, 4, p, kc, w, d);
            }
        }

        TransposeScalar(src + (x * ld), ld, width - x, 0, kc, w, dst + x);

        for (nint p = 0; p < kc; p++)
        {
            float* d = dst + (p * w);
            for (nint z = width; z < w; z++)
            {
                d[z] = 0f;
            }
        }
    }

    /// <summary><c>dst[p·w + x] = src[x·ld + p]</c> for x &lt; <paramref name="count"/>, p in [<paramref name="p0"/>, <paramref name="kc"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void TransposeScalar(float* src, nint ld, nint count, nint p0, nint kc, int w, float* dst)
    {
        for (nint x = 0; x < count; x++)
        {
            float* s = src + (x * ld);
            for (nint p = p0; p < kc; p++)
            {
                dst[(p * w) + x] = s[p];
            }
        }
    }

    /// <summary>Rows r of an 8 × 8 block at <paramref name="src"/> (stride <paramref name="ld"/>) become columns at <paramref name="dst"/> (stride <paramref name="w"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose8x8(float* src, nint ld, float* dst, nint w)
    {
        Vector256<float> r0 = Avx.LoadVector256(src);
        Vector256<float> r1 = Avx.LoadVector256(src + ld);
        Vector256<float> r2 = Avx.LoadVector256(src + (2 * ld));
        Vector256<float> r3 = Avx.LoadVector256(src + (3 * ld));
        Vector256<float> r4 = Avx.LoadVector256(src + (4 * ld));
        Vector256<float> r5 = Avx.LoadVector256(src + (5 * ld));
        Vector256<float> r6 = Avx.LoadVector256(src + (6 * ld));
        Vector256<float> r7 = Avx.LoadVector256(src + (7 * ld));

        // Per 128-bit lane: interleave pairs of rows, then pairs of pairs.
        Vector256<float> t0 = Avx.UnpackLow(r0, r1);
        Vector256<float> t1 = Avx.UnpackHigh(r0, r1);
        Vector256<float> t2 = Avx.UnpackLow(r2, r3);
        Vector256<float> t3 = Avx.UnpackHigh(r2, r3);
        Vector256<float> t4 = Avx.UnpackLow(r4, r5);
        Vector256<float> t5 = Avx.UnpackHigh(r4, r5);
        Vector256<float> t6 = Avx.UnpackLow(r6, r7);
        Vector256<float> t7 = Avx.UnpackHigh(r6, r7);
        Vector256<float> s0 = Avx.Shuffle(t0, t2, 0x44);
        Vector256<float> s1 = Avx.Shuffle(t0, t2, 0xEE);
        Vector256<float> s2 = Avx.Shuffle(t1, t3, 0x44);
        Vector256<float> s3 = Avx.Shuffle(t1, t3, 0xEE);
        Vector256<float> s4 = Avx.Shuffle(t4, t6, 0x44);
        Vector256<float> s5 = Avx.Shuffle(t4, t6, 0xEE);
        Vector256<float> s6 = Avx.Shuffle(t5, t7, 0x44);
        Vector256<float> s7 = Avx.Shuffle(t5, t7, 0xEE);

        // Then join the low lanes (columns 0-3) and the high lanes (columns 4-7) of rows 0-3 and 4-7.
        Avx.Store(dst, Avx.Permute2x128(s0, s4, 0x20));
        Avx.Store(dst + w, Avx.Permute2x128(s1, s5, 0x20));
        Avx.Store(dst + (2 * w), Avx.Permute2x128(s2, s6, 0x20));
        Avx.Store(dst + (3 * w), Avx.Permute2x128(s3, s7, 0x20));
        Avx.Store(dst + (4 * w), Avx.Permute2x128(s0, s4, 0x31));
        Avx.Store(dst + (5 * w), Avx.Permute2x128(s1, s5, 0x31));
        Avx.Store(dst + (6 * w), Avx.Permute2x128(s2, s6, 0x31));
        Avx.Store(dst + (7 * w), Avx.Permute2x128(s3, s7, 0x31));
    }

    /// <summary>Rows r of a 4 × 4 block at <paramref name="src"/> (stride <paramref name="ld"/>) become columns at <paramref name="dst"/> (stride <paramref name="w"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Transpose4x4(float* src, nint ld, float* dst, nint w)
    {
        Vector128<float> r0 = Sse.LoadVector128(src);
        Vector128<float> r1 = Sse.LoadVector128(src + ld);
        Vector128<float> r2 = Sse.LoadVector128(src + (2 * ld));
        Vector128<float> r3 = Sse.LoadVector128(src + (3 * ld));
        Vector128<float> t0 = Sse.UnpackLow(r0, r1);
        Vector128<float> t1 = Sse.UnpackLow(r2, r3);
        Vector128<float> t2 = Sse.UnpackHigh(r0, r1);
        Vector128<float> t3 = Sse.UnpackHigh(r2, r3);
        Sse.Store(dst, Sse.MoveLowToHigh(t0, t1));
        Sse.Store(dst + w, Sse.MoveHighToLow(t1, t0));
        Sse.Store(dst + (2 * w), Sse.MoveLowToHigh(t2, t3));
        Sse.Store(dst + (3 * w), Sse.MoveHighToLow(t3, t2));
    }
}
