using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Recur.Tensors;

namespace Recur.Cli;

/// <summary>
/// <c>recur bench --gemm</c>: the GFLOP/s of <see cref="Gemm.Multiply(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>
/// on squares and on the products an LSTM makes, on one thread and on all, against the machine's peak.
/// </summary>
internal static class BenchGemm
{
    /// <summary>One product to time: C[m, n] = op(A)·op(B) over depth k.</summary>
    internal sealed record Case(string Name, bool TransA, bool TransB, int M, int N, int K);

    /// <summary>One row of the table.</summary>
    internal sealed record Row(string Name, int M, int N, int K, double Gflops1, double GflopsN);

    /// <summary>
    /// Squares 64…1024 (A·B) and the products the LSTM makes per batch (B batch, T steps, I inputs, H units):
    /// a step's gates <c>[x, h, 1]·[W_ih, W_hh, bias]ᵀ</c> for the whole batch and for one of two threads'
    /// shards, the backward <c>dz·W_hh</c>, and the weight gradient <c>dzᵀ·[x, h, 1]</c> over all T·B rows.
    /// </summary>
    public static IReadOnlyList<Case> Cases { get; } =
    [
        new("square 64", false, false, 64, 64, 64),
        new("square 128", false, false, 128, 128, 128),
        new("square 256", false, false, 256, 256, 256),
        new("square 512", false, false, 512, 512, 512),
        new("square 1024", false, false, 1024, 1024, 1024),
        new("rows step xh·Wᵀ (B × 4H × I+H+1)", false, true, 128, 512, 157),
        new("rows shard xh·Wᵀ (B/2 × 4H × I+H+1)", false, true, 64, 512, 157),
        new("rows dz·W_hh (B × H × 4H)", false, false, 128, 128, 512),
        new("rows dW (4H × I+H+1 × T·B)", true, false, 512, 157, 28 * 128),
        new("wide step xh·Wᵀ (B × 4H × I+H+1)", false, true, 256, 2048, 541),
        new("wide dW (4H × I+H+1 × T·B)", true, false, 2048, 541, 28 * 256),
    ];

    /// <summary>Times every case on 1 thread and on <paramref name="threads"/>.</summary>
    public static IReadOnlyList<Row> Measure(int threads)
    {
        var rows = new List<Row>();
        int saved = Threading.MaxThreads;
        try
        {
            foreach (Case c in Cases)
            {
                Threading.MaxThreads = 1;
                double one = Time(c);
                Threading.MaxThreads = threads;
                double all = threads == 1 ? one : Time(c);
                rows.Add(new Row(c.Name, c.M, c.N, c.K, one, all));
            }
        }
        finally
        {
            Threading.MaxThreads = saved;
        }

        return rows;
    }

    /// <summary>Best GFLOP/s of three runs of at least 0.1 s each.</summary>
    private static double Time(Case c)
    {
        var rng = new Rng(7);
        float[] a = Random(c.M * c.K, rng), b = Random(c.K * c.N, rng), result = new float[c.M * c.N];
        int lda = c.TransA ? c.M : c.K, ldb = c.TransB ? c.K : c.N;
        void Call() => Gemm.Multiply(c.TransA, c.TransB, c.M, c.N, c.K, 1f, a, lda, b, ldb, 0f, result, c.N);

        Call();
        double flops = 2.0 * c.M * c.N * c.K;
        int reps = (int)Math.Clamp(2e8 / flops, 1, 100_000);
        double best = 0;
        for (int run = 0; run < 3; run++)
        {
            long start = Stopwatch.GetTimestamp();
            for (int r = 0; r < reps; r++)
            {
                Call();
            }

            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            best = Math.Max(best, flops * reps / seconds / 1e9);
        }

        return best;
    }

    private static float[] Random(int length, Rng rng)
    {
        var values = new float[length];
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (2f * rng.NextFloat()) - 1f;
        }

