using Recur.Cli;
using Recur.IO;
using Recur.Tensors;
using Recur.Tests.Export;
using Xunit;
using Xunit.Abstractions;

namespace Recur.Tests.Cli;

/// <summary>
/// <c>recur bench --shape NAME --onnx FILE</c>: the model it writes, run by ONNX Runtime on the check batch it writes
/// next to it, gives the output Recur wrote there — what bench/peers/OnnxRuntimePeer checks before timing.
/// </summary>
public sealed class BenchOnnxTests(ITestOutputHelper log)
{
    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    private static double MaxAbsDiff(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        Assert.Equal(b.Length, a.Length);
        double max = 0;
        for (int i = 0; i < a.Length; i++)
        {
            max = Math.Max(max, Math.Abs((double)a[i] - b[i]));
        }

        return max;
    }

    [Fact]
    public void BidirectionalInferenceModelComputesRecursOutput()
    {
        using var dir = new TempDirectory();
        string path = dir.File("bi-rows-infer.onnx");
        var (code, _, error) = Run("bench", "--shape", "bi-rows-infer", "--onnx", path);
        Assert.True(code == 0, error);

        SafeTensorFile check = SafeTensors.Load(BenchOnnx.CheckPath(path));
        Assert.Equal("1000", check.Metadata["batch"]);
        Assert.True(check.Tensors["x"].HasShape(BenchOnnx.CheckBatch, 28, 28));
        using var session = new OnnxSession(File.ReadAllBytes(path));
        Tensor y = session.Run(new Dictionary<string, Tensor> { [check.Metadata["input_name"]] = check.Tensors["x"] })[check.Metadata["output_name"]];
        double diff = MaxAbsDiff(y.Span, check.Tensors["y"].Span);
        log.WriteLine($"bi-rows-infer: ONNX Runtime against Recur on {BenchOnnx.CheckBatch} sequences, largest difference {diff:G3}");
        Assert.True(y.HasShape(BenchOnnx.CheckBatch, 10));
        Assert.True(diff < 1e-5, $"largest difference {diff}");
    }

    [Fact]
    public void StreamModelFedItsStatesStepsLikeRecursStep()
    {
        using var dir = new TempDirectory();
        string path = dir.File("rows-stream.onnx");
        var (code, _, error) = Run("bench", "--shape", "rows-stream", "--onnx", path);
        Assert.True(code == 0, error);

        SafeTensorFile check = SafeTensors.Load(BenchOnnx.CheckPath(path));
        string[] stateInputs = check.Metadata["state_inputs"].Split(',');
        string[] stateOutputs = check.Metadata["state_outputs"].Split(',');
        Assert.Equal(["lstm.h0", "lstm.c0"], stateInputs);
        Tensor x = check.Tensors["x"], expected = check.Tensors["y"];
        int steps = x.Dim(1), input = x.Dim(2);
        using var session = new OnnxSession(File.ReadAllBytes(path));
        var states = stateInputs.ToDictionary(name => name, _ => new Tensor(1, 1, 128));
        double diff = 0;
        for (int t = 0; t < steps; t++)
        {
            var inputs = new Dictionary<string, Tensor>(states) { ["input"] = new Tensor(x.Span.Slice(t * input, input).ToArray(), 1, 1, input) };
            Dictionary<string, Tensor> outputs = session.Run(inputs);
            diff = Math.Max(diff, MaxAbsDiff(outputs["output"].Span, expected.Span.Slice(t * 10, 10)));
            for (int s = 0; s < stateInputs.Length; s++)
            {
                states[stateInputs[s]] = outputs[stateOutputs[s]];
            }
        }

        log.WriteLine($"rows-stream: ONNX Runtime a step at a time, states fed back, against Recur's Step over {steps} steps, largest difference {diff:G3}");
        Assert.True(diff < 1e-5, $"largest difference {diff}");
        // The states carry: the last output differs from the first step's from zeros.
        Assert.True(MaxAbsDiff(expected.Span[..10], expected.Span.Slice((steps - 1) * 10, 10)) > 1e-3);
    }

    [Theory]
    [InlineData(new[] { "bench", "--shape", "rows", "--onnx", "m.onnx" }, "--shape rows trains")]
    [InlineData(new[] { "bench", "--shape", "rows-ragged-infer", "--onnx", "m.onnx" }, "ragged")]
    [InlineData(new[] { "bench", "--onnx", "m.onnx" }, "exactly one inference shape")]
    [InlineData(new[] { "bench", "--shape", "rows-infer,gru-rows-infer", "--onnx", "m.onnx" }, "exactly one inference shape")]
    public void OnnxNeedsOneInferenceShape(string[] args, string expected)
    {
        var (code, _, error) = Run(args);
        Assert.Equal(ExitCodes.Usage, code);
        Assert.Contains(expected, error);
        Assert.Single(error.Trim().Split('\n'));
    }
}
