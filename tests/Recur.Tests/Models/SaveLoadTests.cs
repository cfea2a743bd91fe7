using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Tests.IO;
using Recur.Training;
using Xunit;

namespace Recur.Tests.Models;

public class SaveLoadTests
{
    private static readonly (Tensor X, Tensor Y, Tensor Classes) Train = KerasModelTests.Data(30, 4, 3, 3, 31);
    private static readonly (Tensor X, Tensor Y, Tensor Classes) Test = KerasModelTests.Data(10, 4, 3, 3, 32);

    [Fact]
    public void EveryLayerConfigRoundTripsThroughTheModelFile()
    {
        using var dir = new TempDirectory();
        LayerConfig[] configs =
        [
            new LstmLayer(5, ForgetBias: 0.25f, ReturnSequences: true) { InputShape = [4, 3], Name = "encoder" },
            new LstmLayer(6, ForgetBias: 0f),
            new DenseLayer(7, Activation.Linear, UseBias: false) { Name = "hidden" },
            new DenseLayer(3),
            new ActivationLayer(Activation.Softmax),
            new ActivationLayer(Activation.Linear),
        ];
        var model = new Sequential(seed: 77, name: "every_layer");
        foreach (LayerConfig c in configs)
        {
            model.Add(c);
        }

        model.Save(dir.Path);
        Sequential loaded = Sequential.Load(dir.Path);
        Assert.Equal(model.Configs, loaded.Configs);
        Assert.Equal(["encoder", "lstm", "hidden", "dense", "activation", "activation_1"], loaded.Configs.Select(c => c!.Name));
        Assert.Equal("every_layer", loaded.Name);
        Assert.Equal(77UL, loaded.Seed);
        Assert.Equal(new DenseLayer(3, Activation.Softmax), new DenseLayer(3, Activation.Softmax));
        Assert.Null(loaded.Loss);

        var dense = new Sequential { new DenseLayer(2, Activation.Softmax) { InputShape = [3] } };
        dense.Save(dir.File("dense"));
        Assert.Equal(dense.Configs, Sequential.Load(dir.File("dense")).Configs);
    }

    [Fact]
    public void ALoadedModelPredictsBitIdentically()
    {
        using var dir = new TempDirectory();
        var model = new Sequential(seed: 5) { new LstmLayer(6), new DenseLayer(3, Activation.Softmax) }; // built from data
        model.Compile("categorical_crossentropy", new Adam(0.01), ["accuracy"]);
        model.Fit(Train.X, Train.Y, batchSize: 10, epochs: 1, verbose: 0);
        model.Save(dir.Path);
        Sequential loaded = Sequential.Load(dir.Path);
        Assert.Equal(model.Predict(Test.X).Data, loaded.Predict(Test.X).Data);
        Assert.Equal("categorical_crossentropy", loaded.Loss!.Name);
        Assert.Equal(["accuracy"], loaded.Metrics);
        Assert.Equal(1, loaded.Epoch);
    }

    public static TheoryData<string> Optimizers => ["adam", "momentum", "rmsprop", "sgd"];

    private static Optimizer MakeOptimizer(string name) => name switch
    {
        "adam" => new Adam(0.02),
        "momentum" => new Momentum(0.05, 0.9, nesterov: true),
        "rmsprop" => new RmsProp(0.01, momentum: 0.5, centered: true),
        _ => new Sgd(0.1),
    };

    private static Sequential Fresh(string optimizer)
    {
        var model = new Sequential(seed: 11) { new LstmLayer(5) { InputShape = [4, 3] }, new DenseLayer(3) };
        model.Compile(new CategoricalCrossentropy(fromLogits: true), MakeOptimizer(optimizer), ["accuracy"], clipNorm: 5f);
        return model;
    }

