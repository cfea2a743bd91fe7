using Recur.Initializers;
using Recur.Layers;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Tests.Layers;

/// <summary>The options records: Keras's defaults, what built layers report, chrono as an initializer, Bidirectional's directions.</summary>
public class LayerOptionsTests
{
    private static float[] Values(Parameter p) => p.Value.Data[..p.Value.Length];

    [Fact]
    public void AnLstmLayerStartsItsForgetGateAtOneAsKerasDoes()
    {
        var lstm = Assert.IsType<Lstm>(new LstmLayer(3).Build([5, 2], new Rng(1)));
        Assert.Equal(0f, lstm.ForgetBias);
        Assert.Equal([0f, 0f, 0f, 1f, 1f, 1f, 0f, 0f, 0f, 0f, 0f, 0f], Values(lstm.Bias)); // gates i, f, g, o

        // TensorFlow 1's constant forget bias of 1 on a zero bias is the same model at initialisation.
        var tutorial = Assert.IsType<Lstm>(new LstmLayer(3, ForgetBias: 1f) { UnitForgetBias = false }.Build([5, 2], new Rng(1)));
        Assert.Equal(new float[12], Values(tutorial.Bias));
        Assert.Equal(Values(lstm.WeightIh), Values(tutorial.WeightIh));
        Tensor x = GradCheck.Values(1, 1f, 2, 5, 2);
        Tensor a = lstm.Forward(x).Clone(), b = tutorial.Forward(x);
        for (int i = 0; i < a.Length; i++)
        {
            Assert.Equal(b.Data[i], a.Data[i], 6);
        }
    }

    [Fact]
    public void ADenseLayerStartsGlorotUniformWithZeroBiasAndTheEngineKeepsPyTorchs()
    {
        var keras = Assert.IsType<Dense>(new DenseLayer(4).Build([3], new Rng(2)));
        Assert.Equal(new float[4], Values(keras.Bias!));
        double limit = GlorotUniform.Limit(3, 4);
        Assert.All(Values(keras.Weight), v => Assert.InRange(v, -limit, limit));
        Assert.Contains(Values(keras.Weight), v => Math.Abs(v) > 1 / Math.Sqrt(3)); // beyond PyTorch's bound: not TorchUniform

        var engine = new Dense(3, 4, rng: new Rng(2));
        Assert.Equal(new TorchUniform(), engine.Options.KernelInitializer);
        Assert.All(Values(engine.Bias!), v => Assert.InRange(v, -1 / Math.Sqrt(3), 1 / Math.Sqrt(3)));
    }

    [Fact]
    public void AnEngineLayerReportsItsConstructorsArgumentsAndTheyRebuildIt()
    {
        var lstm = new Lstm(3, 4, forgetBias: 0.5f, returnSequences: true, kernelInitializer: new RandomNormal(0f, 0.1f), rng: new Rng(7), name: "enc") { Dropout = 0.1f };
        lstm.RecurrentDropout = 0.2f; // the options follow the rates as they are now
        Assert.Equal(
            new LstmLayer(4, 0.5f, true, 0.1f, 0.2f)
            {
                Name = "enc",
                InputShape = [-1, 3],
                UnitForgetBias = false,
                KernelInitializer = new RandomNormal(0f, 0.1f),
            },
            lstm.Options);
        var rebuilt = Assert.IsType<Lstm>(lstm.Options.Build([6, 3], new Rng(7)));
        Assert.Equal(Values(lstm.WeightIh), Values(rebuilt.WeightIh));
        Assert.Equal(Values(lstm.Bias), Values(rebuilt.Bias));
        Assert.Equal(("enc", 0.2f), (rebuilt.Name, rebuilt.RecurrentDropout));

        var rnn = new SimpleRnn(2, 3, RnnActivation.Relu, biasInitializer: new Constant(0.1f), rng: new Rng(8));
        var rnnAgain = Assert.IsType<SimpleRnn>(rnn.Options.Build([-1, 2], new Rng(8)));
        Assert.Equal(RnnActivation.Relu, rnnAgain.Activation);
        Assert.Equal(Values(rnn.WeightHh), Values(rnnAgain.WeightHh));
        Assert.Equal(Values(rnn.Bias), Values(rnnAgain.Bias));

        var dense = new Dense(3, 2, useBias: false, weightInitializer: new Constant(0.5f), name: "out");
        Assert.Equal(new DenseLayer(2, UseBias: false) { Name = "out", InputDim = 3, KernelInitializer = new Constant(0.5f), BiasInitializer = new TorchUniform() }, dense.Options);
        Assert.Equal(new DropoutLayer(0.3f) { Name = "drop" }, new Dropout(0.3f, name: "drop").Options);

        // A model's first Dense fixes no input shape, but its InputDim is checked against what comes before it.
        var e = Assert.Throws<ArgumentException>(() => new Sequential { new Lstm(3, 4), new Dense(5, 2) });
        Assert.Contains("Layer 'dense' (Dense) received input shape (None, 4), but expects (None, 5) or (None, steps, 5)", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Sequential { new Lstm(3, 4, returnSequences: true), new Lstm(5, 2) });
        Assert.Contains("'lstm' is already", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Sequential { new Lstm(3, 4, returnSequences: true), new Lstm(5, 2, name: "second") });
        Assert.Contains("Layer 'second' (LSTM) received input shape (None, None, 4), but expects (None, None, 5)", e.Message);
    }

