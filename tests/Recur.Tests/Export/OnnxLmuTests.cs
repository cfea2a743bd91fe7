using Recur.Export;
using Recur.Layers;
using Recur.Models;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Export;

/// <summary>
/// The LMU in ONNX: the memory-only parallel form (two MatMuls with the impulse response) run by ONNX Runtime against
/// <c>Predict</c>, and the forms ONNX is not given refused in one line.
/// </summary>
public class OnnxLmuTests(ITestOutputHelper output)
{
    [Theory]
    [InlineData(1)]
    [InlineData(3)]
    [InlineData(17)]
    public void TheMemoryOnlyLmuRunsAsRecurPredicts(int batch)
    {
        var model = new Sequential(5);
        model.Add(new LmuLayer(16, 12f) { InputShape = [12, 2] });
        model.Add(new DenseLayer(6, Activation.Relu));
        model.Add(new DenseLayer(3, Activation.Softmax));
        using var session = new OnnxSession(OnnxExporter.Export(model));
        Tensor x = GradCheck.Values(batch, 1f, batch, 12, 2);
        Tensor expected = model.Predict(x, 1000);
        Tensor actual = session.Run(new Dictionary<string, Tensor> { ["input"] = x })["output"];
        OnnxCompare.Close(output, $"batch {batch}", expected, actual, null);
    }

    [Fact]
    public void AnLmuWithAHiddenCellIsRefusedInOneLine()
    {
        var model = new Sequential(5);
        model.Add(new LmuLayer(4, 12f, Units: 3) { InputShape = [12, 2] });
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(model));
        output.WriteLine(e.Message);
        Assert.Contains("only a memory-only LMU returning its last step", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void AnLmuBuiltForAnyLengthIsRefusedInOneLine()
    {
        var model = new Sequential(5);
        model.Add(new LmuLayer(4, 12f) { InputShape = [-1, 2] });
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(model));
        output.WriteLine(e.Message);
        Assert.Contains("fixed sequence length", e.Message);
    }
}
