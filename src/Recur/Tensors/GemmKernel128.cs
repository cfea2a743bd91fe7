using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Tensors;

/// <summary>
/// The Vector128 (SSE, AdvSimd) micro-kernel: a 6 × 8 tile of C in 12 Vector128 accumulators,
/// fused multiply-add where the machine has it (<see cref="Vector128.MultiplyAddEstimate(Vector128{float}, Vector128{float}, Vector128{float})"/>).
/// </summary>
internal readonly unsafe struct GemmKernel128 : IGemmMicroKernel
{
    /// <inheritdoc/>
    public static int MR => 6;

    /// <inheritdoc/>
    public static int NR => 8;

    // Register block 6 × 8: 12 accumulators, 2 registers for the row of B and 1 broadcast, 15 of
    // the 16 xmm registers of SSE (AdvSimd has 32; this block leaves them free).
    // Cache blocks as the Vector256 path: the panels are narrower, the caches they target the same.
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
        Vector128<float> c0_0 = Vector128<float>.Zero, c0_1 = Vector128<float>.Zero;
        Vector128<float> c1_0 = Vector128<float>.Zero, c1_1 = Vector128<float>.Zero;
        Vector128<float> c2_0 = Vector128<float>.Zero, c2_1 = Vector128<float>.Zero;
        Vector128<float> c3_0 = Vector128<float>.Zero, c3_1 = Vector128<float>.Zero;
        Vector128<float> c4_0 = Vector128<float>.Zero, c4_1 = Vector128<float>.Zero;
        Vector128<float> c5_0 = Vector128<float>.Zero, c5_1 = Vector128<float>.Zero;
        for (nint p = 0; p < kc; p++)
        {
            Vector128<float> b0 = Vector128.Load(b);
            Vector128<float> b1 = Vector128.Load(b + 4);
            Vector128<float> a0 = Vector128.Create(a[0]);
            c0_0 = Vector128.MultiplyAddEstimate(a0, b0, c0_0);
            c0_1 = Vector128.MultiplyAddEstimate(a0, b1, c0_1);
            Vector128<float> a1 = Vector128.Create(a[1]);
            c1_0 = Vector128.MultiplyAddEstimate(a1, b0, c1_0);
            c1_1 = Vector128.MultiplyAddEstimate(a1, b1, c1_1);
            Vector128<float> a2 = Vector128.Create(a[2]);
            c2_0 = Vector128.MultiplyAddEstimate(a2, b0, c2_0);
            c2_1 = Vector128.MultiplyAddEstimate(a2, b1, c2_1);
            Vector128<float> a3 = Vector128.Create(a[3]);
            c3_0 = Vector128.MultiplyAddEstimate(a3, b0, c3_0);
            c3_1 = Vector128.MultiplyAddEstimate(a3, b1, c3_1);
            Vector128<float> a4 = Vector128.Create(a[4]);
            c4_0 = Vector128.MultiplyAddEstimate(a4, b0, c4_0);
            c4_1 = Vector128.MultiplyAddEstimate(a4, b1, c4_1);
            Vector128<float> a5 = Vector128.Create(a[5]);
            c5_0 = Vector128.MultiplyAddEstimate(a5, b0, c5_0);
            c5_1 = Vector128.MultiplyAddEstimate(a5, b1, c5_1);
            a += aStep;
            b += bStep;
        }

        Vector128<float> va = Vector128.Create(alpha);
        if (beta == 0f)
        {
            (c0_0 * va).Store(c);
            (c0_1 * va).Store(c + 4);
            (c1_0 * va).Store(c + (1 * ldc));
            (c1_1 * va).Store(c + (1 * ldc) + 4);
            (c2_0 * va).Store(c + (2 * ldc));
            (c2_1 * va).Store(c + (2 * ldc) + 4);
            (c3_0 * va).Store(c + (3 * ldc));
            (c3_1 * va).Store(c + (3 * ldc) + 4);
            (c4_0 * va).Store(c + (4 * ldc));
            (c4_1 * va).Store(c + (4 * ldc) + 4);
            (c5_0 * va).Store(c + (5 * ldc));
            (c5_1 * va).Store(c + (5 * ldc) + 4);
        }
        else
        {
            Vector128<float> vb = Vector128.Create(beta);
            Update(c0_0, c, va, vb);
            Update(c0_1, c + 4, va, vb);
            Update(c1_0, c + (1 * ldc), va, vb);
            Update(c1_1, c + (1 * ldc) + 4, va, vb);
            Update(c2_0, c + (2 * ldc), va, vb);
            Update(c2_1, c + (2 * ldc) + 4, va, vb);
            Update(c3_0, c + (3 * ldc), va, vb);
            Update(c3_1, c + (3 * ldc) + 4, va, vb);
            Update(c4_0, c + (4 * ldc), va, vb);
            Update(c4_1, c + (4 * ldc) + 4, va, vb);
            Update(c5_0, c + (5 * ldc), va, vb);
            Update(c5_1, c + (5 * ldc) + 4, va, vb);
        }
    }

    /// <summary>c = alpha·acc + beta·c, the same two roundings and one addition as the edge-tile merge.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(Vector128<float> acc, float* c, Vector128<float> alpha, Vector128<float> beta) =>
        ((acc * alpha) + (Vector128.Load(c) * beta)).Store(c);
}
