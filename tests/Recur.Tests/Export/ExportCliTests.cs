using Recur.Models;
using Recur.Tensors;
using Recur.Tests.Cli;
using Recur.Tests.Layers;
using Xunit.Abstractions;

namespace Recur.Tests.Export;

/// <summary><c>recur export --onnx</c>: a saved model into ONNX Runtime, and each bad input in one line.</summary>
public class ExportCliTests(ITestOutputHelper output)
{
    static ExportCliTests() => ScaleLayer.Register();

    [Fact]
    public void ExportsASavedModelThatOnnxRuntimeRunsAsRecurPredicts()
    {
        using var dir = new TempDirectory();
        string modelDir = Path.Combine(dir.Path, "model"), file = Path.Combine(dir.Path, "out", "model.onnx");
        Sequential model = OnnxCases.Get("tutorial").Build();
        ModelFile.Save(model, modelDir, new Dictionary<string, string> { ["sequence"] = "rows", ["dataset"] = "mnist" });

        var (code, stdout, stderr) = CliRun.Command(output, "export", "--model", modelDir, "--onnx", file, "--lengths");
        Assert.Equal(0, code);
        Assert.Equal("", stderr);
        Assert.StartsWith($"Wrote {file} (ONNX, opset 17, ", stdout);

        using var session = new OnnxSession(File.ReadAllBytes(file));
        Assert.Equal(["input", "lengths"], session.InputNames);
        Assert.Equal("rows", session.Metadata.CustomMetadataMap["sequence"]);
        (Tensor x, int[] lengths) = OnnxCases.Get("tutorial").Data(4, 28, new Rng(21));
        Tensor actual = session.Run(new Dictionary<string, Tensor> { ["input"] = x }, lengths)["output"];
        OnnxCompare.Close(output, "recur export of the tutorial's model, batch 4, lengths", model.Predict(x, 1000, lengths), actual);
    }

    [Fact]
    public void AFolderThatIsNotAModelIsOneLine()
    {
        using var dir = new TempDirectory();
        string file = Path.Combine(dir.Path, "model.onnx");
        var (code, _, stderr) = CliRun.Command(output, "export", "--model", dir.Path, "--onnx", file);
        Assert.Equal(1, code);
        OneLine(stderr, dir.Path);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public void AnUnsupportedLayerIsOneLineNamingIt()
    {
        using var dir = new TempDirectory();
        string modelDir = Path.Combine(dir.Path, "model"), file = Path.Combine(dir.Path, "model.onnx");
        var model = new Sequential(seed: 1) { new Recur.Layers.LstmLayer(4, ReturnSequences: true) { InputShape = [-1, 3] }, new ScaleLayer { Name = "my_scale" } };
        model.Save(modelDir);
        var (code, _, stderr) = CliRun.Command(output, "export", "--model", modelDir, "--onnx", file);
        Assert.Equal(1, code);
        OneLine(stderr, "'my_scale'");
        Assert.Contains("Recur.Tests.Layers.Scale", stderr);
        Assert.False(File.Exists(file));
    }

    [Fact]
    public void AnUnwritableOutputIsOneLineAndWritesNothing()
    {
        using var dir = new TempDirectory();
        string modelDir = Path.Combine(dir.Path, "model"), notADirectory = Path.Combine(dir.Path, "file.txt");
        OnnxCases.Get("gru").Build().Save(modelDir);
        File.WriteAllText(notADirectory, "a file, not a directory");
        string file = Path.Combine(notADirectory, "model.onnx");
        var (code, _, stderr) = CliRun.Command(output, "export", "--model", modelDir, "--onnx", file);
        Assert.Equal(1, code);
        OneLine(stderr, file);
        Assert.Equal("a file, not a directory", File.ReadAllText(notADirectory));

        (code, _, stderr) = CliRun.Command(output, "export", "--model", modelDir, "--onnx", dir.Path);
        Assert.Equal(2, code);
        OneLine(stderr, "is a directory");
    }

    [Theory]
    [InlineData("16")]
    [InlineData("22")]
    public void AnOpsetItCannotTargetIsBadUsage(string opset)
    {
        using var dir = new TempDirectory();
        var (code, _, stderr) = CliRun.Command(output, "export", "--model", dir.Path, "--onnx", Path.Combine(dir.Path, "m.onnx"), "--opset", opset);
        Assert.Equal(2, code);
        OneLine(stderr, $"--opset {opset} cannot be targeted");
    }

    [Fact]
    public void NoOutputIsBadUsage()
    {
        using var dir = new TempDirectory();
        var (code, _, stderr) = CliRun.Command(output, "export", "--model", dir.Path);
        Assert.Equal(2, code);
        OneLine(stderr, "--onnx FILE");
    }

    private static void OneLine(string stderr, string expected)
    {
        Assert.StartsWith("recur export: ", stderr);
        Assert.Contains(expected, stderr);
        Assert.Single(stderr.TrimEnd().Split('\n'));
    }
}
