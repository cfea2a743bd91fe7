using System.Diagnostics;
using Microsoft.ML.OnnxRuntime;
using Recur.Cli;

namespace Recur.Bench.OnnxRuntimePeer;

/// <summary>
/// Times ONNX Runtime on a model <c>recur bench --onnx</c> exported: checks its output against Recur's on the check
/// batch, then runs warm-up and timed batches (for a stream, steps of batch 1 with the state fed back) through
/// inputs and outputs bound once (<see cref="OrtIoBinding"/> over pinned arrays), so the harness allocates nothing
/// per run and ONNX Runtime writes straight into the buffers the next run reads.
/// </summary>
internal sealed class OrtTimer : IDisposable
{
    /// <summary>Distinct synthetic batches (or sequences, for a stream), used in turn, as in recur bench.</summary>
    private const int DataBatches = 4;

    /// <summary>The steps a stream times per <c>--batches</c>, as <c>BenchShape.StreamStepsPerBatch</c> in recur bench.</summary>
    private const int StreamStepsPerBatch = 1000;

    /// <summary>The largest difference from Recur's output the peer accepts before timing.</summary>
    private const double Tolerance = 1e-3;

    private readonly CheckData _check;
    private readonly InferenceSession _session;
    private readonly RunOptions _run = new();
    private readonly List<IDisposable> _owned = [];

    /// <summary>
    /// Opens <paramref name="model"/> with <paramref name="threads"/> intra-op threads, one inter-op thread,
    /// sequential execution and every graph optimisation (<see cref="GraphOptimizationLevel.ORT_ENABLE_ALL"/>).
    /// </summary>
    public OrtTimer(string model, CheckData check, int threads)
    {
        _check = check;
        using var options = new SessionOptions
        {
            IntraOpNumThreads = threads,
            InterOpNumThreads = 1,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
        };
        _session = new InferenceSession(model, options);
        Threads = threads;
    }

    /// <summary>The intra-op threads the session runs on.</summary>
    public int Threads { get; }

    /// <summary>Checks the model against Recur's output, then times <paramref name="batches"/> after <paramref name="warmup"/>.</summary>
    /// <exception cref="PeerException">ONNX Runtime's output differs from Recur's by more than <see cref="Tolerance"/>.</exception>
    public BenchResult Run(int batches, int warmup, ulong seed)
    {
        return _check.Streaming ? Stream(batches, warmup, seed) : Batches(batches, warmup, seed);
    }

    /// <summary>Batch inference: <c>x [B, T, I]</c> → <c>y [B, C]</c> per run; checked first on the check batch <c>[N, T, I]</c>.</summary>
    private BenchResult Batches(int batches, int warmup, ulong seed)
    {
        int b = _check.Batch, t = _check.Steps, i = _check.Input, classes = _check.Y.Dim(1);
        float[] y = new float[b * classes];
        OrtValue yValue = Own(OrtValue.CreateTensorValueFromMemory(y, [b, classes]));

        OrtIoBinding Bind(float[] x, int rows, OrtValue output)
        {
            OrtIoBinding binding = Own(_session.CreateIoBinding());
            binding.BindInput(_check.InputName, Own(OrtValue.CreateTensorValueFromMemory(x, [rows, t, i])));
            binding.BindOutput(_check.OutputName, output);
            return binding;
        }

        int n = _check.X.Dim(0);
        float[] checkY = new float[n * classes];
        _session.RunWithBinding(_run, Bind(_check.X.Data, n, Own(OrtValue.CreateTensorValueFromMemory(checkY, [n, classes]))));
        double diff = MaxAbsDiff(checkY, _check.Y.Data);

        var rng = new Rng(seed);
        var bindings = new OrtIoBinding[DataBatches];
        for (int d = 0; d < DataBatches; d++)
        {
            bindings[d] = Bind(Uniform(rng, b * t * i), b, yValue);
        }

        for (int k = 0; k < warmup; k++)
        {
            _session.RunWithBinding(_run, bindings[k % DataBatches]);
        }

        long start = Stopwatch.GetTimestamp();
        for (int k = 0; k < batches; k++)
        {
            _session.RunWithBinding(_run, bindings[k % DataBatches]);
        }

        return Result(batches, Stopwatch.GetElapsedTime(start).TotalSeconds, diff);
    }

