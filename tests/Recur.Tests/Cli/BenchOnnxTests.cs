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
        Assert.True(y.HasShape(BenchOnnx.CheckBatch, 10));
        OnnxCompare.Close(log, $"bi-rows-infer on {BenchOnnx.CheckBatch} sequences", check.Tensors["y"], y);
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
        var actual = new Tensor(steps, 10);
        for (int t = 0; t < steps; t++)
        {
            var inputs = new Dictionary<string, Tensor>(states) { ["input"] = new Tensor(x.Span.Slice(t * input, input).ToArray(), 1, 1, input) };
            Dictionary<string, Tensor> outputs = session.Run(inputs);
            outputs["output"].Span.CopyTo(actual.Span.Slice(t * 10, 10));
            for (int s = 0; s < stateInputs.Length; s++)
            {
                states[stateInputs[s]] = outputs[stateOutputs[s]];
            }
        }

        OnnxCompare.Close(log, $"rows-stream, {steps} steps one at a time with the states fed back, against Recur's Step", expected, actual);
        // The states carry: the first step's output (from zeros) differs from the later ones.
        Assert.NotEqual(expected.Span[..10].ToArray(), expected.Span.Slice((steps - 1) * 10, 10).ToArray());
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
