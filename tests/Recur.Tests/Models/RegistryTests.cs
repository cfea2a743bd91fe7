using System.Text.Json;
using System.Text.Json.Nodes;
using Recur.Initializers;
using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Tests.Layers;

namespace Recur.Tests.Models;

/// <summary><see cref="Registry{T}"/>: a kind of one's own, the errors for kinds not registered, and the JSON of initializers, losses and optimizers.</summary>
public class RegistryTests
{
    static RegistryTests() => ScaleLayer.Register();

    /// <summary>A record never registered.</summary>
    private sealed record Unregistered : LayerConfig
    {
        public override int[] OutputShape(int[] inputShape) => inputShape;

        protected override ILayer CreateLayer(int[] inputShape, Rng rng) => new Identity(LayerName);
    }

    [Fact]
    public void AKindOfYourOwnSavesAndLoadsOnceRegistered()
    {
        using var dir = new TempDirectory();
        var model = new Sequential(seed: 3)
        {
            new LstmLayer(4, ReturnSequences: true) { InputShape = [5, 3] },
            new ScaleLayer(0.5f),
            new DenseLayer(2),
        };
        model.Add(new Scale(2, new ScaleLayer(2f) { Name = "built_scale" })); // and added built
        model.Layers[1].Parameters[0].Value.Data[2] = -1.5f;
        Tensor x = GradCheck.Values(1, 1f, 3, 5, 3);
        Tensor expected = model.Predict(x);

        model.Save(dir.Path);
        string config = File.ReadAllText(dir.File(ModelFile.ConfigFileName));
        Assert.Contains("\"class_name\": \"Scale\"", config);
        Sequential loaded = Sequential.Load(dir.Path);
        Assert.Equal(expected.Data, loaded.Predict(x).Data);
        Assert.Equal(model.Configs, loaded.Configs);
        Assert.Contains("scale (Scale)", loaded.Summary());
    }

    [Fact]
    public void ALayerThatCannotBeDescribedIsAClearErrorAndWritesNothing()
    {
        using var dir = new TempDirectory();
        var unregistered = new Sequential { new LstmLayer(4) { InputShape = [3, 2] }, new Unregistered() };
        var e = Assert.Throws<NotSupportedException>(() => unregistered.Save(dir.Path));
        Assert.Contains("LayerKinds.Registry.Register<Unregistered>(\"ClassName\")", e.Message);

        var noOptions = new Sequential { new LstmLayer(4) { InputShape = [3, 2] } };
        noOptions.Add(new SaveLoadTests.Custom());
        e = Assert.Throws<NotSupportedException>(() => noOptions.Save(dir.Path));
        Assert.Contains("'custom'", e.Message);
        Assert.Contains("ILayer.Options is null", e.Message);
        Assert.Empty(Directory.GetFiles(dir.Path));
    }

