using BenchmarkDotNet.Attributes;
using Recur.Tensors;

namespace Recur.Benchmarks;

/// <summary>
/// <see cref="Gemm.Multiply(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>
/// on squares and on the products an LSTM makes, on one thread and on all cores. GFLOP/s = 2·m·n·k / time.
/// </summary>
[MemoryDiagnoser]
public class GemmBenchmarks
{
    private float[] _a = [];
    private float[] _b = [];
    private float[] _c = [];
    private int _m;
    private int _n;
    private int _k;
    private bool _transA;
    private bool _transB;

    /// <summary>
    /// The product: a square N (C = A·B, N × N × N) or one the LSTM makes on the tutorial's shape (B 128,
    /// T 28, I 28, H 128): a step <c>[x, h, 1]·[W_ih, W_hh, b]ᵀ</c>, the backward <c>dz·W_hh</c>, and the
    /// weight gradient <c>dzᵀ·[x, h, 1]</c> over all T·B rows.
    /// </summary>
    [Params("square64", "square128", "square256", "square512", "square1024",
        "lstm-step (B×4H×(I+H+1))", "lstm-dz·W_hh (B×H×4H)", "lstm-dW (4H×(I+H+1)×T·B)")]
    public string Case { get; set; } = "square64";

    /// <summary>Threads (<see cref="Threading.MaxThreads"/>).</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Allocates the operands.</summary>
    [GlobalSetup]
    public void Setup()
    {
        (_transA, _transB, _m, _n, _k) = Case switch
        {
            "lstm-step (B×4H×(I+H+1))" => (false, true, 128, 512, 157),
            "lstm-dz·W_hh (B×H×4H)" => (false, false, 128, 128, 512),
            "lstm-dW (4H×(I+H+1)×T·B)" => (true, false, 512, 157, 28 * 128),
            _ => (false, false, int.Parse(Case["square".Length..]), int.Parse(Case["square".Length..]), int.Parse(Case["square".Length..])),
        };
        var rng = new Rng(1);
        _a = Values(_m * _k, rng);
        _b = Values(_k * _n, rng);
        _c = new float[_m * _n];
        Threading.MaxThreads = Threads;
    }

    /// <summary>C = op(A)·op(B).</summary>
    [Benchmark]
    public void Multiply() =>
        Gemm.Multiply(_transA, _transB, _m, _n, _k, 1f, _a, _transA ? _m : _k, _b, _transB ? _k : _n, 0f, _c, _n);

    internal static float[] Values(int length, Rng rng)
    {
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = (2f * rng.NextFloat()) - 1f;
        }

        return values;
    }
}