    [Theory]
    [MemberData(nameof(Optimizers))]
    public void ResumingAfterLoadEqualsAnUninterruptedRun(string optimizer)
    {
        // Callbacks keep their own state (as in Keras), so this one acts only before the save: it halves the rate at
        // the end of epoch 1 and then cools down.
        using var dir = new TempDirectory();
        var straight = Fresh(optimizer);
        History all = straight.Fit(Train.X, Train.Y, batchSize: 7, epochs: 4, verbose: 0, validationData: (Test.X, Test.Y),
            callbacks: [new ReduceLROnPlateau(monitor: "loss", factor: 0.5, patience: 0, minDelta: 10, cooldown: 10)]);

        var first = Fresh(optimizer);
        first.Fit(Train.X, Train.Y, batchSize: 7, epochs: 2, verbose: 0, validationData: (Test.X, Test.Y),
            callbacks: [new ReduceLROnPlateau(monitor: "loss", factor: 0.5, patience: 0, minDelta: 10, cooldown: 10)]);
        first.Save(dir.Path);
        Sequential resumed = Sequential.Load(dir.Path);
        Assert.Equal(2, resumed.Epoch);
        History rest = resumed.Fit(Train.X, Train.Y, batchSize: 7, epochs: 4, verbose: 0, validationData: (Test.X, Test.Y), initialEpoch: resumed.Epoch);

        // The callback halves the rate once, at the end of epoch 1; the resumed run gets it from the saved optimizer.
        Assert.Equal(all["lr"][0] / 2, all["lr"][2]);
        Assert.Equal([2, 3], rest.Epochs);
        foreach (var (key, values) in all.Values)
        {
            Assert.Equal(values.Skip(2), rest[key]);
        }

        Assert.Equal(straight.Optimizer!.Iterations, resumed.Optimizer!.Iterations);
        float[][] a = straight.GetWeights(), b = resumed.GetWeights();
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i], b[i]);
        }
    }

    [Fact]
    public void OptimizerFileHoldsPyTorchNamedSlots()
    {
        using var dir = new TempDirectory();
        var model = Fresh("adam");
        model.Fit(Train.X, Train.Y, batchSize: 10, epochs: 1, verbose: 0);
        model.Save(dir.Path);
        var file = Recur.IO.SafeTensors.Load(Path.Combine(dir.Path, ModelFile.OptimizerFileName));
        Assert.Contains("lstm.weight_ih.exp_avg", file.Names);
        Assert.Contains("dense.bias.exp_avg_sq", file.Names);
        Assert.Equal("3", file.Metadata["step.lstm.bias"]);
        Assert.Equal("3", file.Metadata["iterations"]);
    }

    [Fact]
    public void BadFilesAreClearErrors()
    {
        using var dir = new TempDirectory();
        var model = Fresh("adam");
        model.Save(dir.File("model"));

        string weights = Path.Combine(dir.File("model"), ModelFile.WeightsFileName);
        byte[] bytes = File.ReadAllBytes(weights);
        Directory.CreateDirectory(dir.File("truncated"));
        foreach (string f in Directory.GetFiles(dir.File("model")))
        {
            File.Copy(f, Path.Combine(dir.File("truncated"), Path.GetFileName(f)));
        }

        File.WriteAllBytes(Path.Combine(dir.File("truncated"), ModelFile.WeightsFileName), bytes[..(bytes.Length - 10)]);
        var e = Assert.Throws<InvalidDataException>(() => Sequential.Load(dir.File("truncated")));
        Assert.Contains(ModelFile.WeightsFileName, e.Message);

        File.WriteAllText(dir.File("notes.txt"), "hello");
        e = Assert.Throws<InvalidDataException>(() => Sequential.Load(dir.File("notes.txt")));
        Assert.Contains("not a Recur model", e.Message);

        Directory.CreateDirectory(dir.File("other"));
        File.WriteAllText(Path.Combine(dir.File("other"), ModelFile.ConfigFileName), "{\"format\": \"keras\"}");
        File.Copy(weights, Path.Combine(dir.File("other"), ModelFile.WeightsFileName));
        e = Assert.Throws<InvalidDataException>(() => Sequential.Load(dir.File("other")));
        Assert.Contains("not a Recur model configuration", e.Message);
    }

    /// <summary>A layer the model file cannot describe: it has no options.</summary>
    internal sealed class Custom : ILayer
    {
        public string Name => "custom";

        public IReadOnlyList<Parameter> Parameters => [];

        public Tensor Forward(Tensor x, bool training = false) => x;

        public Tensor Backward(Tensor dy) => dy;
    }

    [Fact]
    public void AFailedSaveKeepsThePreviousModel()
    {
        using var dir = new TempDirectory();
        var model = Fresh("adam");
        model.Save(dir.Path);
        Tensor before = model.Predict(Test.X);
        var unsavable = new Sequential(seed: 2) { new LstmLayer(4) { InputShape = [4, 3] }, new DenseLayer(3) };
        unsavable.Add(new Custom());
        Assert.Throws<NotSupportedException>(() => unsavable.Save(dir.Path));
        Assert.Throws<InvalidOperationException>(() => new Sequential { new LstmLayer(4) }.Save(dir.Path));
        Assert.Equal(before.Data, Sequential.Load(dir.Path).Predict(Test.X).Data);
        Assert.DoesNotContain(Directory.GetFiles(dir.Path), f => f.EndsWith(".tmp", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(ModelFile.WeightsFileName)]
    [InlineData(ModelFile.OptimizerFileName)]
    public void FilesFromTwoSavesAreRefused(string file)
    {
        // One file newer than the others, as a copy by hand or an interrupted copy would leave: config.json's record of
        // its companions' lengths and CRC-32C tells.
        using var dir = new TempDirectory();
        var model = Fresh("adam");
        model.Save(dir.File("a"));
        model.Fit(Train.X, Train.Y, batchSize: 10, epochs: 1, verbose: 0);
        model.Save(dir.File("b"));
        File.Copy(Path.Combine(dir.File("b"), file), Path.Combine(dir.File("a"), file), overwrite: true);
        var e = Assert.Throws<InvalidDataException>(() => Sequential.Load(dir.File("a")));
        Assert.Contains("CRC-32C", e.Message);
        Assert.Contains("two saves", e.Message);
        Assert.Contains(Path.Combine(dir.File("a"), file), e.Message);
    }
}
