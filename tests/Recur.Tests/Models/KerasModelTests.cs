using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Training;
using Xunit;

namespace Recur.Tests.Models;

public class KerasModelTests
{
    internal static (Tensor X, Tensor OneHot, Tensor Classes) Data(int n, int t, int i, int c, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new Tensor(n, t, i);
        var oneHot = new Tensor(n, c);
        var classes = new Tensor(n);
        for (int r = 0; r < n; r++)
        {
            int k = rng.NextInt(c);
            classes.Data[r] = k;
            oneHot[r, k] = 1f;
            for (int s = 0; s < t; s++)
            {
                for (int f = 0; f < i; f++)
                {
                    // The class shifts the mean of one feature, so the task is learnable.
                    x[r, s, f] = rng.NextFloat() + (f == k % i ? 0.8f : 0f);
                }
            }
        }

        return (x, oneHot, classes);
    }

    [Fact]
    public void SummaryHasKerasCountsForTheTutorialModel()
    {
        var model = new Sequential(seed: 1)
        {
            new LstmLayer(128) { InputShape = [28, 28] },
            new DenseLayer(10),
        };

        string summary = model.Summary();
        Assert.Contains("lstm (LSTM)", summary);
        Assert.Contains("(None, 128)", summary);
        Assert.Contains("80,384", summary);
        Assert.Contains("dense (Dense)", summary);
        Assert.Contains("(None, 10)", summary);
        Assert.Contains("1,290", summary);
        Assert.Contains("Total params: 81,674 (319.04 KB)", summary);
        Assert.Contains("Trainable params: 81,674", summary);
        Assert.Contains("Non-trainable params: 0 (0.00 B)", summary);
        Assert.Equal(81_674, model.Parameters.Sum(p => p.Value.Length));
    }

    [Fact]
    public void NamesAreAssignedKerasStyleAndShapesPropagate()
    {
        var model = new Sequential(seed: 2)
        {
            new LstmLayer(6, ReturnSequences: true) { InputShape = [5, 3] },
            new LstmLayer(4),
            new DenseLayer(8),
            new DenseLayer(2, Activation.Softmax),
        };

        Assert.Equal(["lstm", "lstm_1", "dense", "dense_1"], model.Layers.Select(l => l.Name));
        Assert.Equal([2], model.OutputShape!);
        Tensor y = model.Predict(new Tensor(3, 5, 3));
        Assert.Equal([3, 2], y.Shape.ToArray());
        Assert.Equal(1f, y[0, 0] + y[0, 1], 5);
    }

    [Fact]
    public void MinusOneStepsTakesSequencesOfAnyLength()
    {
        var model = new Sequential(seed: 3) { new LstmLayer(4, ReturnSequences: true) { InputShape = [-1, 3] }, new DenseLayer(2) };
        Assert.Contains("(None, None, 2)", model.Summary());
        Assert.Equal([2, 5, 2], model.Predict(new Tensor(2, 5, 3)).Shape.ToArray());
        Assert.Equal([2, 7, 2], model.Predict(new Tensor(2, 7, 3)).Shape.ToArray());
        Assert.Throws<ArgumentException>(() => model.Predict(new Tensor(2, 7, 4)));
        Assert.Throws<ArgumentException>(() => new Sequential { new LstmLayer(4) { InputShape = [5, -1] } });
    }

    [Fact]
    public void LayersWithoutInputShapeAreBuiltByTheFirstData()
    {
        var model = new Sequential(seed: 3) { new LstmLayer(4), new DenseLayer(2) };
        Assert.False(model.IsBuilt);
        Assert.Empty(model.Parameters);
        Assert.Throws<InvalidOperationException>(() => model.Summary());
        model.Predict(new Tensor(2, 7, 3));
        Assert.True(model.IsBuilt);
        Assert.Equal([7, 3], model.InputShape!);
        Assert.Equal(4 * 4 * (3 + 4) + 16 + 4 * 2 + 2, model.Parameters.Sum(p => p.Value.Length));
    }

    [Fact]
    public void TheSameSeedBuildsTheSameWeights()
    {
        Sequential Make(ulong seed) => new(seed) { new LstmLayer(4) { InputShape = [3, 2] }, new DenseLayer(2) };
        Sequential a = Make(5), b = Make(5), c = Make(6);
        Assert.Equal(a.Parameters[0].Value.Data, b.Parameters[0].Value.Data);
        Assert.NotEqual(a.Parameters[0].Value.Data, c.Parameters[0].Value.Data);
    }

    [Fact]
    public void WrongShapesAndNamesAreClearErrors()
    {
        var model = new Sequential { new LstmLayer(4) { InputShape = [28, 28] }, new DenseLayer(10) };
        var e = Assert.Throws<ArgumentException>(() => model.Predict(new Tensor(2, 28, 1)));
        Assert.Contains("[2, 28, 1]", e.Message);
        Assert.Contains("(None, 28, 28)", e.Message);

        e = Assert.Throws<ArgumentException>(() => model.Add(new DenseLayer(3) { Name = "dense" }));
        Assert.Contains("'dense' is already", e.Message);

        e = Assert.Throws<ArgumentException>(() => new Sequential { new LstmLayer(4) { InputShape = [784] } });
        Assert.Contains("(None, steps, features)", e.Message);
    }

