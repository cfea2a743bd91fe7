using System.Runtime.CompilerServices;

namespace Recur.Tensors;

/// <summary>
/// The scalar micro-kernel: a 4 × 4 tile of C in 16 float accumulators, plain multiply then add.
/// Used only where no vector width is accelerated.
/// </summary>
internal readonly unsafe struct GemmKernelScalar : IGemmMicroKernel
{
    /// <inheritdoc/>
    public static int MR => 4;

    /// <inheritdoc/>
    public static int NR => 4;

    // Register block 4 × 4: 16 accumulators; with x64's 16 xmm registers a few spill, which only
    // matters where no SIMD is accelerated at all. Cache blocks as the Vector256 path.
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
        float c0_0 = 0f, c0_1 = 0f, c0_2 = 0f, c0_3 = 0f;
        float c1_0 = 0f, c1_1 = 0f, c1_2 = 0f, c1_3 = 0f;
        float c2_0 = 0f, c2_1 = 0f, c2_2 = 0f, c2_3 = 0f;
        float c3_0 = 0f, c3_1 = 0f, c3_2 = 0f, c3_3 = 0f;
        for (nint p = 0; p < kc; p++)
        {
            float b0 = b[0]; float b1 = b[1]; float b2 = b[2]; float b3 = b[3];
            float a0 = a[0];
            c0_0 += a0 * b0; c0_1 += a0 * b1; c0_2 += a0 * b2; c0_3 += a0 * b3;
            float a1 = a[1];
            c1_0 += a1 * b0; c1_1 += a1 * b1; c1_2 += a1 * b2; c1_3 += a1 * b3;
            float a2 = a[2];
            c2_0 += a2 * b0; c2_1 += a2 * b1; c2_2 += a2 * b2; c2_3 += a2 * b3;
            float a3 = a[3];
            c3_0 += a3 * b0; c3_1 += a3 * b1; c3_2 += a3 * b2; c3_3 += a3 * b3;
            a += aStep;
            b += bStep;
        }

        if (beta == 0f)
        {
            float* r0 = c; r0[0] = c0_0 * alpha; r0[1] = c0_1 * alpha; r0[2] = c0_2 * alpha; r0[3] = c0_3 * alpha;
            float* r1 = c + (1 * ldc); r1[0] = c1_0 * alpha; r1[1] = c1_1 * alpha; r1[2] = c1_2 * alpha; r1[3] = c1_3 * alpha;
            float* r2 = c + (2 * ldc); r2[0] = c2_0 * alpha; r2[1] = c2_1 * alpha; r2[2] = c2_2 * alpha; r2[3] = c2_3 * alpha;
            float* r3 = c + (3 * ldc); r3[0] = c3_0 * alpha; r3[1] = c3_1 * alpha; r3[2] = c3_2 * alpha; r3[3] = c3_3 * alpha;
        }
        else
        {
            float* r0 = c;
            r0[0] = (c0_0 * alpha) + (r0[0] * beta);
            r0[1] = (c0_1 * alpha) + (r0[1] * beta);
            r0[2] = (c0_2 * alpha) + (r0[2] * beta);
            r0[3] = (c0_3 * alpha) + (r0[3] * beta);
            float* r1 = c + (1 * ldc);
            r1[0] = (c1_0 * alpha) + (r1[0] * beta);
            r1[1] = (c1_1 * alpha) + (r1[1] * beta);
            r1[2] = (c1_2 * alpha) + (r1[2] * beta);
            r1[3] = (c1_3 * alpha) + (r1[3] * beta);
            float* r2 = c + (2 * ldc);
            r2[0] = (c2_0 * alpha) + (r2[0] * beta);
            r2[1] = (c2_1 * alpha) + (r2[1] * beta);
            r2[2] = (c2_2 * alpha) + (r2[2] * beta);
            r2[3] = (c2_3 * alpha) + (r2[3] * beta);
            float* r3 = c + (3 * ldc);
            r3[0] = (c3_0 * alpha) + (r3[0] * beta);
            r3[1] = (c3_1 * alpha) + (r3[1] * beta);
            r3[2] = (c3_2 * alpha) + (r3[2] * beta);
            r3[3] = (c3_3 * alpha) + (r3[3] * beta);
        }
    }
}
