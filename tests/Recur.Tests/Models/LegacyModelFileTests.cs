using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Models;

/// <summary>Model directories written before one <c>config.json</c> layer format (fixtures/models/README.md) still load and predict as they did.</summary>
public class LegacyModelFileTests(ITestOutputHelper output)
{
    private static string Directory(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "models", name);

    [Theory]
    [InlineData("legacy-train-run")]
    [InlineData("legacy-built-layers")]
    [InlineData("legacy-layer-configs")]
    public void AnOldDirectoryLoadsAndPredictsWhatItPredictedWhenSaved(string name)
    {
        var expected = Fixture.Load($"models/{name}/expected.json");
        (Sequential model, _) = ModelFile.Load(Directory(name));
        Tensor y = model.Predict(expected["input"]);
        Fixture.AssertClose("output", expected["output"], y, 1e-6, output, name);

        // Saved again, it is in today's form and predicts the same.
        using var dir = new TempDirectory();
        ModelFile.Save(model, dir.Path);
        string config = File.ReadAllText(dir.File(ModelFile.ConfigFileName));
        Assert.DoesNotContain("\"type\"", config);
        Assert.Contains("\"config\": {", config);
        (Sequential again, _) = ModelFile.Load(dir.Path);
        Assert.Equal(y.Data, again.Predict(expected["input"]).Data);
        Assert.Equal(model.Configs, again.Configs);
    }

    [Fact]
    public void TheirTrainingSettingsLoadToo()
    {
        (Sequential run, IReadOnlyDictionary<string, string> metadata) = ModelFile.Load(Directory("legacy-train-run"));
        Assert.Equal("rows", metadata["sequence"]);
        Assert.Equal(["lstm", "dense"], run.Layers.Select(l => l.Name));
        Assert.True(Assert.IsType<CategoricalCrossentropy>(run.Loss).FromLogits);
        Assert.IsType<Adam>(run.Optimizer);
        Assert.Equal(2, run.Optimizer!.Iterations);

        (Sequential built, _) = ModelFile.Load(Directory("legacy-built-layers"));
        Assert.Equal(["projection", "bidirectional", "dropout", "simple_rnn", "bidirectional_1", "lstm_plain", "out"], built.Layers.Select(l => l.Name));
        Assert.True(Assert.IsType<Momentum>(built.Optimizer).Nesterov);
        Assert.Equal(5f, built.ClipNorm);

        Sequential configs = Sequential.Load(Directory("legacy-layer-configs"));
        Assert.Equal(1, configs.Epoch);
        Assert.Equal(["accuracy"], configs.Metrics);
        Assert.True(Assert.IsType<RmsProp>(configs.Optimizer).Centered);
        Assert.False(Assert.IsType<CategoricalCrossentropy>(configs.Loss).FromLogits);
    }
}
