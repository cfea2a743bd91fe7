using Recur.Initializers;
using Recur.Layers;
using Recur.Models;
using Recur.Tensors;
using Xunit;

namespace Recur.Tests.Models;

public sealed class ModelFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("recur-model-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private static Sequential Model(ulong seed)
    {
        var rng = new Rng(seed);
        return
        [
            new Dense(3, 6, weightInitializer: new RandomNormal(), biasInitializer: new Constant(0.1f), rng: rng, name: "projection"),
            new Lstm(6, 7, forgetBias: 0.5f, rng: rng),
            new Dense(7, 4, useBias: false, rng: rng, name: "out"),
        ];
    }

    [Fact]
    public void SaveThenLoadPredictsBitIdenticallyAndKeepsMetadata()
    {
        var model = Model(17);
        var x = new Tensor(5, 9, 3);
        var rng = new Rng(2);
        for (int i = 0; i < x.Length; i++)
        {
            x.Data[i] = (float)rng.NextGaussian();
        }

        Tensor expected = model.Predict(x);
        ModelFile.Save(model, _dir, new Dictionary<string, string> { ["sequence"] = "rows" });
        var (loaded, metadata) = ModelFile.Load(_dir);

        Assert.Equal("rows", metadata["sequence"]);
        Assert.Equal(expected.Data, loaded.Predict(x).Data);
        var lstm = Assert.IsType<Lstm>(loaded.Layers[1]);
        Assert.Equal(0.5f, lstm.ForgetBias);
        Assert.Null(Assert.IsType<Dense>(loaded.Layers[2]).Bias);
        Assert.Equal(["projection", "lstm", "out"], loaded.Layers.Select(l => l.Name));
    }

    [Fact]
    public void ADirectoryThatIsNotAModelIsRefusedWithTheFix()
    {
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(_dir));
        Assert.Contains("not a Recur model directory", e.Message);
        Assert.Contains("config.json", e.Message);

        ModelFile.Save(Model(1), _dir);
        File.WriteAllText(Path.Combine(_dir, ModelFile.ConfigFileName), "{\"format\": \"keras\"}");
        e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(_dir));
        Assert.Contains("not a Recur model configuration", e.Message);
    }

    [Fact]
    public void WeightsOfAnotherModelAreRefused()
    {
        string other = Path.Combine(_dir, "other");
        ModelFile.Save(Model(1), _dir);
        var rng = new Rng(1);
        ModelFile.Save([new Dense(3, 6, rng: rng, name: "projection"), new Lstm(6, 8, rng: rng), new Dense(8, 4, useBias: false, rng: rng, name: "out")], other);
        File.Copy(Path.Combine(other, ModelFile.WeightsFileName), Path.Combine(_dir, ModelFile.WeightsFileName), overwrite: true);

        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(_dir));
        Assert.Contains("lstm.weight_ih", e.Message);
        Assert.Contains("[32, 6]", e.Message);
    }
}
