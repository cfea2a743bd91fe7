using Recur.Layers;
using Recur.Models;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Layers;

/// <summary>Stacked and bidirectional recurrent layers against torch.nn.LSTM(num_layers=2 / bidirectional=True) and finite differences.</summary>
public class StackedTests(ITestOutputHelper output)
{
    private const double ForwardTolerance = 1e-5;
    private const double GradientTolerance = 1e-4;

    private static Lstm FromTorch(Fixture f, string suffix, bool returnSequences, string name)
    {
        int i = suffix.StartsWith("_l1", StringComparison.Ordinal) ? (int)f.Config("hidden_size") : (int)f.Config("input_size");
        var lstm = new Lstm(i, (int)f.Config("hidden_size"), forgetBias: 0f, returnSequences: returnSequences, name: name);
        lstm.CopyFromPyTorch(f["weight_ih" + suffix], f["weight_hh" + suffix], f["bias_ih" + suffix], f["bias_hh" + suffix]);
        return lstm;
    }

    private void AssertGradients(Fixture f, Lstm lstm, string suffix)
    {
        f.AssertClose("dweight_ih" + suffix, lstm.WeightIh.Grad, GradientTolerance, output);
        f.AssertClose("dweight_hh" + suffix, lstm.WeightHh.Grad, GradientTolerance, output);
        f.AssertClose("dbias" + suffix, lstm.Bias.Grad, GradientTolerance, output);
    }

    [Fact]
    public void TwoLayerLstmMatchesPyTorch()
    {
        var f = Fixture.Load("lstm_two_layer.json");
        Lstm first = FromTorch(f, "_l0", returnSequences: true, "lstm");
        Lstm second = FromTorch(f, "_l1", returnSequences: true, "lstm_1");
        var model = new Sequential { first, second };

        Tensor y = model.Forward(f["x"], training: true);
        f.AssertClose("y", y, ForwardTolerance, output);
        first.ComputeInputGradient = true; // Sequential turns it off for the first layer; the fixture has dx
        Tensor dx = model.Backward(f["dy"]);
        f.AssertClose("dx", dx, GradientTolerance, output);
        AssertGradients(f, first, "_l0");
        AssertGradients(f, second, "_l1");
    }

    [Fact]
    public void BidirectionalSequenceMatchesPyTorch()
    {
        var f = Fixture.Load("lstm_bidirectional.json");
        Lstm forward = FromTorch(f, "_l0", returnSequences: true, "forward_lstm");
        Lstm backward = FromTorch(f, "_l0_reverse", returnSequences: true, "backward_lstm");
        var bi = new Bidirectional(forward, backward);
        Assert.Equal(8, bi.OutputSize);

        Tensor y = bi.Forward(f["x"], training: true);
        f.AssertClose("y", y, ForwardTolerance, output);
        Tensor dx = bi.Backward(f["dy"]);
        f.AssertClose("dx", dx, GradientTolerance, output);
        AssertGradients(f, forward, "_l0");
        AssertGradients(f, backward, "_l0_reverse");
    }

    [Fact]
    public void BidirectionalLastStepIsForwardLastWithBackwardFirst()
    {
        // Keras's Bidirectional(LSTM(H)) without return_sequences: [forward at T−1, backward at 0].
        var f = Fixture.Load("lstm_bidirectional.json");
        var bi = new Bidirectional(
            FromTorch(f, "_l0", returnSequences: false, "forward_lstm"),
            FromTorch(f, "_l0_reverse", returnSequences: false, "backward_lstm"));
        f.AssertClose("last", bi.Forward(f["x"]), ForwardTolerance, output);
    }

    [Theory]
    [InlineData(true, BidirectionalMerge.Concat)]
    [InlineData(false, BidirectionalMerge.Concat)]
    [InlineData(true, BidirectionalMerge.Sum)]
    [InlineData(false, BidirectionalMerge.Sum)]
    public void BidirectionalGradientsMatchFiniteDifferences(bool returnSequences, BidirectionalMerge merge)
    {
        const int b = 2, t = 4, i = 3, h = 3;
        var forward = new Lstm(i, h, 1f, returnSequences, rng: new Rng(1), name: "forward_lstm");
        var backward = new Lstm(i, h, 1f, returnSequences, rng: new Rng(2), name: "backward_lstm");
        forward.Bias.Value.CopyFrom(GradCheck.Values(1, 0.5f, 4 * h));
        backward.Bias.Value.CopyFrom(GradCheck.Values(2, 0.5f, 4 * h));
        var bi = new Bidirectional(forward, backward, merge);
        Tensor x = GradCheck.Values(3, 1f, b, t, i);
        int o = bi.OutputSize;
        Tensor wy = returnSequences ? GradCheck.Values(4, 1f, b, t, o) : GradCheck.Values(4, 1f, b, o);

        double Loss() => GradCheck.Dot(bi.Forward(x), wy);

        bi.Forward(x, training: true);
        Tensor dx = bi.Backward(wy).Clone();
        GradCheck.Check("bi.x", x, dx, Loss, output);
        foreach (Parameter p in bi.Parameters)
        {
            GradCheck.Check("bi." + bi.ParameterName(p), p.Value, p.Grad, Loss, output);
        }
    }

