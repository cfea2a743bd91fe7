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
        int reps = (int)Math.Clamp(1e10 / flops, 1, 1_000_000); // about 0.1 s at 100 GFLOP/s
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
            best = Math.Max(best, threads * iterations * (double)Chains * 2 * Lanes / seconds / 1e9);
        }

        return best;
    }

    /// <summary>
    /// Independent FMA chains in <see cref="FmaLoop"/>: 12 keeps every FMA unit busy through its latency (two units of
    /// latency 4 need 8) and, with the two operands, fits the 16 vector registers of AVX2 — 16 chains did not, and on
    /// a machine without AVX-512 spilled to memory and measured half the peak.
    /// </summary>
    public const int Chains = 12;

    /// <summary>Floats per vector in <see cref="FmaLoop"/>.</summary>
    public static int Lanes =>
        Vector512.IsHardwareAccelerated ? Vector512<float>.Count
        : Vector256.IsHardwareAccelerated ? Vector256<float>.Count
        : Vector128<float>.Count;

    private static float FmaLoop(long iterations) =>
        Vector512.IsHardwareAccelerated ? FmaLoop<Fma512, Vector512<float>>(iterations)
        : Vector256.IsHardwareAccelerated ? FmaLoop<Fma256, Vector256<float>>(iterations)
        : FmaLoop<Fma128, Vector128<float>>(iterations);

    /// <summary><see cref="Chains"/> independent chains of c = c·m + d, enough to keep every FMA unit busy through its latency.</summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static float FmaLoop<TF, TV>(long iterations)
        where TF : struct, IFma<TV>
        where TV : struct
    {
        TV m = TF.Create(0.999f), d = TF.Create(1e-3f);
        TV c0 = m, c1 = m, c2 = m, c3 = m, c4 = m, c5 = m, c6 = m, c7 = m;
        TV c8 = m, c9 = m, c10 = m, c11 = m;
        for (long i = 0; i < iterations; i++)
        {
            c0 = TF.Fma(c0, m, d); c1 = TF.Fma(c1, m, d); c2 = TF.Fma(c2, m, d); c3 = TF.Fma(c3, m, d);
            c4 = TF.Fma(c4, m, d); c5 = TF.Fma(c5, m, d); c6 = TF.Fma(c6, m, d); c7 = TF.Fma(c7, m, d);
            c8 = TF.Fma(c8, m, d); c9 = TF.Fma(c9, m, d); c10 = TF.Fma(c10, m, d); c11 = TF.Fma(c11, m, d);
        }

        // The result is used, so the loop is not removed.
        return TF.First(c0) + TF.First(c1) + TF.First(c2) + TF.First(c3) + TF.First(c4) + TF.First(c5) + TF.First(c6)
            + TF.First(c7) + TF.First(c8) + TF.First(c9) + TF.First(c10) + TF.First(c11);
    }

    /// <summary>The three operations of <see cref="FmaLoop{TF, TV}"/> on one vector width.</summary>
    private interface IFma<TV>
    {
        static abstract TV Create(float value);

        static abstract TV Fma(TV a, TV b, TV c);

        static abstract float First(TV v);
    }

    private readonly struct Fma512 : IFma<Vector512<float>>
    {
        public static Vector512<float> Create(float value) => Vector512.Create(value);

        public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

        public static float First(Vector512<float> v) => v.ToScalar();
    }

    private readonly struct Fma256 : IFma<Vector256<float>>
    {
        public static Vector256<float> Create(float value) => Vector256.Create(value);

        public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);

        public static float First(Vector256<float> v) => v.ToScalar();
    }

    private readonly struct Fma128 : IFma<Vector128<float>>
    {
        public static Vector128<float> Create(float value) => Vector128.Create(value);

        public static Vector128<float> Fma(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.FusedMultiplyAdd(a, b, c);

        public static float First(Vector128<float> v) => v.ToScalar();
    }
}
