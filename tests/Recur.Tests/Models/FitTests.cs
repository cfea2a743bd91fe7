using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Tests.IO;
using Recur.Training;
using Xunit;

namespace Recur.Tests.Models;

public class FitTests
{
    private static Sequential Model(ulong seed = 1) => new(seed)
    {
        new LstmLayer(6) { InputShape = [4, 3] },
        new DenseLayer(3),
    };

    private static Sequential Compiled(ulong seed = 1, double lr = 0.05)
    {
        var model = Model(seed);
        model.Compile(new CategoricalCrossentropy(fromLogits: true), new Adam(lr), ["accuracy"]);
        return model;
    }

    private static readonly (Tensor X, Tensor Y, Tensor Classes) Train = KerasModelTests.Data(40, 4, 3, 3, 21);
    private static readonly (Tensor X, Tensor Y, Tensor Classes) Test = KerasModelTests.Data(20, 4, 3, 3, 22);

    [Fact]
    public void FitRecordsEveryMetricPerEpochAndLearns()
    {
        var model = Compiled();
        History h = model.Fit(Train.X, Train.Y, batchSize: 8, epochs: 6, verbose: 0, validationData: (Test.X, Test.Y));
        Assert.Equal([0, 1, 2, 3, 4, 5], h.Epochs);
        foreach (string key in new[] { "loss", "accuracy", "val_loss", "val_accuracy", "lr" })
        {
            Assert.Equal(6, h[key].Count);
        }

        Assert.True(h["loss"][5] < h["loss"][0], $"loss {h["loss"][0]} → {h["loss"][5]}");
        Assert.Equal(0.05, h["lr"][0]);
        Assert.Equal(6, model.Epoch);
        BatchResult e = model.Evaluate(Test.X, Test.Y);
        Assert.Equal(h["val_loss"][5], e.Loss, 6);
        Assert.Equal(h["val_accuracy"][5], e.Accuracy, 6);
    }

    [Fact]
    public void TheSameSeedGivesTheSameRunAndAnotherSeedShufflesDifferently()
    {
        History a = Compiled(3).Fit(Train.X, Train.Y, batchSize: 8, epochs: 2, verbose: 0);
        History b = Compiled(3).Fit(Train.X, Train.Y, batchSize: 8, epochs: 2, verbose: 0);
        Assert.Equal(a["loss"], b["loss"]);
        var c = Model(3);
        c.Compile(new CategoricalCrossentropy(fromLogits: true), new Adam(0.05), ["accuracy"]);
        History unshuffled = c.Fit(Train.X, Train.Y, batchSize: 8, epochs: 2, verbose: 0, shuffle: false);
        Assert.NotEqual(a["loss"], unshuffled["loss"]);
    }

    [Fact]
    public void ValidationSplitHoldsOutTheLastExamples()
    {
        var model = Compiled();
        History h = model.Fit(Train.X, Train.Y, batchSize: 8, epochs: 1, verbose: 0, validationSplit: 0.25);
        var reference = Compiled();
        Tensor xv = Tensor.FromArray(Train.X.Data.AsSpan(30 * 12, 10 * 12), 10, 4, 3);
        Tensor yv = Tensor.FromArray(Train.Y.Data.AsSpan(30 * 3, 10 * 3), 10, 3);
        reference.SetWeights(model.GetWeights());
        Assert.Equal(h["val_loss"][0], reference.Evaluate(xv, yv).Loss, 6);
    }

    [Fact]
    public void SparseLabelsTrainLikeOneHot()
    {
        var sparse = Model(4);
        sparse.Compile(new SparseCategoricalCrossentropy(fromLogits: true), new Sgd(0.1), ["accuracy"]);
        var dense = Model(4);
        dense.Compile(new CategoricalCrossentropy(fromLogits: true), new Sgd(0.1), ["accuracy"]);
        History hs = sparse.Fit(Train.X, Train.Classes, batchSize: 8, epochs: 2, verbose: 0);
        History hd = dense.Fit(Train.X, Train.Y, batchSize: 8, epochs: 2, verbose: 0);
        Assert.Equal(hd["accuracy"], hs["accuracy"]);
        Assert.Equal(hd["loss"][1], hs["loss"][1], 5);
    }

