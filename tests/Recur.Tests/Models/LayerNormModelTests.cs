using System.Text.Json.Nodes;
using Recur.Export;
using Recur.Layers;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Tests.Models;

/// <summary>Layer-normalised LSTM and GRU records in models: <c>config.json</c>, model directories, and the exporters that refuse them.</summary>
public class LayerNormModelTests
{
    private static Sequential Model(bool bidirectional = false) => new(seed: 5)
    {
        new LstmLayer(6, ReturnSequences: true) { InputShape = [7, 3], LayerNorm = true, LayerNormEpsilon = 1e-4f },
        bidirectional ? new BidirectionalLayer(new GruLayer(5) { LayerNorm = true }) : new GruLayer(5) { LayerNorm = true },
        new DenseLayer(2),
    };

    [Fact]
    public void TheRecordWritesLayerNormOnlyWhenSetAndReadsItBack()
    {
        JsonObject plain = LayerKinds.Registry.ToJson(new LstmLayer(4));
        Assert.False(plain["config"]!.AsObject().ContainsKey("layer_norm"));
        Assert.False(plain["config"]!.AsObject().ContainsKey("layer_norm_epsilon"));

        JsonObject json = LayerKinds.Registry.ToJson(new GruLayer(4) { LayerNorm = true, LayerNormEpsilon = 1e-3f });
        Assert.True((bool)json["config"]!["layer_norm"]!);
        Assert.Equal(1e-3f, (float)json["config"]!["layer_norm_epsilon"]!);
        var back = (GruLayer)LayerKinds.Registry.FromJson(JsonNode.Parse(json.ToJsonString()));
        Assert.True(back.LayerNorm);
        Assert.Equal(1e-3f, back.LayerNormEpsilon);
        Assert.Equal("GRU(4, layer_norm)", back.Describe());
    }

    [Fact]
    public void ASavedModelLoadsAndPredictsTheSameBits()
    {
        Sequential model = Model(bidirectional: true);
        Tensor x = GradCheck.Values(1, 1f, 4, 7, 3);
        float[] y = model.Predict(x).Data.ToArray();
        using var dir = new TempDirectory();
        ModelFile.Save(model, dir.Path);
        string config = File.ReadAllText(dir.File(ModelFile.ConfigFileName));
        Assert.Contains("\"layer_norm\": true", config);
        Assert.Contains("\"layer_norm_epsilon\": 0.0001", config);
        (Sequential again, _) = ModelFile.Load(dir.Path);
        Assert.Equal(model.Configs, again.Configs);
        Bits.AssertEqual(y, again.Predict(x).Data, "loaded LN model");
        var lstm = (Lstm)again.Layers[0];
        Assert.True(lstm.LayerNorm);
        Assert.Equal(1e-4f, lstm.LayerNormEpsilon);
    }

    [Fact]
    public void AnEpsilonOutOfRangeInAFileIsRefusedNamingTheField()
    {
        using var dir = new TempDirectory();
        ModelFile.Save(Model(), dir.Path);
        string path = dir.File(ModelFile.ConfigFileName);
        File.WriteAllText(path, File.ReadAllText(path).Replace("\"layer_norm_epsilon\": 0.0001", "\"layer_norm_epsilon\": 0", StringComparison.Ordinal));
        var ex = Assert.Throws<InvalidDataException>(() => ModelFile.Load(dir.Path));
        Assert.Contains("layers[0].config.layer_norm_epsilon = 0 is out of range; it must be a number above 0 and at most 1", ex.Message);
    }

    [Fact]
    public void ABadEpsilonOrASimpleRnnIsRefusedNamingTheLayer()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new LstmLayer(3) { LayerNorm = true, LayerNormEpsilon = -1f, Name = "enc" }.OutputShape([5, 2]));
        Assert.Contains("Layer 'enc' (LSTM): LayerNormEpsilon must be finite and above 0", ex.Message);
        var rnn = Assert.Throws<ArgumentException>(() => new SimpleRnnLayer(3) { LayerNorm = true }.OutputShape([5, 2]));
        Assert.Contains("(SimpleRNN): LayerNorm is for an LSTM or a GRU", rnn.Message);
    }

    [Fact]
    public void TheExportersRefuseItInOneLineNamingTheLayer()
    {
        Sequential model = Model();
        var onnx = Assert.Throws<NotSupportedException>(() => OnnxExporter.Export(model));
        Assert.StartsWith("OnnxExporter: layer 'lstm' is layer-normalised, which ONNX's LSTM operator cannot express", onnx.Message);
        Assert.DoesNotContain('\n', onnx.Message);
        var torch = Assert.Throws<NotSupportedException>(() => PyTorchStateDict.Serialize(model));
        Assert.StartsWith("PyTorchStateDict: layer 'lstm' is layer-normalised", torch.Message);

        var bidirectional = Assert.Throws<NotSupportedException>(() => PyTorchStateDict.Serialize(new Sequential(seed: 1)
        {
            new BidirectionalLayer(new GruLayer(3) { LayerNorm = true }) { InputShape = [4, 2] },
        }));
        Assert.StartsWith("PyTorchStateDict: layer 'bidirectional' is layer-normalised", bidirectional.Message);
    }
}
