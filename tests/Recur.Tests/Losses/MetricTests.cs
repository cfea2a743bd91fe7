using System.Text.Json.Nodes;
using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Training;

namespace Recur.Tests.Losses;

public class MetricTests
{
    private static readonly ILoss Mse = new MeanSquaredError();

    [Fact]
    public void AccuraciesOnAHandExample()
    {
        Tensor scores = Tensor.FromArray([0.1f, 0.9f, 0.0f, 0.5f, 0.2f, 0.3f, 0.2f, 0.3f, 0.5f, 0.4f, 0.35f, 0.25f], 4, 3);
        Tensor classes = Tensor.FromArray([1, 2, 2, 1], 4);
        Tensor onehot = Tensor.FromArray([0, 1, 0, 0, 0, 1, 0, 0, 1, 0, 1, 0], 4, 3);
        var scce = new SparseCategoricalCrossentropy();
        Assert.Equal(0.5, Metric.FromName("sparse_categorical_accuracy", scce).Measure(scores, classes, null).Value);
        Assert.Equal(0.5, Metric.FromName("categorical_accuracy", Mse).Measure(scores, onehot, null).Value);
        // top-2: row 1's class 2 (0.3) is second; row 3's class 1 (0.35) is second.
        Assert.Equal(1.0, new TopKAccuracy(2, sparse: true).Measure(scores, classes, null).Value);
        Assert.Equal(0.5, new TopKAccuracy(1).Measure(scores, onehot, null).Value);
        Assert.Equal(1.0, Metric.FromName("top_k_categorical_accuracy", Mse).Measure(scores, onehot, null).Value);
        Assert.Equal("top_2_categorical_accuracy", new TopKAccuracy(2).Name);
        Assert.Equal(2, Assert.IsType<TopKAccuracy>(Metric.FromName("sparse_top_2_categorical_accuracy", scce)).K);
    }

    [Fact]
    public void BinaryAccuracyThresholdsProbabilitiesAtHalfAndLogitsAtZero()
    {
        Tensor outputs = Tensor.FromArray([0.6f, 0.4f, -0.2f, 0.7f], 2, 2);
        Tensor targets = Tensor.FromArray([1, 1, 0, 1], 2, 2);
        Assert.Equal(0.75, Metric.FromName("binary_accuracy", new BinaryCrossentropy()).Measure(outputs, targets, null).Value); // rows 1/2 and 1
        Assert.Equal(1.0, Metric.FromName("binary_accuracy", new BinaryCrossentropy(fromLogits: true)).Measure(outputs, targets, null).Value);
        Assert.Equal(0.75f, Loss.Accuracy(new BinaryCrossentropy(), outputs, targets));
        Assert.Equal(1f, Loss.Accuracy(new BinaryCrossentropy(fromLogits: true), outputs, targets));
    }

    [Fact]
    public void RegressionMetricsAndRmseOverAllRows()
    {
        Tensor p = Tensor.FromArray([1, 2, 3, 4], 4, 1), y = Tensor.FromArray([0, 2, 5, 4], 4, 1);
        Assert.Equal(0.75, Metric.FromName("mae", Mse).Measure(p, y, null).Value);
        Assert.Equal(1.25, Metric.FromName("mse", Mse).Measure(p, y, null).Value);
        Metric rmse = Metric.FromName("rmse", Mse);
        MetricTotal first = rmse.Measure(Tensor.FromArray([1, 2], 2, 1), Tensor.FromArray([0, 2], 2, 1), null);
        MetricTotal second = rmse.Measure(Tensor.FromArray([3, 4], 2, 1), Tensor.FromArray([5, 4], 2, 1), null);
        Assert.Equal(Math.Sqrt(1.25), first.Add(second).Value, 12); // the root of the mean, not (√0.5 + √2) / 2
        Assert.NotEqual((first.Value + second.Value) / 2, first.Add(second).Value, 6);
    }

    [Fact]
    public void MetricsSkipMaskedSteps()
    {
        // [B = 2, T = 3, 1]: sequence 0 has 2 valid steps, sequence 1 one; the masked steps are badly wrong.
        Tensor p = Tensor.FromArray([1, 1, 9, 2, 9, 9], 2, 3, 1), y = Tensor.FromArray([1, 0, 0, 0, 0, 0], 2, 3);
        SequenceMask mask = SequenceMask.FromLengths([2, 1], 3);
        MetricTotal mae = Metric.FromName("mae", Mse).Measure(p, y, mask);
        Assert.Equal((0 + 1 + 2) / 3.0, mae.Value);
        Assert.Equal(3, mae.Count);

        Tensor scores = Tensor.FromArray([0, 1, 1, 0, 1, 0, 0, 1, 1, 0, 1, 0], 2, 3, 2);
        Tensor classes = Tensor.FromArray([1, 1, 0, 0, 0, 0], 2, 3);
        var scce = new SparseCategoricalCrossentropy(true);
        Assert.Equal(1 / 3.0, Metric.FromName("sparse_categorical_accuracy", scce).Measure(scores, classes, mask).Value, 12); // steps (0, 0) right, (0, 1) and (1, 0) wrong
        Assert.Equal(1 / 3f, Loss.Accuracy(scce, scores, classes, mask));
    }

