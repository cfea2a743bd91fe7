using Recur.Cli;
using Recur.IO;
using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Models;

/// <summary>
/// NaN and infinity are named where they enter (issue 16): in the data given to Fit, Evaluate and Predict (by their
/// index in the array), in loaded weights (by tensor), in predictions when asked — never reported as divergence.
/// </summary>
public sealed class NonFiniteTests(ITestOutputHelper log)
{
    /// <summary>An LSTM classifier of 3 classes over sequences [N, 4, 2], compiled with the sparse loss.</summary>
    private static Sequential Model()
    {
        var rng = new Rng(7);
        var model = new Sequential { new Lstm(2, 5, rng: rng), new Dense(5, 3, rng: rng) };
        model.Compile(new SparseCategoricalCrossentropy(fromLogits: true), new Adam(0.01));
        return model;
    }

    private static (Tensor X, Tensor Y) Data(int n = 30)
    {
        var rng = new Rng(3);
        var x = new Tensor(n, 4, 2);
        for (int i = 0; i < x.Length; i++)
        {
            x.Span[i] = rng.NextFloat() - 0.5f;
        }

        var y = new Tensor(n);
        for (int i = 0; i < n; i++)
        {
            y.Span[i] = i % 3;
        }

        return (x, y);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "Infinity")]
    public void NonFiniteInputsAreNamedByTheirIndexNotCalledDivergence(float value, string shown)
    {
        var (x, y) = Data();
        x.Span[(20 * 4 + 3) * 2 + 1] = value;
        Sequential model = Model();
        float[][] before = model.GetWeights();

        var fit = Assert.Throws<ArgumentException>(() => model.Fit(x, y, batchSize: 8, epochs: 1, verbose: 0));
        log.WriteLine(fit.Message);
        Assert.StartsWith($"Sequential.Fit: x[20, 3, 1] is {shown}; inputs must be finite", fit.Message);
        Assert.DoesNotContain("diverged", fit.Message);
        Assert.Equal(before, model.GetWeights()); // nothing trained

        var evaluate = Assert.Throws<ArgumentException>(() => model.Evaluate(x, y));
        Assert.StartsWith($"Sequential.Evaluate: x[20, 3, 1] is {shown}", evaluate.Message);
        var predict = Assert.Throws<ArgumentException>(() => model.Predict(x));
        Assert.StartsWith($"Sequential.Predict: x[20, 3, 1] is {shown}", predict.Message);

        var (vx, vy) = Data(6);
        vy.Span[4] = float.NaN;
        var validation = Assert.Throws<ArgumentException>(() => model.Fit(Data().X, Data().Y, verbose: 0, validationData: (vx, vy)));
        Assert.StartsWith("Sequential.Fit: validationData.Y[4] is NaN; targets must be finite", validation.Message);
    }

    [Fact]
    public void EmptyDataIsRefusedNotSkippedOrNaN()
    {
        Sequential model = Model();
        model.Fit(Data().X, Data().Y, verbose: 0);
        var empty = new Tensor(0, 4, 2);
        var fit = Assert.Throws<ArgumentException>(() => model.Fit(empty, new Tensor(0), verbose: 0));
        Assert.StartsWith("Sequential.Fit: x has no rows (shape [0, 4, 2]); give at least one example", fit.Message);
        var evaluate = Assert.Throws<ArgumentException>(() => model.Evaluate(empty, new Tensor(0)));
        Assert.StartsWith("Sequential.Evaluate: x has no rows", evaluate.Message);
        Assert.StartsWith("Sequential.Predict: x has no rows", Assert.Throws<ArgumentException>(() => model.Predict(empty)).Message);
    }

    [Theory]
    [InlineData(2.5f, "y[20] = 2.5 is not a class index in [0, 3) for a model with 3 outputs")]
    [InlineData(3f, "y[20] = 3 is not a class index in [0, 3)")]
    [InlineData(-1f, "y[20] = -1 is not a class index in [0, 3)")]
    public void ALabelThatIsNoClassIsNamedByItsRowInTheArray(float label, string expected)
    {
        var (x, y) = Data();
        y.Span[20] = label;
        Sequential model = Model();
        var fit = Assert.Throws<ArgumentException>(() => model.Fit(x, y, batchSize: 8, verbose: 0));
        log.WriteLine(fit.Message);
        Assert.StartsWith($"Sequential.Fit: {expected}", fit.Message);
        Assert.StartsWith($"Sequential.Evaluate: {expected}", Assert.Throws<ArgumentException>(() => model.Evaluate(x, y, batchSize: 8)).Message);
    }

    [Fact]
    public void PredictNamesANonFiniteOutputWhenAskedTo()
    {
        Sequential model = Model();
        var (x, _) = Data(4);
        model.Predict(x);
        model.Layers[1].Parameters[1].Value.Span[2] = float.NaN; // dense.bias[2]
        Assert.True(float.IsNaN(model.Predict(x).Span[2])); // unchecked by default, as Keras
        model.CheckFinitePredictions = true;
        var e = Assert.Throws<DivergenceException>(() => model.Predict(x));
        log.WriteLine(e.Message);
        Assert.StartsWith("Sequential.Predict: output[0, 2] is NaN; the inputs are finite, so the weights make it", e.Message);
    }

    [Fact]
    public void LoadRefusesNonFiniteWeightsNamingTheTensor()
    {
        using var dir = new TempDirectory();
        Sequential model = Model();
        model.Predict(Data(2).X);
        string path = dir.File("model");
        ModelFile.Save(model, path, new Dictionary<string, string> { ["dataset"] = "mnist", ["sequence"] = "rows" });
        string weights = Path.Combine(path, ModelFile.WeightsFileName);
        var tensors = SafeTensors.Load(weights);
        var edited = tensors.Names.ToDictionary(n => n, n => tensors.Tensors[n].Clone());
        string name = edited.Keys.Single(n => n.EndsWith(".bias", StringComparison.Ordinal) && edited[n].Length == 3);
        edited[name].Span[1] = float.NaN;
        SafeTensors.Save(weights, edited, tensors.Metadata.ToDictionary());

        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(path));
        log.WriteLine(e.Message);
        Assert.Contains($"tensor '{name}' holds NaN at [1]; weights must be finite", e.Message);

        var error = new StringWriter();
        int code = Program.Run(["predict", "--model", path, "--input", "x.pgm"], new StringWriter(), error);
        Assert.Equal(ExitCodes.Failed, code);
        Assert.Contains($"tensor '{name}' holds NaN", error.ToString());
    }
}
