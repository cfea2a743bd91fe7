using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Training;
using Xunit.Abstractions;

namespace Recur.Tests.Models;

/// <summary>
/// Sequences of their own lengths through the model: <c>Fit</c>, <c>Evaluate</c> and <c>Predict</c> with PyTorch's
/// lengths, learning a task that depends on each sequence's last valid step, and a resumed masked run bit for bit.
/// </summary>
public class MaskedFitTests(ITestOutputHelper output) : IDisposable
{
    private const int Steps = 12;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// Sequences of 2 … 12 random values padded at the end with zeros; the class is whether the last valid value is
    /// positive — what zero-padding at the end hides from a model that reads every step.
    /// </summary>
    private static (Tensor X, Tensor Y, int[] Lengths) LastValueTask(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new Tensor(n, Steps, 1);
        var y = new Tensor(n, 2);
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++)
        {
            lengths[i] = 2 + (int)(rng.NextFloat() * (Steps - 1));
            for (int s = 0; s < lengths[i]; s++)
            {
                x.Span[(i * Steps) + s] = (rng.NextFloat() * 2f) - 1f;
            }

            y.Span[(i * 2) + (x.Span[(i * Steps) + lengths[i] - 1] > 0 ? 1 : 0)] = 1f;
        }

        return (x, y, lengths);
    }

    private static Sequential Model(ulong seed = 3)
    {
        var model = new Sequential(seed)
        {
            new GruLayer(16) { InputShape = [Steps, 1] },
            new DenseLayer(2),
        };
        model.Compile(new CategoricalCrossentropy(fromLogits: true), new Adam(0.01), ["accuracy"]);
        return model;
    }

    [Fact]
    public void FitWithLengthsLearnsWhatDependsOnTheLastValidStep()
    {
        var (x, y, lengths) = LastValueTask(640, 1);
        var (vx, vy, vLengths) = LastValueTask(200, 2);
        Sequential model = Model();
        History history = model.Fit(x, y, batchSize: 32, epochs: 8, verbose: 0, validationData: (vx, vy), lengths: lengths, validationLengths: vLengths);
        double accuracy = history["val_accuracy"][^1];
        output.WriteLine($"validation accuracy with lengths after 8 epochs: {accuracy:F3}");
        Assert.True(accuracy >= 0.9, $"validation accuracy {accuracy}");
        Assert.Equal(accuracy, model.Evaluate(vx, vy, 64, vLengths).Accuracy, 6);
    }

    [Fact]
    public void PredictWithLengthsEqualsEachSequenceCutToItsLength()
    {
        var (x, _, lengths) = LastValueTask(20, 4);
        Sequential model = Model();
        Tensor all = model.Predict(x, 7, lengths);
        for (int i = 0; i < x.Dim(0); i++)
        {
            var alone = new Tensor(1, lengths[i], 1);
            x.Span.Slice(i * Steps, lengths[i]).CopyTo(alone.Span);
            var single = new Sequential(3) { new GruLayer(16) { InputShape = [-1, 1] }, new DenseLayer(2) };
            single.Build(lengths[i], 1);
            single.SetWeights(model.GetWeights());
            Assert.Equal(single.Predict(alone).Span.ToArray(), all.Span.Slice(i * 2, 2).ToArray());
        }
    }

    [Fact]
    public void BadLengthsNameTheEntryAndTheFix()
    {
        var (x, y, lengths) = LastValueTask(10, 5);
        lengths[3] = Steps + 1;
        var e = Assert.Throws<ArgumentException>(() => Model().Fit(x, y, verbose: 0, lengths: lengths));
        Assert.Contains("lengths[3] is 13", e.Message);
        Assert.Contains("at most the 12 steps", e.Message);
        lengths[3] = 0;
        e = Assert.Throws<ArgumentException>(() => Model().Predict(x, 4, lengths));
        Assert.Contains("lengths[3] is 0", e.Message);
        e = Assert.Throws<ArgumentException>(() => Model().Predict(x, 4, [1, 2]));
        Assert.Contains("2 lengths for x of shape [10, 12, 1]", e.Message);
    }

    [Fact]
    public void MaskedRunResumesBitForBit()
    {
        var (x, y, lengths) = LastValueTask(96, 6);
        Sequential reference = Model();
        History expected = reference.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0, lengths: lengths);

        string backup = _dir.File("backup");
        Sequential first = Model();
        Assert.Throws<InvalidOperationException>(() =>
            first.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0, lengths: lengths, callbacks: [new BackupAndRestore(backup, saveFrequency: 2), new StopAt(9)]));
        Sequential resumed = Model();
        History history = resumed.Fit(x, y, batchSize: 16, epochs: 2, verbose: 0, lengths: lengths, callbacks: [new BackupAndRestore(backup, saveFrequency: 2), new StopAt(int.MaxValue)]);
        Assert.Equal(expected["loss"], history["loss"]);
        float[][] a = reference.GetWeights(), b = resumed.GetWeights();
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(a[i], b[i]);
        }
    }

    /// <summary>Throws at the start of step <c>stopAt</c> (counting from 1), as a crash would.</summary>
    private sealed class StopAt(int stopAt) : Callback
    {
        private int _step;

        public override void OnBatchBegin(int batch)
        {
            if (++_step == stopAt)
            {
                throw new InvalidOperationException($"stopped at step {stopAt}");
            }
        }
    }
}