    [Fact]
    public void CompileNamesTheUnknownAndTheMisfit()
    {
        var model = new Sequential { new DenseLayer(2) { InputShape = [3] } };
        var ex = Assert.Throws<ArgumentException>(() => model.Compile("mse", new Sgd(0.1), ["f1"]));
        Assert.Equal("metrics", ex.ParamName);
        Assert.Contains("unknown metric 'f1'", ex.Message);
        Assert.Contains("sparse_categorical_accuracy, binary_accuracy", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => model.Compile("sparse_categorical_crossentropy", new Sgd(0.1), ["mae"]));
        Assert.Contains("does not fit the loss sparse_categorical_crossentropy", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => model.Compile("categorical_crossentropy", new Sgd(0.1), ["sparse_categorical_accuracy"]));
        Assert.Contains("use categorical_accuracy", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => model.Compile("mse", new Sgd(0.1), ["accuracy"]));
        Assert.Contains("needs a classification loss", ex.Message);
        model.Compile("mse", new Sgd(0.1), ["mae", "mse", "rmse", "mae"]);
        Assert.Equal(["mae", "mse", "rmse"], model.Metrics);
    }

    [Fact]
    public void FitReportsTheMetricsUnderKerasKeys()
    {
        (Tensor x, Tensor y) = Regression(48, 1);
        (Tensor vx, Tensor vy) = Regression(16, 2);
        var model = new Sequential(seed: 4) { new LstmLayer(4) { InputShape = [5, 2] }, new DenseLayer(1) };
        model.Compile("huber", new Adam(0.01), ["mae", "rmse"]);
        using var dir = new TempDirectory();
        string csv = Path.Combine(dir.Path, "log.csv");
        History h = model.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0, validationData: (vx, vy), callbacks: [new CsvLogger(csv)]);
        Assert.Equal(["loss", "lr", "mae", "rmse", "val_loss", "val_mae", "val_rmse"], h.Values.Keys.Order(StringComparer.Ordinal));
        Assert.Equal("epoch,loss,lr,mae,rmse,val_loss,val_mae,val_rmse", File.ReadLines(csv).First());
        BatchResult evaluated = model.Evaluate(vx, vy);
        Assert.Equal(evaluated.Metrics[0].Value, h["val_mae"][^1]);
        Assert.Equal(evaluated.Metrics[1].Value, h["val_rmse"][^1]);
    }

    [Fact]
    public void AccuracyOnlyKeepsTodaysKeys()
    {
        (Tensor x, Tensor y) = Regression(16, 3);
        var onehot = new Tensor(16, 2);
        for (int i = 0; i < 16; i++)
        {
            onehot.Data[(i * 2) + (y.Data[i] > 0 ? 1 : 0)] = 1f;
        }

        var model = new Sequential(seed: 4) { new LstmLayer(4) { InputShape = [5, 2] }, new DenseLayer(2) };
        model.Compile(new CategoricalCrossentropy(true), new Adam(0.01), ["accuracy"]);
        History h = model.Fit(x, onehot, batchSize: 8, epochs: 1, verbose: 0, validationData: (x, onehot));
        Assert.Equal(["accuracy", "loss", "lr", "val_accuracy", "val_loss"], h.Values.Keys.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ResumedRunRestoresTheMetricSums()
    {
        (Tensor x, Tensor y) = Regression(40, 5);
        Sequential Compiled()
        {
            var m = new Sequential(seed: 9) { new GruLayer(4) { InputShape = [5, 2] }, new DenseLayer(1) };
            m.Compile("mse", new Adam(0.01), ["mae", "rmse"]);
            return m;
        }

        History expected = Compiled().Fit(x, y, batchSize: 8, epochs: 2, verbose: 0);
        using var dir = new TempDirectory();
        string backup = Path.Combine(dir.Path, "backup");
        Assert.Throws<InvalidOperationException>(() =>
            Compiled().Fit(x, y, batchSize: 8, epochs: 2, verbose: 0, callbacks: [new BackupAndRestore(backup, saveFrequency: 2), new StopAfter(7)]));
        History resumed = Compiled().Fit(x, y, batchSize: 8, epochs: 2, verbose: 0, callbacks: [new BackupAndRestore(backup, saveFrequency: 2), new StopAfter(int.MaxValue)]);
        foreach (string key in new[] { "loss", "mae", "rmse" })
        {
            Assert.Equal(expected[key], resumed[key]);
        }
    }

    [Fact]
    public void CaptureStateHoldsTheMetricSums()
    {
        (Tensor x, Tensor y) = Regression(16, 6);
        var model = new Sequential(seed: 1) { new LstmLayer(3) { InputShape = [5, 2] }, new DenseLayer(1) };
        model.Compile("mse", new Sgd(0.01), ["mae"]);
        var probe = new Probe();
        model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0, callbacks: [probe]);
        JsonArray sums = probe.State!["metric_sums"]!["mae"]!.AsArray();
        Assert.Equal("16", (string?)sums[1]);
    }

    private static (Tensor X, Tensor Y) Regression(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new Tensor(n, 5, 2);
        var y = new Tensor(n, 1);
        for (int i = 0; i < x.Length; i++)
        {
            x.Data[i] = (float)rng.NextGaussian();
        }

        for (int b = 0; b < n; b++)
        {
            y.Data[b] = x.Data[(b * 10) + 8] + (0.5f * x.Data[(b * 10) + 1]);
        }

        return (x, y);
    }

    /// <summary>Throws after the given step, as a crash would.</summary>
    private sealed class StopAfter(int step) : Callback
    {
        public override void OnBatchEnd(int batch, IDictionary<string, double> logs)
        {
            if (Trainer.Step == step)
            {
                throw new InvalidOperationException($"stopped after step {step}");
            }
        }
    }

    private sealed class Probe : Callback
    {
        public JsonObject? State { get; private set; }

        public override void OnBatchEnd(int batch, IDictionary<string, double> logs) => State = Trainer.CaptureState();
    }
}