    /// <summary>
    /// Streaming: one step <c>x [1, 1, I]</c> per run, the state outputs bound to the buffers the next run's state
    /// inputs read. Two bindings alternate (states A → B, then B → A); the step's input is copied into one pinned
    /// buffer before each run.
    /// </summary>
    private BenchResult Stream(int batches, int warmup, ulong seed)
    {
        int t = _check.Steps, i = _check.Input, classes = _check.Y.Dim(1);
        if (_check.StateInputs.Count == 0 || _check.StateInputs.Count != _check.StateOutputs.Count)
        {
            throw new PeerException($"{_check.Shape}: the check file names {_check.StateInputs.Count} state inputs and {_check.StateOutputs.Count} state outputs; a stream needs them in pairs.");
        }

        float[] x = new float[i];
        float[] y = new float[classes];
        OrtValue xValue = Own(OrtValue.CreateTensorValueFromMemory(x, [1, 1, i]));
        OrtValue yValue = Own(OrtValue.CreateTensorValueFromMemory(y, [1, classes]));
        int states = _check.StateInputs.Count;
        var buffers = new float[2][][];
        var values = new OrtValue[2][];
        for (int side = 0; side < 2; side++)
        {
            buffers[side] = new float[states][];
            values[side] = new OrtValue[states];
            for (int s = 0; s < states; s++)
            {
                long[] shape = StateShape(_check.StateInputs[s]);
                buffers[side][s] = new float[shape.Aggregate(1L, (p, n) => p * n)];
                values[side][s] = Own(OrtValue.CreateTensorValueFromMemory(buffers[side][s], shape));
            }
        }

        var bindings = new OrtIoBinding[2];
        for (int side = 0; side < 2; side++)
        {
            bindings[side] = Own(_session.CreateIoBinding());
            bindings[side].BindInput(_check.InputName, xValue);
            bindings[side].BindOutput(_check.OutputName, yValue);
            for (int s = 0; s < states; s++)
            {
                bindings[side].BindInput(_check.StateInputs[s], values[side][s]);
                bindings[side].BindOutput(_check.StateOutputs[s], values[1 - side][s]);
            }
        }

        void ZeroStates()
        {
            foreach (float[][] side in buffers)
            {
                foreach (float[] buffer in side)
                {
                    Array.Clear(buffer);
                }
            }
        }

        // The check: the sequence x [1, T, I] one step at a time from zeros, each step's output against Recur's.
        double diff = 0;
        for (int step = 0; step < t; step++)
        {
            _check.X.Data.AsSpan(step * i, i).CopyTo(x);
            _session.RunWithBinding(_run, bindings[step % 2]);
            diff = Math.Max(diff, MaxAbsDiff(y, _check.Y.Data.AsSpan(step * classes, classes)));
        }

        float[] data = Uniform(new Rng(seed), DataBatches * t * i);
        int cycle = DataBatches * t;
        ZeroStates();
        long n = 0;
        void Run(long count)
        {
            for (long k = 0; k < count; k++, n++)
            {
                data.AsSpan((int)(n % cycle) * i, i).CopyTo(x);
                _session.RunWithBinding(_run, bindings[n % 2]);
            }
        }

        Run((long)warmup * StreamStepsPerBatch);
        long start = Stopwatch.GetTimestamp();
        int timed = batches * StreamStepsPerBatch;
        Run(timed);
        return Result(timed, Stopwatch.GetElapsedTime(start).TotalSeconds, diff);
    }

    /// <summary>The shape of the state input <paramref name="name"/> (<c>[D, batch, H]</c>) with the dynamic batch axis set to 1.</summary>
    private long[] StateShape(string name)
    {
        if (!_session.InputMetadata.TryGetValue(name, out NodeMetadata? metadata))
        {
            throw new PeerException($"{_check.Shape}: the model has no input '{name}'; its inputs are {string.Join(", ", _session.InputNames)}.");
        }

        return [.. metadata.Dimensions.Select(d => d < 0 ? 1L : d)];
    }

    private BenchResult Result(int batches, double seconds, double diff)
    {
        if (!(diff <= Tolerance))
        {
            throw new PeerException($"{_check.Shape}: ONNX Runtime's output differs from Recur's by {diff:G3} (more than {Tolerance:G1}); the exported model does not compute what Recur does.");
        }

        return new BenchResult(
            _check.Shape, _check.Mode, _check.Batch, _check.Steps, _check.Input, _check.Hidden, batches, Threads,
            SamplesPerS: _check.Batch * batches / seconds,
            MsPerBatch: 1000.0 * seconds / batches,
            Gflops: _check.FlopsPerBatch * batches / seconds / 1e9,
            PeakRssMib: PeakRss.Mib())
        {
            UsPerStep = _check.Streaming ? 1e6 * seconds / batches : null,
            MaxAbsDiff = diff,
        };
    }

    private static float[] Uniform(Rng rng, int count)
    {
        float[] values = new float[count];
        for (int k = 0; k < count; k++)
        {
            values[k] = (2f * rng.NextFloat()) - 1f;
        }

        return values;
    }

    private static double MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double max = 0;
        for (int k = 0; k < a.Length; k++)
        {
            max = Math.Max(max, Math.Abs((double)a[k] - b[k]));
        }

        return max;
    }

    private T Own<T>(T value)
        where T : IDisposable
    {
        _owned.Add(value);
        return value;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        for (int k = _owned.Count - 1; k >= 0; k--)
        {
            _owned[k].Dispose();
        }

        _run.Dispose();
        _session.Dispose();
    }
}
