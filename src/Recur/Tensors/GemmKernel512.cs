using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Tensors;

/// <summary>
/// The AVX-512 micro-kernel: an 8 × 32 tile of C in 16 Vector512 accumulators, one
/// <see cref="Vector512.FusedMultiplyAdd(Vector512{float}, Vector512{float}, Vector512{float})"/> per accumulator per depth step.
/// </summary>
internal readonly unsafe struct GemmKernel512 : IGemmMicroKernel
{
    /// <inheritdoc/>
    public static int MR => 8;

    /// <inheritdoc/>
    public static int NR => 32;

    // Register block 8 × 32: 16 accumulators (8 rows × 2 vectors), 2 registers for the row of B
    // and 1 for the broadcast element of A, 19 of the 32 zmm registers. Each depth step does 2 vector
    // loads and 8 broadcasts for 16 FMAs. Zen 4 retires one 512-bit FMA per cycle with a 4-cycle
    // latency, so 16 independent accumulators hide the latency four times over. Alone, with its
    // panels in L1, this kernel runs at about 115 GFLOP/s on the reference machine, the same as a
    // 12 × 32 block (24 accumulators), and 8 divides the batch sizes an RNN uses (16, 64, 128), where
    // 12 wastes up to a third of the last micro-row.
    //
    // Cache blocks, for Zen 4 (32 KiB L1d and 1 MiB L2 per core, 32 MiB L3 shared):
    // KC = 384: the A micro-panel (8 × 384 × 4 B = 12 KiB) stays in L1 while the B micro-panels
    //   stream past it, and each element of C is loaded and stored once per 384 multiply-adds.
    // NC = 512: the packed B block (384 × 512 × 4 B = 768 KiB) stays in L2.
    // MC = 1024: the packed A block (1024 × 384 × 4 B = 1.5 MiB) stays in L3, and B is packed
    //   again only once per 1024 rows of C.
    // KC and NC from 256 to 512 and MC from 768 to 3072 measured the same within the noise (±5%)
    // on 256³ to 1024³; these are the middle of that range.
    /// <inheritdoc/>
    public static int MC => 1024;

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
        }
    }

    /// <summary>c = alpha·acc + beta·c, the same two roundings and one addition as the edge-tile merge.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Update(Vector512<float> acc, float* c, Vector512<float> alpha, Vector512<float> beta) =>
        ((acc * alpha) + (Vector512.Load(c) * beta)).Store(c);
}
