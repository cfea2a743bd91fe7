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
/// The AVX2 path reads four 16-column micro-panels at once (eight accumulators, enough to hide the multiply-add's
/// latency); other paths, and more than <see cref="MaxRows"/> rows, go to the general product, which is then the
/// cheaper one (its MR-row tiles read each panel once for all rows).
/// </remarks>
internal static unsafe class GemmFewRows
{
    /// <summary>The most rows that go row by row; more share each read of B in the general product's tiles.</summary>
    public const int MaxRows = 2;

    private const int NR = 16; // GemmKernel256.NR

    /// <summary>
    /// <c>c [m, n] = a [m, k] · B + beta·c</c>, B the packed <c>[k, n]</c>; rows of a at stride <paramref name="lda"/>,
    /// of c at <paramref name="ldc"/>. beta == 0 does not read c.
    /// </summary>
    /// <exception cref="ArgumentException">A size does not fit a span.</exception>
    public static void Multiply(int m, ReadOnlySpan<float> a, int lda, PackedMatrix b, float beta, Span<float> c, int ldc)
    {
        if (b.Path != GemmPath.Vector256 || m > MaxRows)
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

        nint kcMax = Gemm.DepthBlocks<GemmKernel256>(k).KcMax;
        fixed (float* pa = a, pc = c)
        {
            for (int i = 0; i < m; i++)
            {
                for (nint p0 = 0; p0 < k; p0 += kcMax)
                {
                    nint kc = Math.Min(kcMax, k - p0);

                    // The first depth block applies beta; later ones accumulate onto it, as in the general product.
                    Row(kc, pa + (i * (nint)lda) + p0, b.Data + (p0 * b.PaddedColumns), n, pc + (i * (nint)ldc), p0 == 0 ? beta : 1f);
                }
            }
        }
    }

    /// <summary>One row: <c>c [n] = a [kc] · block + beta·c</c>, block being one depth block of packed panels (kc × 16 each).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Row(nint kc, float* a, float* block, nint n, float* c, float beta)
    {
        nint panels = (n + NR - 1) / NR, stride = NR * kc, s = 0;
        for (; s + 4 <= panels; s += 4)
        {
            float* b0 = block + (s * stride), b1 = b0 + stride, b2 = b1 + stride, b3 = b2 + stride;
            Vector256<float> c0 = Vector256<float>.Zero, c1 = Vector256<float>.Zero, c2 = Vector256<float>.Zero, c3 = Vector256<float>.Zero;
            Vector256<float> c4 = Vector256<float>.Zero, c5 = Vector256<float>.Zero, c6 = Vector256<float>.Zero, c7 = Vector256<float>.Zero;
            for (nint p = 0; p < kc; p++)
            {
                Vector256<float> ap = Vector256.Create(a[p]);
                nint o = p * NR;
                c0 = Vector256.MultiplyAddEstimate(ap, Vector256.Load(b0 + o), c0);
                c1 = Vector256.MultiplyAddEstimate(ap, Vector256.Load(b0 + o + 8), c1);
                c2 = Vector256.MultiplyAddEstimate(ap, Vector256.Load(b1 + o), c2);
                c3 = Vector256.MultiplyAddEstimate(ap, Vector256.Load(b1 + o + 8), c3);
                c4 = Vector256.MultiplyAddEstimate(ap, Vector256.Load(b2 + o), c4);
                c5 = Vector256.MultiplyAddEstimate(ap, Vector256.Load(b2 + o + 8), c5);
                c6 = Vector256.MultiplyAddEstimate(ap, Vector256.Load(b3 + o), c6);
                c7 = Vector256.MultiplyAddEstimate(ap, Vector256.Load(b3 + o + 8), c7);
            }

            nint j = s * NR;
            Merge(c0, c1, c + j, n - j, beta);
            Merge(c2, c3, c + j + NR, n - j - NR, beta);
            Merge(c4, c5, c + j + (2 * NR), n - j - (2 * NR), beta);
            Merge(c6, c7, c + j + (3 * NR), n - j - (3 * NR), beta);
        }

        for (; s < panels; s++)
        {
            float* b0 = block + (s * stride);
            Vector256<float> c0 = Vector256<float>.Zero, c1 = Vector256<float>.Zero;
            for (nint p = 0; p < kc; p++)
            {
                Vector256<float> ap = Vector256.Create(a[p]);
                c0 = Vector256.MultiplyAddEstimate(ap, Vector256.Load(b0 + (p * NR)), c0);
                c1 = Vector256.MultiplyAddEstimate(ap, Vector256.Load(b0 + (p * NR) + 8), c1);
            }

            Merge(c0, c1, c + (s * NR), n - (s * NR), beta);
        }
    }

    /// <summary>
    /// Merges a panel's 16 sums into <paramref name="c"/>, of which <paramref name="cols"/> (any number; at most 16
    /// used) are C's: <c>c = acc</c>, or <c>acc + c·beta</c> — the kernel's <c>acc·1 + c·beta</c>, the same bits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Merge(Vector256<float> lo, Vector256<float> hi, float* c, nint cols, float beta)
    {
        if (cols >= NR)
        {
            if (beta == 0f)
            {
                lo.Store(c);
                hi.Store(c + 8);
            }
            else
            {
                Vector256<float> vb = Vector256.Create(beta);
                (lo + (Vector256.Load(c) * vb)).Store(c);
                (hi + (Vector256.Load(c + 8) * vb)).Store(c + 8);
            }

            return;
        }

        float* t = stackalloc float[NR];
        lo.Store(t);
        hi.Store(t + 8);
        for (nint j = 0; j < cols; j++)
        {
            c[j] = beta == 0f ? t[j] : t[j] + (c[j] * beta);
        }
    }
}