    [Fact]
    public void BidirectionalRejectsMismatchedOrSharedDirections()
    {
        var a = new Lstm(3, 4, name: "forward_lstm");
        Assert.Contains("same layer", Assert.Throws<ArgumentException>(() => new Bidirectional(a, a)).Message);
        var wide = new Lstm(3, 5, name: "backward_lstm");
        Assert.Contains("must match", Assert.Throws<ArgumentException>(() => new Bidirectional(a, wide)).Message);
        var sameName = new Lstm(3, 4, name: "forward_lstm");
        Assert.Contains("name them apart", Assert.Throws<ArgumentException>(() => new Bidirectional(a, sameName)).Message);
        var bi = new Bidirectional(a, new Lstm(3, 4, name: "backward_lstm"));
        Assert.Contains("[batch, steps, 3]", Assert.Throws<ArgumentException>(() => bi.Forward(new Tensor(2, 5, 4))).Message);
        Assert.Throws<InvalidOperationException>(() => bi.Backward(new Tensor(2, 8)));
    }

    [Fact]
    public void StackedBidirectionalModelTrainsSavesAndLoads()
    {
        using var dir = new TempDirectory();
        var model = new Sequential(seed: 3)
        {
            new BidirectionalLayer(new LstmLayer(6, ReturnSequences: true)) { InputShape = [5, 4] },
            new DropoutLayer(0.25f),
            new BidirectionalLayer(new LstmLayer(6), BidirectionalMerge.Sum),
            new DenseLayer(3),
        };
        model.Compile(new Recur.Losses.CategoricalCrossentropy(fromLogits: true), new Recur.Optimizers.Adam(0.01));
        Tensor x = GradCheck.Values(1, 1f, 8, 5, 4);
        var y = new Tensor(8, 3);
        for (int r = 0; r < 8; r++)
        {
            y[r, r % 3] = 1f;
        }

        float first = model.TrainOnBatch(x, y).Loss;
        Assert.Equal(12, Assert.IsType<Bidirectional>(model.Layers[0]).OutputSize);
        Assert.Equal(6, Assert.IsType<Bidirectional>(model.Layers[2]).OutputSize);
        Assert.Equal([3], model.OutputShape!);
        for (int k = 0; k < 30; k++)
        {
            model.TrainOnBatch(x, y);
        }

        Assert.True(model.TrainOnBatch(x, y).Loss < first * 0.8f, "the loss did not fall");
        Tensor before = model.Predict(x).Clone();
        ModelFile.Save(model, dir.Path);
        Sequential loaded = ModelFile.Load(dir.Path).Model;
        Assert.Equal(before.Data, loaded.Predict(x).Data);
        string[] names = SafeTensorNames(Path.Combine(dir.Path, "model.safetensors"));
        Assert.Contains("bidirectional.forward_lstm.weight_ih", names);
        Assert.Contains("bidirectional_1.backward_lstm.bias", names);
    }

    [Fact]
    public void BuiltBidirectionalAndDropoutLayersSaveAndLoad()
    {
        using var dir = new TempDirectory();
        var model = new Sequential
        {
            new Bidirectional(new Lstm(4, 5, returnSequences: true, rng: new Rng(1), name: "f"), new Lstm(4, 5, returnSequences: true, rng: new Rng(2), name: "b"), name: "bi"),
            new Dropout(0.5f, name: "drop"),
            new Lstm(10, 3, rng: new Rng(3), name: "top"),
        };
        model.Compile("mse", "sgd");
        Assert.False(FirstLayer(model).ComputeInputGradient); // the first layer's input is data
        Tensor x = GradCheck.Values(2, 1f, 2, 6, 4);
        Tensor before = model.Predict(x).Clone();
        ModelFile.Save(model, dir.Path);
        Sequential loaded = ModelFile.Load(dir.Path).Model;
        Assert.Equal(before.Data, loaded.Predict(x).Data);
        var bi = Assert.IsType<Bidirectional>(loaded.Layers[0]);
        Assert.Equal("b", bi.BackwardLayer.Name);
        Assert.Equal(0.5f, Assert.IsType<Dropout>(loaded.Layers[1]).Rate);
    }

    [Fact]
    public void ReadmeDeeperKerasModelBuildsAndCountsAsKeras()
    {
        // The README's example, as written there.
        var model = new Sequential(seed: 1)
        {
            new BidirectionalLayer(new LstmLayer(128, ReturnSequences: true)) { InputShape = [28, 28] },
            new DropoutLayer(0.2f),
            new GruLayer(128),                               // or SimpleRnnLayer(128, RnnActivation.Relu)
            new DenseLayer(10),
        };
        model.Compile(new Recur.Losses.CategoricalCrossentropy(fromLogits: true), new Recur.Optimizers.Adam(0.001), ["accuracy"], clipNorm: 1f);

        // Keras: Bidirectional(LSTM(128)) on 28 features 2 × 80,384; GRU(128) on 256 features 3·128·(256 + 128 + 2) = 148,224; Dense 1,290.
        string summary = model.Summary();
        output.WriteLine(summary);
        Assert.Contains("160,768", summary);
        Assert.Contains("148,224", summary);
        Assert.Equal(160_768 + 148_224 + 1_290, model.Parameters.Sum(p => p.Value.Length));
        Assert.Equal([10], model.OutputShape!);
    }

    private static Bidirectional FirstLayer(Sequential model) => (Bidirectional)model.Layers[0];

    private static string[] SafeTensorNames(string path) =>
        [.. Recur.IO.SafeTensors.Load(path).Tensors.Keys];
}