    [Fact]
    public void ConfigsAreEqualByValueIncludingTheInputShape()
    {
        Assert.Equal(new LstmLayer(4) { InputShape = [3, 2] }, new LstmLayer(4) { InputShape = [3, 2] });
        Assert.NotEqual(new LstmLayer(4) { InputShape = [3, 2] }, new LstmLayer(4) { InputShape = [3, 3] });
        Assert.NotEqual<LayerConfig>(new LstmLayer(4), new LstmLayer(4, ForgetBias: 1f));
        Assert.NotEqual<LayerConfig>(new LstmLayer(4), new LstmLayer(4) { UnitForgetBias = false });
        Assert.NotEqual<LayerConfig>(new LstmLayer(4), new LstmLayer(4) { KernelInitializer = new Recur.Initializers.Orthogonal() });
        Assert.Equal<LayerConfig>(new LstmLayer(4) { BiasInitializer = new Recur.Initializers.Chrono(28) }, new LstmLayer(4) { BiasInitializer = new Recur.Initializers.Chrono(28) });
        Assert.NotEqual<LayerConfig>(new DenseLayer(4), new DenseLayer(4) { Name = "x" });
    }

    [Theory]
    [InlineData("categorical_crossentropy", true)]
    [InlineData("categorical_crossentropy", false)]
    [InlineData("sparse_categorical_crossentropy", true)]
    [InlineData("sparse_categorical_crossentropy", false)]
    public void EveryCrossEntropyFormGivesTheSameLossAndGradientOnLogits(string name, bool fromLogits)
    {
        var (x, oneHot, classes) = Data(6, 4, 3, 3, 7);
        var model = new Sequential(seed: 4) { new LstmLayer(5) { InputShape = [4, 3] }, new DenseLayer(3, fromLogits ? Activation.Linear : Activation.Softmax) };
        model.Compile(Loss.FromName(name, fromLogits), new Sgd(0.1), ["accuracy"]);
        var reference = new Sequential(seed: 4) { new LstmLayer(5) { InputShape = [4, 3] }, new DenseLayer(3) };
        reference.Compile(new SoftmaxCrossEntropy(), new Sgd(0.1));
        Tensor y = name.StartsWith("sparse", StringComparison.Ordinal) ? classes : oneHot;
        BatchResult r = model.TrainOnBatch(x, y), expected = reference.TrainOnBatch(x, oneHot);
        Assert.Equal(expected.Loss, r.Loss, 5);
        Assert.Equal(expected.Accuracy, r.Accuracy);
        Assert.Equal(expected.GradientNorm, r.GradientNorm, 4);
    }

    [Fact]
    public void LabelsThatDoNotMatchTheLossAreClearErrors()
    {
        var (x, oneHot, classes) = Data(4, 3, 2, 3, 8);
        var model = new Sequential { new LstmLayer(4) { InputShape = [3, 2] }, new DenseLayer(3) };
        model.Compile(new SparseCategoricalCrossentropy(fromLogits: true), new Sgd(0.1));
        Assert.Contains("looks one-hot", Assert.Throws<ArgumentException>(() => model.TrainOnBatch(x, oneHot)).Message);
        var bad = classes.Clone();
        bad.Data[1] = 3;
        Assert.Contains("not a class index in [0, 3)", Assert.Throws<ArgumentException>(() => model.TrainOnBatch(x, bad)).Message);
        Assert.Contains("one target per input", Assert.Throws<ArgumentException>(() => model.Evaluate(x, new Tensor(3))).Message);

        model.Compile("categorical_crossentropy", new Sgd(0.1));
        Assert.Contains("not a probability", Assert.Throws<ArgumentException>(() => model.TrainOnBatch(x, oneHot)).Message);
        model.Compile(new CategoricalCrossentropy(fromLogits: true), new Sgd(0.1));
        Assert.Contains("sparse_categorical_crossentropy", Assert.Throws<ArgumentException>(() => model.TrainOnBatch(x, classes)).Message);
        Assert.Throws<ArgumentException>(() => model.Compile("hinge", new Sgd(0.1)));
        Assert.Throws<ArgumentException>(() => model.Compile("mse", new Sgd(0.1), ["accuracy"]));
        Assert.Contains("'nadam'", Assert.Throws<ArgumentException>(() => model.Compile("mse", "nadam")).Message);
        model.Compile("sparse_categorical_crossentropy", "adam", ["acc"]);
        Assert.Equal(1e-7, Assert.IsType<Adam>(model.Optimizer).Epsilon);
        Assert.Equal(["accuracy"], model.Metrics);
    }

    [Fact]
    public void MeanSquaredErrorTrainsASequenceRegression()
    {
        var rng = new Rng(9);
        var x = new Tensor(16, 5, 1);
        var y = new Tensor(16, 1);
        for (int r = 0; r < 16; r++)
        {
            for (int s = 0; s < 5; s++)
            {
                x[r, s, 0] = rng.NextFloat();
                y[r, 0] += x[r, s, 0] / 5;
            }
        }

        var model = new Sequential(seed: 9) { new LstmLayer(8) { InputShape = [5, 1] }, new DenseLayer(1) };
        model.Compile("mse", new Adam(0.01));
        float first = model.TrainOnBatch(x, y).Loss;
        for (int i = 0; i < 100; i++)
        {
            model.TrainOnBatch(x, y);
        }

        Assert.True(model.Evaluate(x, y).Loss < first / 5, $"mse {model.Evaluate(x, y).Loss} vs first {first}");
        Assert.True(float.IsNaN(model.Evaluate(x, y).Accuracy));
    }
}
