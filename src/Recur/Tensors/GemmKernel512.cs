using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Tensors;

/// <summary>AVX-512 micro-kernel: 12 × 32 tile, 24 Vector512 accumulators.</summary>
internal readonly unsafe struct GemmKernel512 : IGemmMicroKernel
{
    /// <inheritdoc/>
    public static int MR => 12;

    /// <inheritdoc/>
    public static int NR => 32;

    // TODO
    /// <inheritdoc/>
    public static int MC => 1536;

    /// <inheritdoc/>
    public static int KC => 384;

    /// <inheritdoc/>
    public static int NC => 512;

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Run(nint kc, float* a, nint aStep, float* b, nint bStep, float* c, nint ldc, float alpha, float beta)
    {
        Vector512<float> c0_0 = Vector512<float>.Zero, c0_1 = Vector512<float>.Zero;
        Vector512<float> c1_0 = Vector512<float>.Zero, c1_1 = Vector512<float>.Zero;
        Vector512<float> c2_0 = Vector512<float>.Zero, c2_1 = Vector512<float>.Zero;
        Vector512<float> c3_0 = Vector512<float>.Zero, c3_1 = Vector512<float>.Zero;
        Vector512<float> c4_0 = Vector512<float>.Zero, c4_1 = Vector512<float>.Zero;
        Vector512<float> c5_0 = Vector512<float>.Zero, c5_1 = Vector512<float>.Zero;
        Vector512<float> c6_0 = Vector512<float>.Zero, c6_1 = Vector512<float>.Zero;
        Vector512<float> c7_0 = Vector512<float>.Zero, c7_1 = Vector512<float>.Zero;
        Vector512<float> c8_0 = Vector512<float>.Zero, c8_1 = Vector512<float>.Zero;
        Vector512<float> c9_0 = Vector512<float>.Zero, c9_1 = Vector512<float>.Zero;
        Vector512<float> c10_0 = Vector512<float>.Zero, c10_1 = Vector512<float>.Zero;
        Vector512<float> c11_0 = Vector512<float>.Zero, c11_1 = Vector512<float>.Zero;
        for (nint p = 0; p < kc; p++)
        {
            Vector512<float> b0 = Vector512.Load(b);
            Vector512<float> b1 = Vector512.Load(b + 16);
            Vector512<float> a0 = Vector512.Create(a[0]);
            c0_0 = Vector512.FusedMultiplyAdd(a0, b0, c0_0);
            c0_1 = Vector512.FusedMultiplyAdd(a0, b1, c0_1);
            Vector512<float> a1 = Vector512.Create(a[1]);
            c1_0 = Vector512.FusedMultiplyAdd(a1, b0, c1_0);
            c1_1 = Vector512.FusedMultiplyAdd(a1, b1, c1_1);
            Vector512<float> a2 = Vector512.Create(a[2]);
            c2_0 = Vector512.FusedMultiplyAdd(a2, b0, c2_0);
            c2_1 = Vector512.FusedMultiplyAdd(a2, b1, c2_1);
            Vector512<float> a3 = Vector512.Create(a[3]);
            c3_0 = Vector512.FusedMultiplyAdd(a3, b0, c3_0);
            c3_1 = Vector512.FusedMultiplyAdd(a3, b1, c3_1);
            Vector512<float> a4 = Vector512.Create(a[4]);
            c4_0 = Vector512.FusedMultiplyAdd(a4, b0, c4_0);
            c4_1 = Vector512.FusedMultiplyAdd(a4, b1, c4_1);
            Vector512<float> a5 = Vector512.Create(a[5]);
            c5_0 = Vector512.FusedMultiplyAdd(a5, b0, c5_0);
            c5_1 = Vector512.FusedMultiplyAdd(a5, b1, c5_1);
            Vector512<float> a6 = Vector512.Create(a[6]);
            c6_0 = Vector512.FusedMultiplyAdd(a6, b0, c6_0);
            c6_1 = Vector512.FusedMultiplyAdd(a6, b1, c6_1);
            Vector512<float> a7 = Vector512.Create(a[7]);
            c7_0 = Vector512.FusedMultiplyAdd(a7, b0, c7_0);
            c7_1 = Vector512.FusedMultiplyAdd(a7, b1, c7_1);
            Vector512<float> a8 = Vector512.Create(a[8]);
            c8_0 = Vector512.FusedMultiplyAdd(a8, b0, c8_0);
            c8_1 = Vector512.FusedMultiplyAdd(a8, b1, c8_1);
            Vector512<float> a9 = Vector512.Create(a[9]);
            c9_0 = Vector512.FusedMultiplyAdd(a9, b0, c9_0);
            c9_1 = Vector512.FusedMultiplyAdd(a9, b1, c9_1);
            Vector512<float> a10 = Vector512.Create(a[10]);
            c10_0 = Vector512.FusedMultiplyAdd(a10, b0, c10_0);
            c10_1 = Vector512.FusedMultiplyAdd(a10, b1, c10_1);
            Vector512<float> a11 = Vector512.Create(a[11]);
            c11_0 = Vector512.FusedMultiplyAdd(a11, b0, c11_0);
            c11_1 = Vector512.FusedMultiplyAdd(a11, b1, c11_1);
            a += aStep;
            b += bStep;
        }

        Vector512<float> va = Vector512.Create(alpha);
        if (beta == 0f)
        {
            (c0_0 * va).Store(c);
            (c0_1 * va).Store(c + 16);
            (c1_0 * va).Store(c + (1 * ldc));
            (c1_1 * va).Store(c + (1 * ldc) + 16);
            (c2_0 * va).Store(c + (2 * ldc));
            (c2_1 * va).Store(c + (2 * ldc) + 16);
            (c3_0 * va).Store(c + (3 * ldc));
            (c3_1 * va).Store(c + (3 * ldc) + 16);
            (c4_0 * va).Store(c + (4 * ldc));
            (c4_1 * va).Store(c + (4 * ldc) + 16);
            (c5_0 * va).Store(c + (5 * ldc));
            (c5_1 * va).Store(c + (5 * ldc) + 16);
            (c6_0 * va).Store(c + (6 * ldc));
            (c6_1 * va).Store(c + (6 * ldc) + 16);
            (c7_0 * va).Store(c + (7 * ldc));
            (c7_1 * va).Store(c + (7 * ldc) + 16);
            (c8_0 * va).Store(c + (8 * ldc));
            (c8_1 * va).Store(c + (8 * ldc) + 16);
            (c9_0 * va).Store(c + (9 * ldc));
            (c9_1 * va).Store(c + (9 * ldc) + 16);
            (c10_0 * va).Store(c + (10 * ldc));
            (c10_1 * va).Store(c + (10 * ldc) + 16);
            (c11_0 * va).Store(c + (11 * ldc));
            (c11_1 * va).Store(c + (11 * ldc) + 16);
        }
        else
        {
            Vector512<float> vb = Vector512.Create(beta);
            Update(c0_0, c, va, vb);
            Update(c0_1, c + 16, va, vb);
            Update(c1_0, c + (1 * ldc), va, vb);
            Update(c1_1, c + (1 * ldc) + 16, va, vb);
            Update(c2_0, c + (2 * ldc), va, vb);
            Update(c2_1, c + (2 * ldc) + 16, va, vb);
            Update(c3_0, c + (3 * ldc), va, vb);
            Update(c3_1, c + (3 * ldc) + 16, va, vb);
            Update(c4_0, c + (4 * ldc), va, vb);
            Update(c4_1, c + (4 * ldc) + 16, va, vb);
            Update(c5_0, c + (5 * ldc), va, vb);
            Update(c5_1, c + (5 * ldc) + 16, va, vb);
            Update(c6_0, c + (6 * ldc), va, vb);
            Update(c6_1, c + (6 * ldc) + 16, va, vb);
            Update(c7_0, c + (7 * ldc), va, vb);
            Update(c7_1, c + (7 * ldc) + 16, va, vb);
            Update(c8_0, c + (8 * ldc), va, vb);
            Update(c8_1, c + (8 * ldc) + 16, va, vb);
            Update(c9_0, c + (9 * ldc), va, vb);
            Update(c9_1, c + (9 * ldc) + 16, va, vb);
            Update(c10_0, c + (10 * ldc), va, vb);
            Update(c10_1, c + (10 * ldc) + 16, va, vb);
            Update(c11_0, c + (11 * ldc), va, vb);
            Update(c11_1, c + (11 * ldc) + 16, va, vb);
        }
    }

    /// <summary>c = alpha·acc + beta·c, the same two roundings and one addition as the edge-tile merge.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(Vector512<float> acc, float* c, Vector512<float> alpha, Vector512<float> beta) =>
        ((acc * alpha) + (Vector512.Load(c) * beta)).Store(c);
}
