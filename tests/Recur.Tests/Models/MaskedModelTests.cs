using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Training;
using Xunit.Abstractions;

namespace Recur.Tests.Models;

/// <summary>
/// Masks made by a layer, end to end: <c>Embedding(maskZero)</c> → a (bidirectional) recurrent layer → Dense, and a
/// per-step head, through <c>Fit</c>, against the same sequences cut to their lengths, and across save and load.
/// </summary>
public class MaskedModelTests(ITestOutputHelper output) : IDisposable
{
    private const int Steps = 10, Vocabulary = 6;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// Token ids 1 … 5 padded at the end with 0, lengths 1 … 10; the class is the last real token's parity — which only
    /// a model that knows where each sequence ends can read.
    /// </summary>
    private static (Tensor X, Tensor Y, int[] Lengths) LastTokenTask(int n, ulong seed)
    {
        var rng = new Rng(seed);
        var x = new Tensor(n, Steps);
        var y = new Tensor(n);
        int[] lengths = new int[n];
        for (int i = 0; i < n; i++)
        {
            lengths[i] = 1 + rng.NextInt(Steps);
            for (int s = 0; s < lengths[i]; s++)
            {
                x[i, s] = 1 + rng.NextInt(Vocabulary - 1);
            }

            y.Span[i] = (int)x[i, lengths[i] - 1] % 2;
        }

        return (x, y, lengths);
    }

    private static Sequential TokenModel(bool bidirectional, ulong seed = 5)
    {
        LayerConfig recurrent = bidirectional ? new BidirectionalLayer(new GruLayer(12)) : new LstmLayer(12);
        var model = new Sequential(seed)
        {
            new EmbeddingLayer(Vocabulary, 8, MaskZero: true) { InputShape = [Steps] },
            recurrent,
            new DenseLayer(2),
        };
        model.Compile(new SparseCategoricalCrossentropy(fromLogits: true), new Adam(0.02), ["accuracy"]);
        return model;
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void EmbeddingMaskZeroLearnsTheLastRealToken(bool bidirectional)
    {
        var (x, y, _) = LastTokenTask(480, 1);
        var (vx, vy, _) = LastTokenTask(160, 2);
        Sequential model = TokenModel(bidirectional);
        History history = model.Fit(x, y, batchSize: 32, epochs: 6, verbose: 0, validationData: (vx, vy));
        double accuracy = history["val_accuracy"][^1];
        output.WriteLine($"bidirectional {bidirectional}: validation accuracy {accuracy:F3} after 6 epochs");
        Assert.True(accuracy >= 0.9, $"validation accuracy {accuracy}");
    }

    [Fact]
    public void TheEmbeddingsMaskGivesWhatLengthsGive()
    {
        // The mask from id 0 and PyTorch's lengths are two ways to say the same thing.
        var (x, _, lengths) = LastTokenTask(24, 3);
        Sequential model = TokenModel(bidirectional: true);
        Tensor fromMask = model.Predict(x, 10);
        var noMask = new Sequential(5)
        {
            new EmbeddingLayer(Vocabulary, 8) { InputShape = [Steps] },
            new BidirectionalLayer(new GruLayer(12)),
            new DenseLayer(2),
        };
        noMask.SetWeights(model.GetWeights());
        Tensor fromLengths = noMask.Predict(x, 10, lengths);
        Assert.Equal(fromMask.Span.ToArray(), fromLengths.Span.ToArray());
        Assert.NotEqual(fromMask.Span.ToArray(), noMask.Predict(x, 10).Span.ToArray()); // the padding matters without a mask
    }

    [Fact]
    public void AMaskedPerStepModelSavesLoadsAndPredictsBitIdentically()
    {
        // Sequence labelling: each real step labelled by its token's parity, padding masked out of the loss.
        var (x, _, _) = LastTokenTask(64, 4);
        var y = new Tensor(64, Steps);
        for (int i = 0; i < y.Length; i++)
        {
            y.Span[i] = x.Span[i] == 0 ? -1 : (int)x.Span[i] % 2; // -1 at padding: never read, the loss skips masked steps
        }

        var model = new Sequential(7)
        {
            new EmbeddingLayer(Vocabulary, 4, MaskZero: true) { InputShape = [Steps] },
            new BidirectionalLayer(new LstmLayer(6, ReturnSequences: true)),
            new DenseLayer(2),
        };
        model.Compile(new SparseCategoricalCrossentropy(fromLogits: true), new Adam(0.02), ["accuracy"]);
        History history = model.Fit(x, y, batchSize: 16, epochs: 8, verbose: 0);
        output.WriteLine($"per-step accuracy over the real steps after 8 epochs: {history["accuracy"][^1]:F3}");
        Assert.True(history["accuracy"][^1] >= 0.9, $"accuracy {history["accuracy"][^1]}");

        string path = _dir.File("model");
        model.Save(path);
        Sequential loaded = Sequential.Load(path);
        Assert.Equal(model.Predict(x).Span.ToArray(), loaded.Predict(x).Span.ToArray());
        Assert.Equal(model.Evaluate(x, y).Loss, loaded.Evaluate(x, y).Loss);
    }
}