    [Fact]
    public void AFileNamingAKindNotRegisteredSaysHowToRegisterIt()
    {
        using var dir = new TempDirectory();
        new Sequential { new LstmLayer(4) { InputShape = [3, 2] }, new DenseLayer(2) }.Save(dir.Path);
        string path = dir.File(ModelFile.ConfigFileName);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"class_name\": \"Dense\"", "\"class_name\": \"MyDense\""));
        var e = Assert.Throws<InvalidDataException>(() => Sequential.Load(dir.Path));
        Assert.Contains("unknown layer 'MyDense'", e.Message);
        Assert.Contains("LayerKinds.Registry.Register", e.Message);

        File.WriteAllText(path, File.ReadAllText(path).Replace("\"class_name\": \"MyDense\"", "\"class_name\": \"Dense\"").Replace("\"units\": 2", "\"unitz\": 2"));
        e = Assert.Throws<InvalidDataException>(() => Sequential.Load(dir.Path));
        Assert.Contains("unitz", e.Message);
    }

    [Fact]
    public void ANameOrATypeBelongsToOneKind()
    {
        ScaleLayer.Register(); // again: nothing happens
        var e = Assert.Throws<ArgumentException>(() => LayerKinds.Registry.Register<Unregistered>("Dense"));
        Assert.Contains("already the class name of DenseLayer", e.Message);
        e = Assert.Throws<ArgumentException>(() => LayerKinds.Registry.Register<ScaleLayer>("Scale2"));
        Assert.Contains("already registered as 'Scale'", e.Message);
        Assert.DoesNotContain("Scale2", LayerKinds.Registry.ClassNames);
        Assert.Null(LayerKinds.Registry.ClassNameOf(typeof(Unregistered)));
    }

    public static TheoryData<IInitializer> InitializerSamples =>
    [
        new GlorotUniform(), new Orthogonal(0.5f), new Zeros(), new Constant(0.1f), new RandomNormal(0.2f, 0.05f), new TorchUniform(), new TorchUniform(16), new Chrono(784), new RandomUniform(-0.5f, 0.25f),
    ];

    [Theory]
    [MemberData(nameof(InitializerSamples))]
    public void EveryStockInitializerRoundTrips(IInitializer initializer)
    {
        JsonObject json = InitializerKinds.Registry.ToJson(initializer);
        Assert.Equal(initializer.GetType().Name, (string?)json["class_name"]);
        Assert.Equal(initializer, InitializerKinds.Registry.FromJson(JsonNode.Parse(json.ToJsonString())));
    }

    [Fact]
    public void RandomUniformWritesKerassNames()
    {
        JsonObject json = InitializerKinds.Registry.ToJson(new RandomUniform(-0.5f, 0.25f));
        Assert.Equal("{\"class_name\":\"RandomUniform\",\"config\":{\"minval\":-0.5,\"maxval\":0.25}}", json.ToJsonString());
    }

    [Fact]
    public void LossesAndOptimizersRoundTripWithTheirSettings()
    {
        ILoss Loss(ILoss l) => LossKinds.Registry.FromJson(JsonNode.Parse(LossKinds.Registry.ToJson(l).ToJsonString()));
        Optimizer Optimizer(Optimizer o) => OptimizerKinds.Registry.FromJson(JsonNode.Parse(OptimizerKinds.Registry.ToJson(o).ToJsonString()));

        Assert.IsType<SoftmaxCrossEntropy>(Loss(new SoftmaxCrossEntropy()));
        Assert.True(Assert.IsType<CategoricalCrossentropy>(Loss(new CategoricalCrossentropy(fromLogits: true))).FromLogits);
        Assert.False(Assert.IsType<SparseCategoricalCrossentropy>(Loss(new SparseCategoricalCrossentropy())).FromLogits);
        Assert.IsType<MeanSquaredError>(Loss(new MeanSquaredError()));

        Adam adam = Assert.IsType<Adam>(Optimizer(new Adam(0.003, 0.8, 0.99, 1e-6)));
        Assert.Equal((0.003, 0.8, 0.99, 1e-6), (adam.LearningRate, adam.Beta1, adam.Beta2, adam.Epsilon));
        Assert.Equal(0.2, Assert.IsType<Sgd>(Optimizer(new Sgd(0.2))).LearningRate);
        Momentum momentum = Assert.IsType<Momentum>(Optimizer(new Momentum(0.05, 0.8, nesterov: true)));
        Assert.Equal((0.05, 0.8, true), (momentum.LearningRate, momentum.Coefficient, momentum.Nesterov));
        RmsProp rms = Assert.IsType<RmsProp>(Optimizer(new RmsProp(0.01, 0.9, 1e-7, 0.5, centered: true)));
        Assert.Equal((0.01, 0.9, 1e-7, 0.5, true), (rms.LearningRate, rms.Alpha, rms.Epsilon, rms.Momentum, rms.Centered));

        var e = Assert.Throws<InvalidDataException>(() => OptimizerKinds.Registry.FromJson(JsonNode.Parse("""{"class_name": "Adam", "config": {"learning_rate": 0.1}}""")));
        Assert.Contains("\"beta1\"", e.Message);
    }

    [Fact]
    public void OlderFlattenedEntriesKeepTheirOldDefaults()
    {
        // Before the config object, LstmLayer's forget bias was the constant 1 and there was no unit forget bias.
        var old = Assert.IsType<LstmLayer>(LayerKinds.Registry.FromJson(JsonNode.Parse("""{"class_name": "LSTM", "units": 4}""")));
        Assert.Equal((1f, false), (old.ForgetBias, old.UnitForgetBias));
        var now = Assert.IsType<LstmLayer>(LayerKinds.Registry.FromJson(JsonNode.Parse("""{"class_name": "LSTM", "config": {"units": 4}}""")));
        Assert.Equal((0f, true), (now.ForgetBias, now.UnitForgetBias));
        Assert.Equal(new LstmLayer(4), now);
        Assert.Throws<JsonException>(() => LayerKinds.Registry.FromJson(JsonNode.Parse("""{"class_name": "LSTM", "config": {"units": 4, "unit": 3}}""")));

        // and a DenseLayer was initialised as the engine Dense, with PyTorch's uniform.
        var dense = Assert.IsType<DenseLayer>(LayerKinds.Registry.FromJson(JsonNode.Parse("""{"class_name": "Dense", "units": 4, "activation": "linear", "use_bias": true}""")));
        Assert.Equal((new TorchUniform(), new TorchUniform()), (dense.KernelInitializer, dense.BiasInitializer));
    }
}
