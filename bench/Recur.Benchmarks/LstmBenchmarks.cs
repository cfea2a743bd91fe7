using BenchmarkDotNet.Attributes;
using Recur.Layers;
using Recur.Tensors;

namespace Recur.Benchmarks;

/// <summary>
/// The LSTM layer on the tutorial's shape (B 128, T 28, I 28, H 128) and the wide one (B 256, H 512):
/// a whole forward pass, a training pass (forward and backward), and one step of the cell
/// (<see cref="Lstm.Step"/>, the streaming API).
/// </summary>
[MemoryDiagnoser]
public class LstmBenchmarks
{
    private Lstm _lstm = null!;
    private Tensor _x = null!;
    private Tensor _dy = null!;
    private Tensor _xStep = null!;
    private LstmState _state = null!;

    /// <summary>"rows": B 128, T 28, I 28, H 128. "wide": B 256, T 28, I 28, H 512.</summary>
    [Params("rows", "wide")]
    public string Shape { get; set; } = "rows";

    /// <summary>Threads (<see cref="Threading.MaxThreads"/>).</summary>
    [Params(1, 2)]
    public int Threads { get; set; }

    /// <summary>Builds the layer and random inputs.</summary>
    [GlobalSetup]
    public void Setup()
    {
        (int b, int h) = Shape == "wide" ? (256, 512) : (128, 128);
        const int T = 28, I = 28;
        var rng = new Rng(1);
        _lstm = new Lstm(I, h, rng: rng) { ComputeInputGradient = false };
        _x = new Tensor(GemmBenchmarks.Values(b * T * I, rng), b, T, I);
        _dy = new Tensor(GemmBenchmarks.Values(b * h, rng), b, h);
        _xStep = new Tensor(GemmBenchmarks.Values(b * I, rng), b, I);
        _state = _lstm.ZeroState(b);
        Threading.MaxThreads = Threads;
    }

    /// <summary>Forward over the whole sequence, inference.</summary>
    [Benchmark]
    public Tensor Forward() => _lstm.Forward(_x);

    /// <summary>Forward and backward over the whole sequence (the layer's part of a training step).</summary>
    [Benchmark]
    public Tensor ForwardBackward()
    {
        _lstm.Forward(_x, training: true);
        return _lstm.Backward(_dy);
    }

    /// <summary>One step of the cell on a batch (allocates its result: it is the streaming API).</summary>
    [Benchmark]
    public LstmState Step() => _lstm.Step(_xStep, _state);
}
