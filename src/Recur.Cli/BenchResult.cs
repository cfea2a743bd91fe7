using System.Text.Json.Serialization;

namespace Recur.Cli;

/// <summary>
/// The measurement of one shape: the fields <c>recur bench --json</c>, bench/peers/pytorch_lstm.py and
/// bench/peers/OnnxRuntimePeer (which compiles this file too) print (snake_case in JSON). For a streaming shape a "batch" is one step of batch 1, so samples/s are steps/s.
/// </summary>
internal sealed record BenchResult(
    string Shape,
    string Mode,
    int Batch,
    int Steps,
    int Input,
    int Hidden,
    int Batches,
    int Threads,
    double SamplesPerS,
    double MsPerBatch,
    double Gflops,
    double PeakRssMib)
{
    /// <summary>Microseconds per step of a streaming shape (whose batches are steps of batch 1); absent for the others.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? UsPerStep { get; init; }

    /// <summary>The ONNX Runtime peer's largest difference from Recur's output on its check batch; absent for the others.</summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public double? MaxAbsDiff { get; init; }
}

/// <summary>The JSON document of a run: which engine, and one result per shape.</summary>
internal sealed record BenchDocument(string Engine, string Version, IReadOnlyList<BenchResult> Results);