    [Fact]
    public void AChronoBiasIsReportedAndBuiltFromTheRecords()
    {
        var lstm = new Lstm(2, 8, forgetBias: 1f, biasInitializer: new Chrono(20), rng: new Rng(3));
        Assert.Equal(new Chrono(20), lstm.Options.BiasInitializer);
        var rebuilt = Assert.IsType<Lstm>(lstm.Options.Build([20, 2], new Rng(3)));
        Assert.Equal(Values(lstm.Bias), Values(rebuilt.Bias));

        var rng = new Rng(4);
        var gru = new Gru(2, 8, rng: rng);
        gru.InitializeChrono(20, rng.Fork());
        var gruChrono = Assert.IsType<Gru>(new GruLayer(8) { BiasInitializer = new Chrono(20) }.Build([20, 2], new Rng(4)));
        Assert.Equal(Values(gru.BiasIh), Values(gruChrono.BiasIh));
        Assert.Equal(Values(gru.BiasHh), Values(gruChrono.BiasHh));

        var e = Assert.Throws<ArgumentException>(() => new LstmLayer(3) { BiasInitializer = new Chrono(5) }.Build([5, 2], new Rng(1)));
        Assert.Contains("UnitForgetBias = false", e.Message);
    }

    [Fact]
    public void ABidirectionalReportsItsDirectionsAndTheirNames()
    {
        var rng = new Rng(5);
        var named = new Bidirectional(new Lstm(3, 4, rng: rng, name: "fw"), new Lstm(3, 4, rng: rng, name: "bw"), BidirectionalMerge.Sum, "both");
        BidirectionalLayer options = named.Options!;
        Assert.Equal(("both", "fw", "bw"), (options.Name, options.Layer.Name, options.BackwardLayer!.Name));
        var rebuilt = Assert.IsType<Bidirectional>(options.Build([7, 3], new Rng(1)));
        Assert.Equal(("fw", "bw", BidirectionalMerge.Sum), (rebuilt.ForwardLayer.Name, rebuilt.BackwardLayer.Name, rebuilt.Merge));

        var keras = new Bidirectional(new Gru(3, 4, name: "forward_gru"), new Gru(3, 4, name: "backward_gru"));
        Assert.Equal(new BidirectionalLayer(new GruLayer(4)) { Name = "bidirectional", InputShape = [-1, 3] }, keras.Options);
        Assert.Equal("Bidirectional(GRU(4))", keras.Options!.Describe());

        var e = Assert.Throws<ArgumentException>(() => new Sequential { new BidirectionalLayer(new DenseLayer(3)) { InputShape = [5, 2] } });
        Assert.Contains("wraps a Dense; it needs a recurrent layer", e.Message);
        e = Assert.Throws<ArgumentException>(() => new Sequential { new BidirectionalLayer(new LstmLayer(3)) { InputShape = [5, 2], BackwardLayer = new LstmLayer(4) } });
        Assert.Contains("give them the same size", e.Message);
    }

    [Fact]
    public void BuiltLayersShowTheirKerasClassInTheSummary()
    {
        var rng = new Rng(2);
        Sequential model = [new Lstm(3, 4, rng: rng), new Dropout(0.2f, rng.Fork()), new Dense(4, 2, rng: rng)];
        string summary = model.Summary();
        Assert.Contains("lstm (LSTM)", summary);
        Assert.Contains("dropout (Dropout)", summary);
        Assert.Contains("(None, 2)", summary);
        Assert.Equal(["LSTM(4)", "Dropout(0.2)", "Dense(2)"], model.Configs.Select(c => c!.Describe()));
    }
}
