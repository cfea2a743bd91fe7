using System.Text.Json.Nodes;
using Recur.Layers;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Tests.IO;
using Xunit.Abstractions;

namespace Recur.Tests.Models;

/// <summary>Models that read token ids: rank-2 input through <c>Sequential</c>, gradients through a recurrent layer, save and load.</summary>
public class EmbeddingModelTests(ITestOutputHelper output)
{
    /// <summary>Token ids [n, steps] in [0, vocabulary), each sequence padded with 0 after a length of its own (at least 1).</summary>
    private static Tensor Tokens(int n, int steps, int vocabulary, int seed)
    {
        var x = new Tensor(n, steps);
        var rng = new Rng((ulong)seed);
        for (int b = 0; b < n; b++)
        {
            int length = 1 + (int)(rng.NextDouble() * steps);
            for (int t = 0; t < length; t++)
            {
                x[b, t] = 1 + (int)(rng.NextDouble() * (vocabulary - 1));
            }
        }

        return x;
    }

    [Fact]
    public void AModelTakesTokenIdsOfAnyLengthWhenItsInputShapeIsMinusOne()
    {
        var model = new Sequential(seed: 1) { new EmbeddingLayer(10, 4) { InputShape = [-1] }, new DenseLayer(3) };
        Assert.Equal([-1], model.InputShape);
        Assert.Equal([-1, 3], model.OutputShape);
        string summary = model.Summary();
        output.WriteLine(summary);
        Assert.Contains("embedding (Embedding)", summary);
        Assert.Contains("(None, None, 4)", summary);
        Assert.Contains("Total params: 55", summary); // 10·4 + 4·3 + 3
        Assert.Equal([2, 5, 3], model.Forward(Tokens(2, 5, 10, 1)).Shape.ToArray());
        Assert.Equal([3, 8, 3], model.Forward(Tokens(3, 8, 10, 2)).Shape.ToArray());

        var fixedLength = new Sequential(seed: 1) { new EmbeddingLayer(10, 4), new DenseLayer(3) }; // built from the first batch
        Assert.Equal([4, 6, 3], fixedLength.Forward(Tokens(4, 6, 10, 3)).Shape.ToArray());
        Assert.Equal([6], fixedLength.InputShape);
        var e = Assert.Throws<ArgumentException>(() => fixedLength.Forward(Tokens(4, 7, 10, 3)));
        Assert.Contains("the model takes (None, 6)", e.Message);
    }

    [Fact]
    public void ARecurrentLayerAfterAnEmbeddingComputesItsInputGradient()
    {
        var model = new Sequential(seed: 4) { new EmbeddingLayer(5, 2) { InputShape = [3] }, new LstmLayer(3) };
        Assert.True(((IRecurrentLayer)model.Layers[1]).ComputeInputGradient);

        Tensor x = Tokens(2, 3, 5, 4);
        Tensor w = GradCheck.Values(5, 1f, 2, 3);
        Parameter weight = model.Parameters[0];
        Assert.Equal("weight", weight.Name);
        model.Forward(x, training: true);
        model.Backward(w);
        Assert.Contains(weight.Grad.Data, g => g != 0f);
        GradCheck.Check("embedding→lstm", weight.Value, weight.Grad, () => GradCheck.Dot(model.Forward(x), w), output);
    }

    [Fact]
    public void AMaskZeroEmbeddingModelLoadsAndPredictsBitIdentically()
    {
        using var dir = new TempDirectory();
        var model = new Sequential(seed: 6, name: "tokens")
        {
            new EmbeddingLayer(12, 4, MaskZero: true, PaddingIdx: 0) { InputShape = [-1] },
            new DenseLayer(3),
        };
        model.Compile("mse", new Adam(0.05));
        Tensor x = Tokens(16, 6, 12, 7);
        Tensor y = GradCheck.Values(8, 1f, 16, 6, 3);
        Tensor before = model.Predict(x);
        model.Fit(x, y, batchSize: 8, epochs: 2, verbose: 0);
        Assert.NotEqual(before.Data, model.Predict(x).Data); // training moved the weights away from their initial values

        model.Save(dir.Path);
        JsonNode layer = JsonNode.Parse(File.ReadAllText(dir.File("config.json")))!["layers"]![0]!;
        output.WriteLine(layer.ToJsonString());
        Assert.Equal("Embedding", (string?)layer["class_name"]);
        Assert.True((bool)layer["config"]!["mask_zero"]!);
        Assert.Equal(0, (int)layer["config"]!["padding_idx"]!);
        Assert.Equal("RandomUniform", (string?)layer["config"]!["embeddings_initializer"]!["class_name"]);

        Sequential loaded = Sequential.Load(dir.Path);
        Assert.Equal(model.Configs, loaded.Configs);
        Tensor test = Tokens(9, 8, 12, 9);
        Assert.Equal(model.Predict(test).Data, loaded.Predict(test).Data);
        Assert.Equal(model.Parameters[0].Value.Data, loaded.Parameters[0].Value.Data);

        loaded.Forward(test);
        Assert.Equal(model.Forward(test).Data, loaded.Forward(test).Data);
        Assert.Equal(model.OutputMask!.Valid.ToArray(), loaded.OutputMask!.Valid.ToArray()); // the mask comes back with the layer
        Assert.False(loaded.OutputMask.IsFull);
    }

    [Fact]
    public void AMaskingModelLoadsAndPredictsBitIdentically()
    {
        using var dir = new TempDirectory();
        var model = new Sequential(seed: 8) { new MaskingLayer(-1f) { InputShape = [-1, 2] }, new DenseLayer(3) };
        Tensor x = GradCheck.Values(3, 1f, 4, 5, 2);
        x.Data.AsSpan(6, 4).Fill(-1f);
        model.Save(dir.Path);
        Sequential loaded = Sequential.Load(dir.Path);
        Assert.Equal(model.Configs, loaded.Configs);
        Assert.Equal(model.Predict(x).Data, loaded.Predict(x).Data);
        loaded.Forward(x);
        Assert.Equal([3, 5, 5, 5], loaded.OutputMask!.Lengths.ToArray());
    }
}