    [Fact]
    public void ProgbarWritesKerasLines()
    {
        var output = new StringWriter();
        Compiled().Fit(Train.X, Train.Y, batchSize: 8, epochs: 2, verbose: 1, validationData: (Test.X, Test.Y),
            callbacks: [new ProgbarLogger(output, live: false)]);
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Equal("Epoch 1/2", lines[0]);
        Assert.Matches(@"^5/5 ━━━━━━━━━━━━━━━━━━━━ \d+s \d+(ms|us|s)/step - accuracy: \d\.\d{4} - loss: \d\.\d{4} - val_accuracy: \d\.\d{4} - val_loss: \d\.\d{4}$", lines[1]);
        Assert.Equal("Epoch 2/2", lines[2]);

        output = new StringWriter();
        Compiled().Fit(Train.X, Train.Y, batchSize: 8, epochs: 1, verbose: 2, callbacks: [new ProgbarLogger(output, live: false)]);
        Assert.Matches(@"^5/5 - \d+s - \d+(ms|us|s)/step - accuracy: \d\.\d{4} - loss: \d\.\d{4}\r?\n$", output.ToString());
    }

    [Fact]
    public void CsvLoggerWritesAHeaderAndARowPerEpoch()
    {
        using var dir = new TempDirectory();
        string path = dir.File("log.csv");
        History h = Compiled().Fit(Train.X, Train.Y, batchSize: 8, epochs: 3, verbose: 0, validationData: (Test.X, Test.Y), callbacks: [new CsvLogger(path)]);
        string[] lines = File.ReadAllLines(path);
        Assert.Equal("epoch,accuracy,loss,lr,val_accuracy,val_loss", lines[0]);
        Assert.Equal(4, lines.Length);
        string[] last = lines[3].Split(',');
        Assert.Equal("2", last[0]);
        Assert.Equal(h["loss"][2], double.Parse(last[2], System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(h["val_loss"][2], double.Parse(last[5], System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>Reports a scripted val_loss, so the monitor-driven callbacks can be tested exactly.</summary>
    private sealed class ScriptedMetric(params double[] values) : Callback
    {
        public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) => logs["val_loss"] = values[epoch];
    }

    /// <summary>Keeps a copy of the weights at the end of every epoch.</summary>
    private sealed class WeightRecorder : Callback
    {
        public List<float[][]> Weights { get; } = [];

        public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) => Weights.Add(Model.GetWeights());
    }

    [Fact]
    public void EarlyStoppingStopsAfterPatienceAndRestoresTheBestWeights()
    {
        var model = Compiled();
        var recorder = new WeightRecorder();
        var stop = new EarlyStopping(patience: 2, restoreBestWeights: true);
        History h = model.Fit(Train.X, Train.Y, batchSize: 8, epochs: 10, verbose: 0,
            callbacks: [new ScriptedMetric(1.0, 0.5, 0.7, 0.6, 0.4, 0.3), recorder, stop]);
        Assert.Equal([0, 1, 2, 3], h.Epochs);
        Assert.Equal(3, stop.StoppedEpoch);
        Assert.Equal(1, stop.BestEpoch);
        Assert.Equal(0.5, stop.Best);
        float[][] now = model.GetWeights();
        for (int i = 0; i < now.Length; i++)
        {
            Assert.Equal(recorder.Weights[1][i], now[i]);
        }

        Assert.NotEqual(recorder.Weights[3][0], now[0]);
    }

    [Fact]
    public void ReduceLROnPlateauLowersTheLearningRateAfterPatience()
    {
        var model = Compiled(lr: 0.01);
        History h = model.Fit(Train.X, Train.Y, batchSize: 8, epochs: 6, verbose: 0,
            callbacks: [new ScriptedMetric(1.0, 1.0, 1.0, 0.5, 0.5, 0.5), new ReduceLROnPlateau(factor: 0.5, patience: 2, minLr: 0.004)]);
        Assert.Equal([0.01, 0.01, 0.01, 0.005, 0.005, 0.005], h["lr"]);
        Assert.Equal(0.004, model.Optimizer!.LearningRate);
    }

    [Fact]
    public void ModelCheckpointKeepsTheBest()
    {
        using var dir = new TempDirectory();
        var model = Compiled();
        var recorder = new WeightRecorder();
        var checkpoint = new ModelCheckpoint(dir.File("best"), saveBestOnly: true);
        model.Fit(Train.X, Train.Y, batchSize: 8, epochs: 4, verbose: 0,
            callbacks: [new ScriptedMetric(0.9, 0.3, 0.5, 0.4), recorder, checkpoint]);
        Assert.Equal(2, checkpoint.Saved.Count);
        Assert.Equal(0.3, checkpoint.Best);
        Sequential best = Sequential.Load(dir.File("best"));
        Assert.Equal(2, best.Epoch);
        float[][] saved = best.GetWeights();
        for (int i = 0; i < saved.Length; i++)
        {
            Assert.Equal(recorder.Weights[1][i], saved[i]);
        }

        var each = new ModelCheckpoint(dir.File("epoch-{epoch:02d}"));
        Compiled().Fit(Train.X, Train.Y, batchSize: 8, epochs: 2, verbose: 0, callbacks: [each]);
        Assert.Equal([dir.File("epoch-01"), dir.File("epoch-02")], each.Saved);
        Assert.True(File.Exists(Path.Combine(dir.File("epoch-02"), ModelFile.WeightsFileName)));
    }

    [Fact]
    public void WrongShapesFailBeforeTraining()
    {
        var model = Compiled();
        var e = Assert.Throws<ArgumentException>(() => model.Fit(Train.X, Train.Y, verbose: 0, validationData: (new Tensor(5, 4, 2), new Tensor(5, 3))));
        Assert.Contains("[5, 4, 2]", e.Message);
        Assert.Equal(0, model.Optimizer!.Iterations);
        e = Assert.Throws<ArgumentException>(() => model.Fit(new Tensor(40, 12), Train.Y, verbose: 0));
        Assert.Contains("(None, 4, 3)", e.Message);
    }

    [Fact]
    public void AMissingMonitoredMetricIsAClearError()
    {
        var e = Assert.Throws<InvalidOperationException>(() =>
            Compiled().Fit(Train.X, Train.Y, batchSize: 8, epochs: 2, verbose: 0, callbacks: [new EarlyStopping()]));
        Assert.Contains("'val_loss'", e.Message);
        Assert.Contains("validationData", e.Message);
    }

    [Fact]
    public void TensorBoardWritesKerasStyleEventFiles()
    {
        using var dir = new TempDirectory();
        History h = Compiled().Fit(Train.X, Train.Y, batchSize: 8, epochs: 2, verbose: 0, validationData: (Test.X, Test.Y),
            callbacks: [new TensorBoard(dir.Path, updateFreq: 2)]);
        string trainFile = Directory.GetFiles(Path.Combine(dir.Path, "train")).Single();
        string valFile = Directory.GetFiles(Path.Combine(dir.Path, "validation")).Single();
        Assert.Contains("tfevents", trainFile);

        var train = EventFileReader.ReadEvents(trainFile);
        Assert.Equal("brain.Event:2", train[0].FileVersion);
        var scalars = train.Skip(1).SelectMany(e => e.Scalars.Select(s => (e.Step, s.Tag, s.Value))).ToList();
        Assert.Contains((1L, "epoch_loss", (float)h["loss"][1]), scalars);
        Assert.Contains((0L, "epoch_accuracy", (float)h["accuracy"][0]), scalars);
        Assert.Contains((0L, "epoch_learning_rate", 0.05f), scalars);
        Assert.Equal([2L, 4L, 6L, 8L, 10L], scalars.Where(s => s.Tag == "batch_loss").Select(s => s.Step));

        var validation = EventFileReader.ReadEvents(valFile).Skip(1).SelectMany(e => e.Scalars.Select(s => (e.Step, s.Tag, s.Value))).ToList();
        Assert.Equal(
            [(0L, "epoch_loss", (float)h["val_loss"][0]), (0L, "epoch_accuracy", (float)h["val_accuracy"][0]), (1L, "epoch_loss", (float)h["val_loss"][1]), (1L, "epoch_accuracy", (float)h["val_accuracy"][1])],
            validation.OrderBy(v => v.Step).ThenByDescending(v => v.Tag));
    }
}