        return values;
    }

    /// <summary>
    /// The machine's single-precision peak in GFLOP/s on <paramref name="threads"/> threads at once:
    /// each thread runs 16 independent chains of fused multiply-adds on the widest vectors the machine
    /// accelerates, from registers, with no memory traffic — the most any matrix product can reach.
    /// </summary>
    public static double FmaPeakGflops(int threads)
    {
        long iterations = 20_000_000;
        FmaLoop(1000);
        double best = 0;
        for (int run = 0; run < 3; run++)
        {
            using var ready = new Barrier(threads + 1);
            var workers = new Thread[threads];
            for (int t = 0; t < threads; t++)
            {
                workers[t] = new Thread(() =>
                {
                    ready.SignalAndWait();
                    FmaLoop(iterations);
                });
                workers[t].Start();
            }

            ready.SignalAndWait();
            long start = Stopwatch.GetTimestamp();
            foreach (Thread worker in workers)
            {
                worker.Join();
            }

            double seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
            best = Math.Max(best, threads * iterations * 16.0 * 2 * Lanes / seconds / 1e9);
        }

        return best;
    }

    /// <summary>Floats per vector in <see cref="FmaLoop"/>.</summary>
    public static int Lanes =>
        Vector512.IsHardwareAccelerated ? Vector512<float>.Count
        : Vector256.IsHardwareAccelerated ? Vector256<float>.Count
        : Vector128<float>.Count;

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float FmaLoop(long iterations) =>
        Vector512.IsHardwareAccelerated ? FmaLoop512(iterations)
        : Vector256.IsHardwareAccelerated ? FmaLoop256(iterations)
        : FmaLoop128(iterations);

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float FmaLoop512(long iterations)
    {
        Vector512<float> m = Vector512.Create(0.999f), d = Vector512.Create(1e-3f);
        Vector512<float> c0 = m, c1 = m, c2 = m, c3 = m, c4 = m, c5 = m, c6 = m, c7 = m;
        Vector512<float> c8 = m, c9 = m, c10 = m, c11 = m, c12 = m, c13 = m, c14 = m, c15 = m;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector512.FusedMultiplyAdd(c0, m, d); c1 = Vector512.FusedMultiplyAdd(c1, m, d);
            c2 = Vector512.FusedMultiplyAdd(c2, m, d); c3 = Vector512.FusedMultiplyAdd(c3, m, d);
            c4 = Vector512.FusedMultiplyAdd(c4, m, d); c5 = Vector512.FusedMultiplyAdd(c5, m, d);
            c6 = Vector512.FusedMultiplyAdd(c6, m, d); c7 = Vector512.FusedMultiplyAdd(c7, m, d);
            c8 = Vector512.FusedMultiplyAdd(c8, m, d); c9 = Vector512.FusedMultiplyAdd(c9, m, d);
            c10 = Vector512.FusedMultiplyAdd(c10, m, d); c11 = Vector512.FusedMultiplyAdd(c11, m, d);
            c12 = Vector512.FusedMultiplyAdd(c12, m, d); c13 = Vector512.FusedMultiplyAdd(c13, m, d);
            c14 = Vector512.FusedMultiplyAdd(c14, m, d); c15 = Vector512.FusedMultiplyAdd(c15, m, d);
        }

        Vector512<float> sum = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11 + c12 + c13 + c14 + c15;
        return Vector512.Sum(sum);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float FmaLoop256(long iterations)
    {
        Vector256<float> m = Vector256.Create(0.999f), d = Vector256.Create(1e-3f);
        Vector256<float> c0 = m, c1 = m, c2 = m, c3 = m, c4 = m, c5 = m, c6 = m, c7 = m;
        Vector256<float> c8 = m, c9 = m, c10 = m, c11 = m, c12 = m, c13 = m, c14 = m, c15 = m;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector256.FusedMultiplyAdd(c0, m, d); c1 = Vector256.FusedMultiplyAdd(c1, m, d);
            c2 = Vector256.FusedMultiplyAdd(c2, m, d); c3 = Vector256.FusedMultiplyAdd(c3, m, d);
            c4 = Vector256.FusedMultiplyAdd(c4, m, d); c5 = Vector256.FusedMultiplyAdd(c5, m, d);
            c6 = Vector256.FusedMultiplyAdd(c6, m, d); c7 = Vector256.FusedMultiplyAdd(c7, m, d);
            c8 = Vector256.FusedMultiplyAdd(c8, m, d); c9 = Vector256.FusedMultiplyAdd(c9, m, d);
            c10 = Vector256.FusedMultiplyAdd(c10, m, d); c11 = Vector256.FusedMultiplyAdd(c11, m, d);
            c12 = Vector256.FusedMultiplyAdd(c12, m, d); c13 = Vector256.FusedMultiplyAdd(c13, m, d);
            c14 = Vector256.FusedMultiplyAdd(c14, m, d); c15 = Vector256.FusedMultiplyAdd(c15, m, d);
        }

        Vector256<float> sum = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11 + c12 + c13 + c14 + c15;
        return Vector256.Sum(sum);
    }

    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float FmaLoop128(long iterations)
    {
        Vector128<float> m = Vector128.Create(0.999f), d = Vector128.Create(1e-3f);
        Vector128<float> c0 = m, c1 = m, c2 = m, c3 = m, c4 = m, c5 = m, c6 = m, c7 = m;
        Vector128<float> c8 = m, c9 = m, c10 = m, c11 = m, c12 = m, c13 = m, c14 = m, c15 = m;
        for (long i = 0; i < iterations; i++)
        {
            c0 = Vector128.FusedMultiplyAdd(c0, m, d); c1 = Vector128.FusedMultiplyAdd(c1, m, d);
            c2 = Vector128.FusedMultiplyAdd(c2, m, d); c3 = Vector128.FusedMultiplyAdd(c3, m, d);
            c4 = Vector128.FusedMultiplyAdd(c4, m, d); c5 = Vector128.FusedMultiplyAdd(c5, m, d);
            c6 = Vector128.FusedMultiplyAdd(c6, m, d); c7 = Vector128.FusedMultiplyAdd(c7, m, d);
            c8 = Vector128.FusedMultiplyAdd(c8, m, d); c9 = Vector128.FusedMultiplyAdd(c9, m, d);
            c10 = Vector128.FusedMultiplyAdd(c10, m, d); c11 = Vector128.FusedMultiplyAdd(c11, m, d);
            c12 = Vector128.FusedMultiplyAdd(c12, m, d); c13 = Vector128.FusedMultiplyAdd(c13, m, d);
            c14 = Vector128.FusedMultiplyAdd(c14, m, d); c15 = Vector128.FusedMultiplyAdd(c15, m, d);
        }

        Vector128<float> sum = c0 + c1 + c2 + c3 + c4 + c5 + c6 + c7 + c8 + c9 + c10 + c11 + c12 + c13 + c14 + c15;
        return Vector128.Sum(sum);
    }
}
