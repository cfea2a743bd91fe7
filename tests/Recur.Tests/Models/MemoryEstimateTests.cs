using System.Text.Json.Nodes;
using Recur.Cli;
using Recur.Layers;
using Recur.Models;
using Xunit.Abstractions;

namespace Recur.Tests.Models;

/// <summary><see cref="MemoryEstimate"/> against known models, and the refusals built on it: config.json fields out of range, models and runs too big.</summary>
public sealed class MemoryEstimateTests(ITestOutputHelper log) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void ParameterCountsOfKnownModels()
    {
        // The tutorial: LSTM(128) on 28 × 28 rows, Dense(10) — 80,384 + 1,290 (Keras's model.summary()).
        Assert.Equal(81_674, MemoryEstimate.Parameters([new LstmLayer(128), new DenseLayer(10)], [28, 28]));
        // Keras: Bidirectional(LSTM(64)) on 28 features is 2 × (4·64·92 + 4·64) = 47,616; GRU(32) with PyTorch's two biases 3·32·(10 + 32) + 6·32.
        Assert.Equal(47_616, MemoryEstimate.Parameters([new BidirectionalLayer(new LstmLayer(64))], [28, 28]));
        Assert.Equal(4_224, MemoryEstimate.Parameters([new GruLayer(32)], [5, 10]));
        Assert.Equal(32_000 + 4 * 16 * (32 + 16) + 4 * 16, MemoryEstimate.Parameters([new EmbeddingLayer(1000, 32), new LstmLayer(16)], [-1]));

        // The estimate agrees with the built model's own count.
        var model = new Sequential();
        model.Add(new LstmLayer(128) { InputShape = [28, 28] });
        model.Add(new DenseLayer(10));
        Assert.Equal(81_674, model.Layers.SelectMany(l => l.Parameters).Sum(p => (long)p.Value.Length));
    }

    [Fact]
    public void TrainingBytesFollowTheDocumentedFormula()
    {
        LayerConfig[] tutorial = [new LstmLayer(128), new DenseLayer(10)];
        // A: the LSTM keeps 28 · (6·128 + 3·28 + 2·128) = 31,024 floats per example, the Dense 128 + 10.
        Assert.Equal(31_162, MemoryEstimate.ActivationsPerExample(tutorial, [28, 28]));
        // 4 · (P · (2 + 2 Adam slots) + 128 · A) + data.
        double expected = 4.0 * ((81_674 * 4) + (128 * 31_162)) + 1000;
        double bytes = MemoryEstimate.TrainingBytes(tutorial, [28, 28], 128, 2, 1000);
        log.WriteLine($"tutorial: {bytes:N0} bytes ({MemoryEstimate.Format(bytes)}), expected {expected:N0}");
        Assert.Equal(expected, bytes);
        Assert.Equal(4 * 128 * 128, MemoryEstimate.LargestTensor(tutorial, [28, 28]));
    }

    [Fact]
    public void ARunThatDoesNotFitIsRefusedNamingTheOptionsToLower()
    {
        var settings = new TrainSettings { Hidden = 128, BatchSize = 128 };
        Assert.Null(RunMemory.Problem(settings, 28, 28, 10, null, false, RunMemory.MnistBytes, available: 1L << 30));
        // The tutorial run needs 237,061,728 bytes, 226.1 MiB (the images 219,800,000 of them): 200 MiB is too little.
        string? problem = RunMemory.Problem(settings, 28, 28, 10, null, false, RunMemory.MnistBytes, available: 200L << 20);
        log.WriteLine(problem);
        Assert.Equal(
            "the model (81,674 parameters) trained on batches of 128 sequences of 28 steps needs about 226.1 MiB, more than the 200.0 MiB this process may use; lower --batch-size, --hidden or --layers.",
            problem);
    }

    /// <summary>Saves a small LSTM model, sets <paramref name="path"/> of its config.json to <paramref name="value"/>, and returns the directory.</summary>
    private string Edited(Action<JsonObject> edit)
    {
        var model = new Sequential();
        model.Add(new LstmLayer(8) { InputShape = [28, 28], Dropout = 0.1f });
        model.Add(new DropoutLayer(0.2f));
        model.Add(new DenseLayer(10));
        string dir = _dir.File("model");
        ModelFile.Save(model, dir);
        string config = Path.Combine(dir, ModelFile.ConfigFileName);
        JsonObject json = JsonNode.Parse(File.ReadAllText(config))!.AsObject();
        edit(json);
        File.WriteAllText(config, json.ToJsonString());
        return dir;
    }

    [Theory]
    [InlineData(0, "units", "1e9", "layers[0].config.units = 1e9 is out of range; it must be a whole number from 1 to 1,048,576.")]
    [InlineData(0, "units", "-128", "layers[0].config.units = -128 is out of range; it must be a whole number from 1 to 1,048,576.")]
    [InlineData(0, "units", "0", "layers[0].config.units = 0 is out of range; it must be a whole number from 1 to 1,048,576.")]
    [InlineData(0, "dropout", "1.5", "layers[0].config.dropout = 1.5 is out of range; it must be a number at least 0 and below 1.")]
    [InlineData(1, "rate", "-0.5", "layers[1].config.rate = -0.5 is out of range; it must be a number at least 0 and below 1.")]
    [InlineData(2, "units", "12.5", "layers[2].config.units = 12.5 is out of range; it must be a whole number from 1 to 1,048,576.")]
    public void AConfigFieldOutOfRangeIsOneLineNamingFileFieldValueAndRange(int layer, string field, string value, string expected)
    {
        string dir = Edited(json => json["layers"]![layer]!["config"]![field] = JsonNode.Parse(value));
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(dir));
        log.WriteLine(e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.StartsWith($"{Path.Combine(dir, ModelFile.ConfigFileName)}: {expected}", e.Message);

        // The CLI: exit code 1 and the same line.
        var (code, output, error) = Cli.CliRun.Command(log, "evaluate", "--model", dir);
        Assert.Equal(1, code);
        Assert.Equal("", output);
        Assert.Equal($"recur evaluate: {e.Message}", Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
    }

    [Fact]
    public void AnInitializerArgumentOutOfRangeIsNamedByItsPath()
    {
        string dir = Edited(json => json["layers"]![0]!["config"]!["recurrent_initializer"]!["config"]!["gain"] = -1);
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(dir));
        log.WriteLine(e.Message);
        Assert.Contains("layers[0].config.recurrent_initializer.config.gain = -1 is out of range; it must be a number above 0 and at most 1,000,000.", e.Message);
    }

    [Fact]
    public void AModelTooBigForTheMachineIsRefusedBeforeItIsBuilt()
    {
        // Every field in range, but the Dense weight would hold 1,048,576 × 1,048,576 elements.
        string dir = Edited(json =>
        {
            json["layers"]![0]!["config"]!["units"] = 1 << 20;
            json["layers"]![2]!["config"]!["units"] = 1 << 20;
            json["layers"]![2]!["config"]!["input_dim"] = 1 << 20;
        });
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(dir));
        log.WriteLine(e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Contains("parameters and needs about", e.Message);
        Assert.Contains("(one weight of 4,398,046,511,104 elements, more than an array holds); it cannot be loaded here.", e.Message);
    }
}
