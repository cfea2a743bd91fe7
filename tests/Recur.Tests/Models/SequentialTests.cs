using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Training;
using Xunit;

namespace Recur.Tests.Models;

public class SequentialTests
{
    private static (Tensor X, Tensor Y, int[] Classes) Batch(int b, int t, int i, int c, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new Tensor(b, t, i);
        for (int k = 0; k < x.Length; k++)
        {
            x.Data[k] = rng.NextFloat();
        }

        var y = new Tensor(b, c);
        int[] classes = new int[b];
        for (int r = 0; r < b; r++)
        {
            classes[r] = rng.NextInt(c);
            y[r, classes[r]] = 1f;
        }

        return (x, y, classes);
    }

    private static Sequential Model(ulong seed)
    {
        var rng = new Rng(seed);
        return [new Lstm(5, 8, forgetBias: 1f, rng: rng), new Dense(8, 4, rng: rng)];
    }

    [Fact]
    public void TrainOnBatchIsTheHandWrittenTrainingStep()
    {
        var (x, y, classes) = Batch(6, 7, 5, 4, 11);
        var model = Model(3);
        model.Compile(new SoftmaxCrossEntropy(), new Adam(0.01));
        var rng = new Rng(3);
        var reference = new LstmClassifier(new Lstm(5, 8, forgetBias: 1f, rng: rng), new Dense(8, 4, rng: rng));
        var adam = new Adam(0.01);

        for (int step = 0; step < 5; step++)
        {
            BatchResult r = model.TrainOnBatch(x, y);
            float expected = reference.TrainStep(x, classes, adam);
            Assert.Equal(expected, r.Loss);
            Assert.InRange(r.Accuracy, 0f, 1f);
            Assert.True(r.GradientNorm > 0f);
        }

        // The reference takes class indices and the model one-hot rows: the two loss gradients
        // round differently ((p·1 − 1)/B against p/B − 1/B), so the weights agree to float rounding.
        Assert.Equal(reference.Parameters.Length, model.Parameters.Count);
        for (int p = 0; p < reference.Parameters.Length; p++)
        {
            float[] expected = reference.Parameters[p].Value.Data, actual = model.Parameters[p].Value.Data;
            for (int k = 0; k < expected.Length; k++)
            {
                Assert.True(Math.Abs(expected[k] - actual[k]) <= 1e-6f, $"{model.Parameters[p].Name}[{k}]: {expected[k]} vs {actual[k]}");
            }
        }
    }

    [Fact]
    public void PredictInBatchesEqualsOneForwardAndEvaluateAgreesWithIt()
    {
        var (x, y, classes) = Batch(23, 4, 5, 4, 5);
        var model = Model(9);
        model.Compile(new SoftmaxCrossEntropy(), new Sgd(0.1));
        Tensor whole = model.Forward(x).Clone();
        Tensor batched = model.Predict(x, batchSize: 5);
        Assert.Equal(whole.Data, batched.Data);

        BatchResult e = model.Evaluate(x, y, batchSize: 7);
        Assert.Equal(Accuracy.FromClasses(whole, classes), e.Accuracy, 6);
        Assert.Equal(new SoftmaxCrossEntropy().Forward(whole, y), e.Loss, 5);
    }

    [Fact]
    public void MisuseGetsClearErrors()
    {
        var model = new Sequential();
        var noLayers = Assert.Throws<InvalidOperationException>(() => model.Forward(new Tensor(1, 2, 5)));
        Assert.Contains("no layers", noLayers.Message);

        model.Add(new Lstm(5, 8));
        var duplicate = Assert.Throws<ArgumentException>(() => model.Add(new Lstm(8, 8)));
        Assert.Contains("'lstm' is already", duplicate.Message);

        var notCompiled = Assert.Throws<InvalidOperationException>(() => model.TrainOnBatch(new Tensor(1, 2, 5), new Tensor(1, 8)));
        Assert.Contains("Compile", notCompiled.Message);

        Assert.Throws<ArgumentOutOfRangeException>(() => model.Compile(new SoftmaxCrossEntropy(), new Sgd(0.1), clipNorm: 0f));
        model.Compile(new SoftmaxCrossEntropy(), new Sgd(0.1));
        var rows = Assert.Throws<ArgumentException>(() => model.Evaluate(new Tensor(3, 2, 5), new Tensor(2, 8)));
        Assert.Contains("3 rows", rows.Message);
    }

    [Fact]
    public void ADivergingStepThrowsAndLeavesTheWeightsAlone()
    {
        var (x, y, _) = Batch(4, 3, 5, 4, 2);
        var model = Model(1);
        model.Compile(new SoftmaxCrossEntropy(), new Sgd(0.1));
        model.Layers[1].Parameters[0].Value.Data[0] = float.PositiveInfinity;
        float[][] before = [.. model.Parameters.Select(p => (float[])p.Value.Data.Clone())];

        var e = Assert.Throws<DivergenceException>(() => model.TrainOnBatch(x, y));
        Assert.Contains("lower the learning rate", e.Message);
        for (int p = 0; p < before.Length; p++)
        {
            Assert.Equal(before[p], model.Parameters[p].Value.Data);
        }
    }

    [Fact]
    public void ClippingLimitsTheUpdateToTheGivenNorm()
    {
        var (x, y, _) = Batch(4, 3, 5, 4, 8);
        var clipped = Model(4);
        clipped.Compile(new SoftmaxCrossEntropy(), new Sgd(1.0), clipNorm: 1e-3f);
        float[][] before = [.. clipped.Parameters.Select(p => (float[])p.Value.Data.Clone())];
        BatchResult r = clipped.TrainOnBatch(x, y);
        Assert.True(r.GradientNorm > 1e-3f, $"pre-clip norm {r.GradientNorm}");

        double moved = 0;
        for (int p = 0; p < before.Length; p++)
        {
            for (int k = 0; k < before[p].Length; k++)
            {
                double d = clipped.Parameters[p].Value.Data[k] - before[p][k];
                moved += d * d;
            }
        }

        Assert.InRange(Math.Sqrt(moved), 0.9e-3, 1.1e-3);
    }

    [Fact]
    public void ClipNormCanBeChangedBetweenCallsAndIsChecked()
    {
        var (x, y, _) = Batch(4, 3, 5, 4, 8);
        var model = Model(4);
        model.Compile(new SoftmaxCrossEntropy(), new Sgd(1.0));
        Assert.Null(model.ClipNorm);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ClipNorm = -1f);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ClipNorm = float.NaN);
        model.ClipNorm = 1e-3f;
        float[] before = (float[])model.Parameters[0].Value.Data.Clone();
        model.Fit(x, y, batchSize: 4, epochs: 1, verbose: 0, shuffle: false);
        double moved = 0;
        for (int k = 0; k < before.Length; k++)
        {
            double d = model.Parameters[0].Value.Data[k] - before[k];
            moved += d * d;
        }

        Assert.True(Math.Sqrt(moved) <= 1.0001e-3, $"one clipped SGD step of lr 1 moved the first parameter by {Math.Sqrt(moved)}");
    }
}
