using Recur.Layers;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Tests.Models;
using Xunit;

namespace Recur.Tests.Layers;

/// <summary>Keras-style <see cref="GruLayer"/> and <see cref="SimpleRnnLayer"/>: summary counts, names, saving and loading.</summary>
public class RecurrentConfigTests
{
    [Fact]
    public void SummaryHasKerasCounts()
    {
        var gru = new Sequential(seed: 1) { new GruLayer(128) { InputShape = [28, 28] }, new DenseLayer(10) };
        string summary = gru.Summary();
        Assert.Contains("gru (GRU)", summary);
        Assert.Contains("(None, 128)", summary);
        Assert.Contains("60,672", summary); // Keras: GRU(128) on 28 features, reset_after=True
        Assert.Contains("Total params: 61,962", summary);

        var rnn = new Sequential(seed: 1) { new SimpleRnnLayer(128, ReturnSequences: true) { InputShape = [28, 28] }, new DenseLayer(10) };
        summary = rnn.Summary();
        Assert.Contains("simple_rnn (SimpleRNN)", summary);
        Assert.Contains("(None, 28, 128)", summary);
        Assert.Contains("20,096", summary); // Keras: SimpleRNN(128) on 28 features
        Assert.Contains("(None, 28, 10)", summary);

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Sequential { new GruLayer(0) { InputShape = [3, 2] } });
        Assert.Contains("GruLayer: Units must be a positive integer; received 0", e.Message);
        var shape = Assert.Throws<ArgumentException>(() => new Sequential { new SimpleRnnLayer(4) { InputShape = [784] } });
        Assert.Contains("'simple_rnn' (SimpleRNN) received input shape (None, 784)", shape.Message);
    }

    [Fact]
    public void ConfigsRoundTripThroughTheModelFileAndPredictBitIdentically()
    {
        using var dir = new TempDirectory();
        (Tensor x, Tensor y, _) = KerasModelTests.Data(20, 4, 3, 3, 41);
        var model = new Sequential(seed: 9, name: "recurrent")
        {
            new GruLayer(5, ReturnSequences: true) { InputShape = [4, 3] },
            new SimpleRnnLayer(6, RnnActivation.Relu, ReturnSequences: true),
            new SimpleRnnLayer(4, ReturnSequences: true) { Name = "middle" },
            new GruLayer(7),
            new DenseLayer(3, Activation.Softmax),
        };
        Assert.Equal(["gru", "simple_rnn", "middle", "gru_1", "dense"], model.Configs.Select(c => c!.Name));
        model.Compile("categorical_crossentropy", new Adam(0.01), ["accuracy"]);
        model.Fit(x, y, batchSize: 10, epochs: 1, verbose: 0);

        model.Save(dir.Path);
        string config = File.ReadAllText(dir.File(ModelFile.ConfigFileName));
        Assert.Contains("\"class_name\": \"GRU\"", config);
        Assert.Contains("\"class_name\": \"SimpleRNN\"", config);
        Assert.Contains("\"activation\": \"relu\"", config); // Keras writes enum values in lower case

        Sequential loaded = Sequential.Load(dir.Path);
        Assert.Equal(model.Configs, loaded.Configs);
        Assert.Equal(RnnActivation.Relu, Assert.IsType<SimpleRnn>(loaded.Layers[1]).Activation);
        Assert.Equal(model.Predict(x).Data, loaded.Predict(x).Data);
        Assert.NotEqual(new GruLayer(5), new GruLayer(5, ReturnSequences: true));
        Assert.NotEqual(new SimpleRnnLayer(5), new SimpleRnnLayer(5, RnnActivation.Relu));
    }

    [Fact]
    public void BuiltLayersSaveAndLoad()
    {
        using var dir = new TempDirectory();
        var rng = new Rng(3);
        Sequential model =
        [
            new Gru(3, 6, returnSequences: true, rng: rng, name: "encoder"),
            new SimpleRnn(6, 5, RnnActivation.Relu, rng: rng),
            new Dense(5, 2, rng: rng),
        ];
        Tensor x = GradCheck.Values(1, 1f, 4, 7, 3);
        Tensor expected = model.Predict(x);

        ModelFile.Save(model, dir.Path);
        (Sequential loaded, _) = ModelFile.Load(dir.Path);
        Assert.Equal(expected.Data, loaded.Predict(x).Data);
        Gru gru = Assert.IsType<Gru>(loaded.Layers[0]);
        Assert.Equal(("encoder", 3, 6, true), (gru.Name, gru.InputSize, gru.HiddenSize, gru.ReturnSequences));
        SimpleRnn rnn = Assert.IsType<SimpleRnn>(loaded.Layers[1]);
        Assert.Equal(("simple_rnn", RnnActivation.Relu, false), (rnn.Name, rnn.Activation, rnn.ReturnSequences));
    }

    [Fact]
    public void DropoutRatesRoundTripAndLeaveParameterCountsAlone()
    {
        using var dir = new TempDirectory();
        var model = new Sequential(seed: 5)
        {
            new LstmLayer(8, ReturnSequences: true, Dropout: 0.1f, RecurrentDropout: 0.2f) { InputShape = [4, 3] },
            new BidirectionalLayer(new GruLayer(6, ReturnSequences: true, RecurrentDropout: 0.3f)),
            new SimpleRnnLayer(5, Dropout: 0.4f, RecurrentDropout: 0.5f),
            new DenseLayer(2),
        };
        Lstm lstm = Assert.IsType<Lstm>(model.Layers[0]);
        Assert.Equal((0.1f, 0.2f), (lstm.Dropout, lstm.RecurrentDropout));
        Assert.Equal(4 * 8 * (3 + 8) + (4 * 8), lstm.Parameters.Sum(p => p.Value.Length)); // Keras's count, unchanged

        model.Save(dir.Path);
        string config = File.ReadAllText(dir.File(ModelFile.ConfigFileName));
        Assert.Contains("\"recurrent_dropout\": 0.3", config);
        Sequential loaded = Sequential.Load(dir.Path);
        Assert.Equal(model.Configs, loaded.Configs);
        var bi = Assert.IsType<Bidirectional>(loaded.Layers[1]);
        Assert.Equal(0.3f, Assert.IsType<Gru>(bi.BackwardLayer).RecurrentDropout);
        SimpleRnn rnn = Assert.IsType<SimpleRnn>(loaded.Layers[2]);
        Assert.Equal((0.4f, 0.5f), (rnn.Dropout, rnn.RecurrentDropout));
        Assert.NotEqual(new LstmLayer(8), new LstmLayer(8, RecurrentDropout: 0.2f));

        // A config.json written before the rates existed loads with both at 0.
        string old = config.Replace("\"dropout\": 0.1,", "").Replace("\"recurrent_dropout\": 0.2,", "");
        Assert.DoesNotContain("0.1", old);
        File.WriteAllText(dir.File(ModelFile.ConfigFileName), old);
        Lstm first = Assert.IsType<Lstm>(Sequential.Load(dir.Path).Layers[0]);
        Assert.Equal((0f, 0f), (first.Dropout, first.RecurrentDropout));

        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Sequential { new GruLayer(4, RecurrentDropout: 1f) { InputShape = [3, 2] } });
        Assert.Contains("Layer 'gru' (GRU): RecurrentDropout must be at least 0 and below 1; received 1", e.Message);
    }

    [Fact]
    public void BuiltLayersSaveTheirCurrentRates()
    {
        using var dir = new TempDirectory();
        var rng = new Rng(3);
        var lstm = new Lstm(3, 4, returnSequences: true, rng: rng);
        Sequential model =
        [
            lstm,
            new Gru(4, 5, rng: rng, name: "plain"),
            new Dense(5, 2, rng: rng),
        ];
        lstm.RecurrentDropout = 0.25f; // after Add: the options are read when the model is saved
        ModelFile.Save(model, dir.Path);
        string config = File.ReadAllText(dir.File(ModelFile.ConfigFileName));
        Assert.Contains("\"recurrent_dropout\": 0.25", config);
        (Sequential loaded, _) = ModelFile.Load(dir.Path);
        Lstm first = Assert.IsType<Lstm>(loaded.Layers[0]);
        Assert.Equal((0f, 0.25f), (first.Dropout, first.RecurrentDropout));
        Gru gru = Assert.IsType<Gru>(loaded.Layers[1]);
        Assert.Equal((0f, 0f), (gru.Dropout, gru.RecurrentDropout));
        Assert.Equal(model.Configs, loaded.Configs);
    }
}
