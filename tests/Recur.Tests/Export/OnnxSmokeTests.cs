using Recur.Export;
using Recur.Layers;
using Recur.Models;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Export;

public class OnnxSmokeTests(ITestOutputHelper output)
{
    [Fact]
    public void LstmDense()
    {
        var model = new Sequential(seed: 1) { new LstmLayer(6, ForgetBias: 1f) { InputShape = [-1, 4] }, new DenseLayer(3) };
        var rng = new Rng(5);
        foreach (Parameter p in model.Parameters) { Span<float> s = p.Value.Span; for (int i = 0; i < s.Length; i++) s[i] = rng.NextFloat() - 0.5f; }
        var x = new Tensor(3, 5, 4);
        for (int i = 0; i < x.Length; i++) x.Span[i] = rng.NextFloat() * 2 - 1;
        Tensor expected = model.Predict(x);
        byte[] bytes = OnnxExporter.Export(model);
        using var session = new OnnxSession(bytes);
        Tensor actual = session.Run(new Dictionary<string, Tensor> { ["input"] = x })["output"];
        float max = 0;
        for (int i = 0; i < expected.Length; i++) max = Math.Max(max, Math.Abs(expected.Span[i] - actual.Span[i]));
        output.WriteLine($"max {max}");
        Assert.True(max < 1e-5f);
    }
}
