using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Tensors;

/// <summary>
/// The AVX2 micro-kernel: a 6 × 16 tile of C in 12 Vector256 accumulators, fused multiply-add
/// where the machine has FMA (<see cref="Vector256.MultiplyAddEstimate(Vector256{float}, Vector256{float}, Vector256{float})"/>).
/// </summary>
internal readonly unsafe struct GemmKernel256 : IGemmMicroKernel
{
    /// <inheritdoc/>
    public static int MR => 6;

    /// <inheritdoc/>
    public static int NR => 16;

    // Register block 6 × 16: 12 accumulators, 2 registers for the row of B and 1 broadcast, 15 of
    // the 16 ymm registers AVX2 has (BLIS's Haswell sgemm kernel is 6 × 16 for the same reason).
    //
    // Cache blocks, for AVX2 machines with 32 KiB L1d and 256 KiB to 1 MiB L2:
    // KC = 256: the A micro-panel (6 × 256 × 4 B = 6 KiB) stays in L1.
    // NC = 256: the packed B block (256 × 256 × 4 B = 256 KiB) stays in L2 on Zen 2/3 (512 KiB) and
    //   Skylake-SP (1 MiB); on Haswell (256 KiB) it is the tight case.
    // MC = 1024: the packed A block (1 MiB) stays in L3.
    /// <inheritdoc/>
    public static int MC => 1024;

    /// <inheritdoc/>
    public static int KC => 256;

    /// <inheritdoc/>
    public static int NC => 256;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(nint kc, float* a, nint aStep, float* b, nint bStep, float* c, nint ldc, float alpha, float beta)
    {
        Vector256<float> c0_0 = Vector256<float>.Zero, c0_1 = Vector256<float>.Zero;
        Vector256<float> c1_0 = Vector256<float>.Zero, c1_1 = Vector256<float>.Zero;
        Vector256<float> c2_0 = Vector256<float>.Zero, c2_1 = Vector256<float>.Zero;
        Vector256<float> c3_0 = Vector256<float>.Zero, c3_1 = Vector256<float>.Zero;
        Vector256<float> c4_0 = Vector256<float>.Zero, c4_1 = Vector256<float>.Zero;
        Vector256<float> c5_0 = Vector256<float>.Zero, c5_1 = Vector256<float>.Zero;
        for (nint p = 0; p < kc; p++)
        {
            Vector256<float> b0 = Vector256.Load(b);
            Vector256<float> b1 = Vector256.Load(b + 8);
            Vector256<float> a0 = Vector256.Create(a[0]);
            c0_0 = Vector256.MultiplyAddEstimate(a0, b0, c0_0);
            c0_1 = Vector256.MultiplyAddEstimate(a0, b1, c0_1);
            Vector256<float> a1 = Vector256.Create(a[1]);
            c1_0 = Vector256.MultiplyAddEstimate(a1, b0, c1_0);
            c1_1 = Vector256.MultiplyAddEstimate(a1, b1, c1_1);
            Vector256<float> a2 = Vector256.Create(a[2]);
            c2_0 = Vector256.MultiplyAddEstimate(a2, b0, c2_0);
            c2_1 = Vector256.MultiplyAddEstimate(a2, b1, c2_1);
            Vector256<float> a3 = Vector256.Create(a[3]);
            c3_0 = Vector256.MultiplyAddEstimate(a3, b0, c3_0);
            c3_1 = Vector256.MultiplyAddEstimate(a3, b1, c3_1);
            Vector256<float> a4 = Vector256.Create(a[4]);
            c4_0 = Vector256.MultiplyAddEstimate(a4, b0, c4_0);
            c4_1 = Vector256.MultiplyAddEstimate(a4, b1, c4_1);
            Vector256<float> a5 = Vector256.Create(a[5]);
            c5_0 = Vector256.MultiplyAddEstimate(a5, b0, c5_0);
            c5_1 = Vector256.MultiplyAddEstimate(a5, b1, c5_1);
            a += aStep;
            b += bStep;
        }

        Vector256<float> va = Vector256.Create(alpha);
        if (beta == 0f)
        {
            (c0_0 * va).Store(c);
            (c0_1 * va).Store(c + 8);
            (c1_0 * va).Store(c + (1 * ldc));
            (c1_1 * va).Store(c + (1 * ldc) + 8);
            (c2_0 * va).Store(c + (2 * ldc));
            (c2_1 * va).Store(c + (2 * ldc) + 8);
            (c3_0 * va).Store(c + (3 * ldc));
            (c3_1 * va).Store(c + (3 * ldc) + 8);
            (c4_0 * va).Store(c + (4 * ldc));
            (c4_1 * va).Store(c + (4 * ldc) + 8);
            (c5_0 * va).Store(c + (5 * ldc));
            (c5_1 * va).Store(c + (5 * ldc) + 8);
        }
        else
        {
            Vector256<float> vb = Vector256.Create(beta);
            Update(c0_0, c, va, vb);
            Update(c0_1, c + 8, va, vb);
            Update(c1_0, c + (1 * ldc), va, vb);
            Update(c1_1, c + (1 * ldc) + 8, va, vb);
            Update(c2_0, c + (2 * ldc), va, vb);
            Update(c2_1, c + (2 * ldc) + 8, va, vb);
            Update(c3_0, c + (3 * ldc), va, vb);
            Update(c3_1, c + (3 * ldc) + 8, va, vb);
            Update(c4_0, c + (4 * ldc), va, vb);
            Update(c4_1, c + (4 * ldc) + 8, va, vb);
            Update(c5_0, c + (5 * ldc), va, vb);
            Update(c5_1, c + (5 * ldc) + 8, va, vb);
        }
    }

    /// <summary>c = alpha·acc + beta·c, the same two roundings and one addition as the edge-tile merge.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(Vector256<float> acc, float* c, Vector256<float> alpha, Vector256<float> beta) =>
        ((acc * alpha) + (Vector256.Load(c) * beta)).Store(c);
}
