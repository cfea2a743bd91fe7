using Recur.Export;
using Recur.IO;
using Recur.Layers;
using Recur.Models;
using Recur.Tensors;
using Recur.Tests.Cli;
using Xunit.Abstractions;

namespace Recur.Tests.Export;

/// <summary>
/// <see cref="PyTorchStateDict"/> against real PyTorch state dicts (tools/make_pytorch_state_fixtures.py: each
/// <c>pt_*.safetensors</c> is a torch module's <c>state_dict()</c>, each <c>pt_*.json</c> its input and torch's output),
/// the write → read round trip bit for bit, the errors, and <c>recur import</c>.
/// </summary>
public class PyTorchStateDictTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-5;

    private static string FixturePath(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

    /// <summary>torch: LSTM(5, 6, num_layers=2) as 'rnn', Linear(6, 3) as 'fc' on out[:, -1]. Recur's first LSTM keeps a forget bias of 1, which reading takes out of bias_hh.</summary>
    private static (Sequential Model, Dictionary<string, string> Names) LstmHead(ulong seed = 7) => (new Sequential(seed)
    {
        new LstmLayer(6, ForgetBias: 1f, ReturnSequences: true) { InputShape = [4, 5] },
        new LstmLayer(6),
        new DenseLayer(3),
    }, new() { ["lstm"] = "rnn", ["dense"] = "fc" });

    /// <summary>torch: GRU(4, 5, bidirectional) as 'gru', Linear(10, 2) as 'dense' on [out[:, -1, :5], out[:, 0, 5:]].</summary>
    private static Sequential BiGruHead(ulong seed = 7) => new(seed)
    {
        new BidirectionalLayer(new GruLayer(5)) { Name = "gru", InputShape = [6, 4] },
        new DenseLayer(2),
    };

    /// <summary>torch: Embedding(10, 4), RNN(4, 3, num_layers=2, relu, bidirectional) as 'rnn', Linear(6, 2) per step.</summary>
    private static Sequential EmbeddingRnn(ulong seed = 7) => new(seed)
    {
        new EmbeddingLayer(10, 4) { InputShape = [5] },
        new BidirectionalLayer(new SimpleRnnLayer(3, RnnActivation.Relu, ReturnSequences: true)) { Name = "rnn" },
        new BidirectionalLayer(new SimpleRnnLayer(3, RnnActivation.Relu, ReturnSequences: true)),
        new DenseLayer(2),
    };

    public static TheoryData<string> Cases => ["lstm_head", "bigru_head", "embedding_rnn"];

    private static (Sequential Model, Dictionary<string, string>? Names) Model(string name, ulong seed = 7) => name switch
    {
        "lstm_head" => LstmHead(seed),
        "bigru_head" => (BiGruHead(seed), null),
        _ => (EmbeddingRnn(seed), null),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ATorchStateDictPredictsWhatTorchPredicts(string name)
    {
        var (model, names) = Model(name);
        PyTorchStateDict.Load(model, FixturePath($"pt_{name}.safetensors"), names);
        Fixture fixture = Fixture.Load($"pt_{name}.json");
        Fixture.AssertClose("y", fixture["y"], model.Predict(fixture["x"], 100), Tolerance, output, fixture.Name);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void WrittenThenReadGivesTheSameBits(string name)
    {
        var (model, names) = Model(name);
        using var dir = new TempDirectory();
        string path = dir.File("state.safetensors");
        PyTorchStateDict.Save(model, path, names);
        var (other, _) = Model(name, seed: 99);
        Assert.NotEqual(model.GetWeights()[1], other.GetWeights()[1]); // the seeds differ, so the load has work to do
        PyTorchStateDict.Load(other, path, names);
        float[][] expected = model.GetWeights(), actual = other.GetWeights();
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.Equal(Bits(expected[i]), Bits(actual[i]));
        }

        SafeTensorFile file = SafeTensors.Load(path);
        output.WriteLine($"{name}: {string.Join(", ", file.Names)}");
        Assert.Equal("pt", file.Metadata["format"]);
    }

    [Fact]
    public void TheKeysAndTheForgetBiasAreTorchs()
    {
        var (model, names) = LstmHead();
        var lstm = (Lstm)model.Layers[0];
        IReadOnlyDictionary<string, Tensor> state = PyTorchStateDict.From(model, names);
        Assert.Equal(
            ["fc.bias", "fc.weight", "rnn.bias_hh_l0", "rnn.bias_hh_l1", "rnn.bias_ih_l0", "rnn.bias_ih_l1", "rnn.weight_hh_l0", "rnn.weight_hh_l1", "rnn.weight_ih_l0", "rnn.weight_ih_l1"],
            state.Keys);
        Assert.Equal(lstm.Bias.Value.Span.ToArray(), state["rnn.bias_ih_l0"].Span.ToArray());
        Assert.Equal([0f, 0f, 0f, 0f, 0f, 0f, 1f, 1f, 1f, 1f, 1f, 1f], state["rnn.bias_hh_l0"].Span[..12].ToArray()); // i zero, f the constant 1
        Assert.All(state["rnn.bias_hh_l1"].Span.ToArray(), v => Assert.Equal(0f, v)); // forget bias 0: torch's bias_hh = 0

        Sequential bidirectional = EmbeddingRnn();
        Assert.Equal(
            ["dense.bias", "dense.weight", "embedding.weight", "rnn.bias_hh_l0", "rnn.bias_hh_l0_reverse", "rnn.bias_hh_l1", "rnn.bias_hh_l1_reverse"],
            PyTorchStateDict.From(bidirectional).Keys.Take(7));
    }

    [Fact]
    public void ADropoutBetweenRecurrentLayersKeepsThemOneModuleAndADenseSplitsThem()
    {
        var model = new Sequential(1)
        {
            new GruLayer(4, ReturnSequences: true) { InputShape = [3, 2] }, new DropoutLayer(0.3f), new GruLayer(4, ReturnSequences: true),
            new DenseLayer(4), new GruLayer(4),
        };
        string[] keys = PyTorchStateDict.From(model).Keys.ToArray();
        output.WriteLine(string.Join(", ", keys));
        Assert.Equal(["dense.bias", "dense.weight", "gru.bias_hh_l0", "gru.bias_hh_l1", "gru.bias_ih_l0", "gru.bias_ih_l1", "gru.weight_hh_l0", "gru.weight_hh_l1",
            "gru.weight_ih_l0", "gru.weight_ih_l1", "gru_2.bias_hh_l0", "gru_2.bias_ih_l0", "gru_2.weight_hh_l0", "gru_2.weight_ih_l0"], keys);
    }

    [Fact]
    public void AMapOfALaterLayerSplitsTheModule()
    {
        var (model, _) = LstmHead();
        var names = new Dictionary<string, string> { ["lstm"] = "first", ["lstm_1"] = "second" };
        string[] keys = PyTorchStateDict.From(model, names).Keys.ToArray();
        output.WriteLine(string.Join(", ", keys));
        Assert.Contains("first.weight_ih_l0", keys);
        Assert.Contains("second.weight_ih_l0", keys);
        Assert.DoesNotContain("first.weight_ih_l1", keys);
    }

    [Fact]
    public void MissingAndUnexpectedKeysAreListedWithAHintAndChangeNothing()
    {
        var (model, _) = LstmHead();
        float[][] before = model.GetWeights();
        var e = Assert.Throws<InvalidDataException>(() => PyTorchStateDict.Load(model, FixturePath("pt_lstm_head.safetensors")));
        output.WriteLine(e.Message);
        Assert.Contains("missing keys 'lstm.weight_ih_l0'", e.Message);
        Assert.Contains("unexpected keys 'fc.bias', 'fc.weight', 'rnn.bias_hh_l0'", e.Message);
        Assert.Contains("Its modules are fc, rnn, the model's dense, lstm", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal(before, model.GetWeights());
    }

    [Fact]
    public void AWrongShapeNamesTheKeyTheLayerAndBothShapes()
    {
        var state = SafeTensors.Load(FixturePath("pt_lstm_head.safetensors")).Tensors.ToDictionary();
        state["rnn.weight_ih_l1"] = new Tensor(24, 5);
        state.Remove("fc.bias");
        state["rnn.weight_hr_l0"] = new Tensor(6, 6); // proj_size, which Recur has not
        var (model, names) = LstmHead();
        float[][] before = model.GetWeights();
        var e = Assert.Throws<InvalidDataException>(() => PyTorchStateDict.Load(model, state, names, "sd.safetensors"));
        output.WriteLine(e.Message);
        Assert.StartsWith("sd.safetensors does not fit the model: missing keys 'fc.bias'; unexpected keys 'rnn.weight_hr_l0'; ", e.Message);
        Assert.Contains("'rnn.weight_ih_l1' has shape [24, 5] but layer 'lstm_1' (LSTM, 6 features → 6 units) needs [24, 6]", e.Message);
        Assert.Equal(before, model.GetWeights());
    }

    [Fact]
    public void AModelTooShortForTheFileGetsItsExtraLayerListed()
    {
        var model = new Sequential(1) { new LstmLayer(6) { InputShape = [4, 5] }, new DenseLayer(3) };
        var e = Assert.Throws<InvalidDataException>(() => PyTorchStateDict.Load(model, FixturePath("pt_lstm_head.safetensors"), new Dictionary<string, string> { ["lstm"] = "rnn", ["dense"] = "fc" }));
        output.WriteLine(e.Message);
        Assert.Contains("unexpected keys 'rnn.bias_hh_l1', 'rnn.bias_ih_l1', 'rnn.weight_hh_l1', 'rnn.weight_ih_l1'", e.Message);
    }

    [Fact]
    public void WhatHasNoTorchModuleIsRefusedByName()
    {
        var sum = new Sequential(1) { new BidirectionalLayer(new LstmLayer(4), BidirectionalMerge.Sum) { InputShape = [3, 2] } };
        var e = Assert.Throws<NotSupportedException>(() => PyTorchStateDict.From(sum));
        output.WriteLine(e.Message);
        Assert.Contains("layer 'bidirectional' is a Bidirectional with Merge = Sum", e.Message);

        var (model, _) = LstmHead();
        var bad = Assert.Throws<ArgumentException>(() => PyTorchStateDict.From(model, new Dictionary<string, string> { ["rnn"] = "lstm" }));
        output.WriteLine(bad.Message);
        Assert.Contains("the module names map 'rnn', which is no layer of the model; its layers are 'lstm', 'lstm_1', 'dense'", bad.Message);

        var clash = Assert.Throws<ArgumentException>(() => PyTorchStateDict.From(BiGruHead(), new Dictionary<string, string> { ["dense"] = "gru" }));
        output.WriteLine(clash.Message);
        Assert.Contains("'gru' and 'dense' both map to the torch module 'gru'", clash.Message);
    }

    [Fact]
    public void RecurImportLoadsTheStateDictIntoTheArchitecture()
    {
        using var dir = new TempDirectory();
        var (like, _) = LstmHead();
        string likeDir = Path.Combine(dir.Path, "like"), outDir = Path.Combine(dir.Path, "out");
        ModelFile.Save(like, likeDir, new Dictionary<string, string> { ["note"] = "kept" });
        var (code, stdout, _) = CliRun.Command(output, "import", "--pytorch", FixturePath("pt_lstm_head.safetensors"), "--like", likeDir, "--out", outDir, "--names", "rnn=lstm,fc=dense");
        Assert.Equal(0, code);
        Assert.Contains("10 tensors", stdout);
        var (imported, metadata) = ModelFile.Load(outDir);
        Assert.Equal("kept", metadata["note"]);
        Fixture fixture = Fixture.Load("pt_lstm_head.json");
        Fixture.AssertClose("y", fixture["y"], imported.Predict(fixture["x"], 100), Tolerance, output, "recur import");

        // The raw outputs through recur predict, as tools/check_pytorch_roundtrip.py reads them.
        string x = dir.File("x.npy"), y = dir.File("y.npy");
        Recur.Data.Npy.Write(x, fixture["x"]);
        Assert.Equal(0, CliRun.Command(output, "predict", "--model", outDir, "--input", x, "--output", y).Code);
        Fixture.AssertClose("y", fixture["y"], Recur.Data.Npy.ReadFloat32(y), Tolerance, output, "recur predict --output");
    }

    [Fact]
    public void RecurImportErrorsAreOneLine()
    {
        using var dir = new TempDirectory();
        var (like, _) = LstmHead();
        string likeDir = Path.Combine(dir.Path, "like"), outDir = Path.Combine(dir.Path, "out");
        ModelFile.Save(like, likeDir);
        string good = FixturePath("pt_lstm_head.safetensors"), corrupt = dir.File("corrupt.safetensors");
        File.WriteAllBytes(corrupt, [1, 2, 3]);
        (string[] Args, int Code, string Says)[] cases =
        [
            (["--pytorch", dir.File("none.safetensors"), "--like", likeDir], 1, "There is no safetensors file"),
            (["--pytorch", corrupt, "--like", likeDir], 1, "it is 3 bytes long"),
            (["--pytorch", good, "--like", dir.Path], 1, "is not a Recur model directory: it has no config.json"),
            (["--pytorch", good, "--like", Path.Combine(dir.Path, "nowhere")], 1, "does not exist"),
            (["--pytorch", good, "--like", likeDir], 1, "Its modules are fc, rnn, the model's dense, lstm"),
            (["--pytorch", good, "--like", likeDir, "--names", "rnn"], 2, "--names: 'rnn' is not TORCH=RECUR"),
            (["--pytorch", good, "--like", likeDir, "--names", "rnn=gru"], 2, "the module names map 'gru', which is no layer of the model"),
        ];
        foreach (var (args, code, says) in cases)
        {
            var (actual, _, error) = CliRun.Command(output, ["import", .. args, "--out", outDir]);
            Assert.Equal(code, actual);
            Assert.Contains(says, error);
            Assert.StartsWith("recur import: ", error);
            Assert.Single(error.TrimEnd().Split('\n'));
            Assert.DoesNotContain("(Parameter", error);
        }

        Assert.False(Directory.Exists(outDir));
    }

    [Fact]
    public void RecurExportWritesTheStateDictAndRefusesWhatItCannot()
    {
        using var dir = new TempDirectory();
        var (model, _) = LstmHead();
        string modelDir = Path.Combine(dir.Path, "model"), file = dir.File("sd.safetensors");
        ModelFile.Save(model, modelDir);
        Assert.Equal(0, CliRun.Command(output, "export", "--model", modelDir, "--pytorch", file, "--names", "rnn=lstm,fc=dense").Code);
        Assert.Equal(PyTorchStateDict.Serialize(model, new Dictionary<string, string> { ["lstm"] = "rnn", ["dense"] = "fc" }), File.ReadAllBytes(file));

        var (code, _, error) = CliRun.Command(output, "export", "--model", modelDir, "--pytorch", dir.File("x.safetensors"), "--names", "fc=dens");
        Assert.Equal(2, code);
        Assert.Contains("the module names map 'dens', which is no layer of the model", error);

        var sum = new Sequential(1) { new BidirectionalLayer(new GruLayer(4), BidirectionalMerge.Sum) { InputShape = [3, 2] } };
        ModelFile.Save(sum, modelDir);
        (code, _, error) = CliRun.Command(output, "export", "--model", modelDir, "--pytorch", dir.File("y.safetensors"));
        Assert.Equal(1, code);
        Assert.Contains("recur export: PyTorchStateDict: layer 'bidirectional' is a Bidirectional with Merge = Sum", error);
        Assert.False(File.Exists(dir.File("y.safetensors")));
    }

    private static int[] Bits(float[] values) => values.Select(BitConverter.SingleToInt32Bits).ToArray();
}
