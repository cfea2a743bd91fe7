using Recur.Export;
using Recur.Layers;
using Recur.Models;
using Recur.Tests.Layers;
using Xunit.Abstractions;

namespace Recur.Tests.Export;

/// <summary>What <see cref="OnnxExporter"/> refuses, each in one line naming the problem, and <see cref="OnnxExporter.Save"/>'s atomic write.</summary>
public class OnnxExporterTests(ITestOutputHelper output)
{
    static OnnxExporterTests() => ScaleLayer.Register();

    [Fact]
    public void ALayerOfTheUsersOwnIsNamedWithItsType()
    {
        var model = new Sequential(seed: 1) { new LstmLayer(4, ReturnSequences: true) { InputShape = [-1, 3] }, new ScaleLayer { Name = "my_scale" }, new DenseLayer(2) };
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(model));
        output.WriteLine(e.Message);
        Assert.Contains("'my_scale'", e.Message);
        Assert.Contains("Recur.Tests.Layers.Scale", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void BidirectionalDirectionsOfTwoKindsAreRefused()
    {
        var model = new Sequential(seed: 1) { new Bidirectional(new Lstm(3, 4, name: "forward_lstm"), new Gru(3, 4, name: "backward_gru"), name: "mixed"), new Dense(8, 2) };
        model.Build(5, 3);
        var e = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(model));
        output.WriteLine(e.Message);
        Assert.Contains("'mixed'", e.Message);
        Assert.Contains("Lstm", e.Message);
        Assert.Contains("Gru", e.Message);
    }

    [Theory]
    [InlineData(16)]
    [InlineData(22)]
    [InlineData(0)]
    public void AnOpsetItCannotTargetIsRefused(int opset)
    {
        Sequential model = OnnxCases.Get("gru").Build();
        var e = Assert.Throws<ArgumentException>(() => OnnxExporter.Export(model, new OnnxExportOptions { Opset = opset }));
        output.WriteLine(e.Message);
        Assert.Contains($"opset {opset} cannot be targeted", e.Message);
        Assert.Contains("17 to 21", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void AModelNotBuiltIsRefused()
    {
        var model = new Sequential(seed: 1) { new LstmLayer(4), new DenseLayer(2) };
        var e = Assert.Throws<InvalidOperationException>(() => OnnxExporter.Export(model));
        output.WriteLine(e.Message);
        Assert.Contains("not built", e.Message);
        Assert.Throws<InvalidOperationException>(() => OnnxExporter.Export(new Sequential()));
    }

    [Fact]
    public void SaveWritesTheExportAtomically()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "model.onnx");
        Sequential model = OnnxCases.Get("lstm_fb1").Build();
        OnnxExporter.Save(model, path);
        Assert.Equal(OnnxExporter.Export(model), File.ReadAllBytes(path));

        // A model that cannot be exported leaves the file as it was, and no temporary file.
        var bad = new Sequential(seed: 1) { new LstmLayer(4, ReturnSequences: true) { InputShape = [-1, 3] }, new ScaleLayer() };
        byte[] before = File.ReadAllBytes(path);
        Assert.Throws<NotSupportedException>(() => OnnxExporter.Save(bad, path));
        Assert.Equal(before, File.ReadAllBytes(path));
        Assert.Equal(["model.onnx"], Directory.GetFiles(dir.Path).Select(Path.GetFileName));

        // A directory that cannot be made (its parent is a file) is an IOException, and nothing is written.
        string blocked = Path.Combine(path, "inside.onnx");
        var e = Assert.ThrowsAny<IOException>(() => OnnxExporter.Save(model, blocked));
        output.WriteLine(e.Message);
        Assert.False(File.Exists(blocked));
        Assert.Equal(before, File.ReadAllBytes(path));
    }
}
