using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Training;
using Xunit.Abstractions;

namespace Recur.Tests.Models;

/// <summary>
/// Sequence labelling end to end through <c>Fit</c>: <c>LstmLayer(16, ReturnSequences: true)</c> → <c>DenseLayer</c> on
/// every step. The task: inputs ±1 (and a little noise), each step labelled by whether the running sum so far is
/// positive — a label that needs the state, not just the current input.
/// </summary>
public class PerStepFitTests(ITestOutputHelper output)
{
    private const int Steps = 20;

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void PerStepClassificationLearnsTheRunningSign(bool sparse)
    {
        var (x, classes, _) = Data(384, seed: 1);
        var (vx, vclasses, _) = Data(128, seed: 2);
        Tensor y = sparse ? classes : OneHot(classes), vy = sparse ? vclasses : OneHot(vclasses);
        Sequential model = Model(2);
        model.Compile(sparse ? new SparseCategoricalCrossentropy(fromLogits: true) : new CategoricalCrossentropy(fromLogits: true), new Adam(0.01),
            ["accuracy", sparse ? "sparse_categorical_accuracy" : "categorical_accuracy"]);
        History h = model.Fit(x, y, batchSize: 32, epochs: 12, verbose: 0, validationData: (vx, vy));
        double accuracy = h["val_accuracy"][^1];
        // A model without memory does no better than the current input's sign.
        double baseline = vclasses.Data.Where((c, i) => c == (vx.Data[i] > 0 ? 1 : 0)).Count() / (double)vclasses.Length;
        output.WriteLine($"{(sparse ? "sparse" : "one-hot")}: val_loss {h["val_loss"][^1]:F4}, val_accuracy {accuracy:F4} (first epoch {h["val_accuracy"][0]:F4}; the current input's sign {baseline:F4})");
        Assert.True(accuracy >= 0.95 && baseline < 0.8, $"per-step validation accuracy {accuracy:F4} < 0.95, or the baseline {baseline:F4} is not below 0.8");
        string key = sparse ? "val_sparse_categorical_accuracy" : "val_categorical_accuracy";
        Assert.Equal(accuracy, h[key][^1], 6); // the same share, over every step

        // Predict's output is [N, T, 2]; ArgMax gives each step's class.
        int[] predicted = Predictions.ArgMax(model.Predict(vx));
        double hits = predicted.Where((c, i) => c == (int)vclasses.Data[i]).Count() / (double)predicted.Length;
        Assert.Equal(accuracy, hits, 5);
    }

    [Fact]
    public void PerStepRegressionLearnsTheRunningSum()
    {
        var (x, _, sums) = Data(384, seed: 3);
        var (vx, _, vsums) = Data(128, seed: 4);
        Sequential model = Model(1);
        model.Compile("mse", new Adam(0.01), ["mae", "rmse"]);
        // Targets [N, T] for the output [N, T, 1], as Keras allows.
        History h = model.Fit(x, sums, batchSize: 32, epochs: 12, verbose: 0, validationData: (vx, vsums));
        double variance = vsums.Data.Select(v => (double)v * v).Average() - Math.Pow(vsums.Data.Average(), 2);
        output.WriteLine($"val_loss (mse) {h["val_loss"][^1]:F4}, val_mae {h["val_mae"][^1]:F4}, val_rmse {h["val_rmse"][^1]:F4}; target variance {variance:F4}");
        Assert.True(h["val_loss"][^1] < 0.05 * variance, $"per-step validation MSE {h["val_loss"][^1]:F4} is not below 5% of the variance {variance:F4}");
        Assert.Equal(Math.Sqrt(h["val_loss"][^1]), h["val_rmse"][^1], 4);
    }

    private static Sequential Model(int units) => new(seed: 11)
    {
        new LstmLayer(16, ReturnSequences: true) { InputShape = [Steps, 1] },
        new DenseLayer(units),
    };

    /// <summary>x [N, T, 1] of ±1 plus noise; classes [N, T]: running sum &gt; 0; sums [N, T]: the running sum / 4.</summary>
    private static (Tensor X, Tensor Classes, Tensor Sums) Data(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new Tensor(n, Steps, 1);
        var classes = new Tensor(n, Steps);
        var sums = new Tensor(n, Steps);
        for (int b = 0; b < n; b++)
        {
            float sum = 0;
            for (int t = 0; t < Steps; t++)
            {
                float v = (rng.NextDouble() < 0.5 ? -1f : 1f) + (float)((rng.NextDouble() - 0.5) * 0.2);
                sum += v;
                x.Data[(b * Steps) + t] = v;
                classes.Data[(b * Steps) + t] = sum > 0 ? 1 : 0;
                sums.Data[(b * Steps) + t] = sum / 4f;
            }
        }

        return (x, classes, sums);
    }

    private static Tensor OneHot(Tensor classes)
    {
        var y = new Tensor(classes.Dim(0), classes.Dim(1), 2);
        for (int i = 0; i < classes.Length; i++)
        {
            y.Data[(i * 2) + (int)classes.Data[i]] = 1f;
        }

        return y;
    }
}
