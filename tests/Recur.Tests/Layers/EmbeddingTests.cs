using Recur.Initializers;
using Recur.Layers;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Layers;

public class EmbeddingTests(ITestOutputHelper output)
{
    private static Tensor Ids(int batch, int steps, params float[] ids) => new(ids, batch, steps);

    [Theory]
    [InlineData("pad_")]
    [InlineData("plain_")]
    [InlineData("last_")]
    public void MatchesTorchEmbedding(string prefix)
    {
        var f = Fixture.Load("embedding.json");
        int? padding = f.HasConfig(prefix + "padding_idx") ? (int)f.Config(prefix + "padding_idx") : null;
        var embedding = new Embedding((int)f.Config(prefix + "num"), (int)f.Config(prefix + "dim"), paddingIdx: padding);
        embedding.Weight.Value.CopyFrom(f[prefix + "weight"]);

        Tensor y = embedding.Forward(f[prefix + "x"], training: true);
        f.AssertClose(prefix + "y", y, 0, output); // rows copied, not computed
        Tensor dx = embedding.Backward(f[prefix + "dy"]);
        f.AssertClose(prefix + "dweight", embedding.Weight.Grad, 1e-6, output);
        Assert.All(dx.Data, v => Assert.Equal(0f, v));
        Assert.Equal(f[prefix + "x"].Shape.ToArray(), dx.Shape.ToArray());
    }

    [Fact]
    public void WeightGradientMatchesFiniteDifferences()
    {
        var embedding = new Embedding(5, 3, rng: new Rng(3));
        Tensor x = Ids(2, 4, 3, 0, 3, 4, 1, 3, 0, 0); // repeated ids: their gradients add up
        Tensor w = GradCheck.Values(4, 1f, 2, 4, 3);
        embedding.Forward(x, training: true);
        embedding.Backward(w);
        GradCheck.Check("embedding weight", embedding.Weight.Value, embedding.Weight.Grad, () => GradCheck.Dot(embedding.Forward(x), w), output);
    }

    [Fact]
    public void BackwardAddsIntoTheGradientAndSkipsThePaddingRow()
    {
        var embedding = new Embedding(4, 2, paddingIdx: 1, rng: new Rng(5));
        Tensor x = Ids(1, 3, 1, 2, 2);
        Tensor dy = new([1f, 2f, 3f, 4f, 5f, 6f], 1, 3, 2);
        embedding.Forward(x, training: true);
        embedding.Backward(dy);
        embedding.Backward(dy);
        Assert.Equal([0f, 0f, 0f, 0f, 16f, 20f, 0f, 0f], embedding.Weight.Grad.Data); // row 2: twice (3+5, 4+6); row 1 none
    }

    [Fact]
    public void ThePaddingRowStartsAtZeroAndTheDefaultsArePyTorchsAndKerass()
    {
        var embedding = new Embedding(50, 40, paddingIdx: -2, rng: new Rng(6));
        Assert.Equal(48, embedding.PaddingIdx); // PyTorch stores num_embeddings + padding_idx
        Assert.Equal("weight", embedding.Weight.Name);
        Assert.Equal([50, 40], embedding.Weight.Value.Shape.ToArray());
        for (int r = 0; r < 50; r++)
        {
            float[] row = embedding.Weight.Value.Data.AsSpan(r * 40, 40).ToArray();
            Assert.Equal(r == 48, row.All(v => v == 0f));
        }

        // The engine class: nn.Embedding's N(0, 1); the record: Keras's U(−0.05, 0.05).
        double sd = Math.Sqrt(embedding.Weight.Value.Data.Average(v => (double)v * v) * 50 / 49);
        Assert.InRange(sd, 0.9, 1.1);
        Assert.Equal(new RandomUniform(-0.05f, 0.05f), new EmbeddingLayer(50, 40).EmbeddingsInitializer);
        var keras = (Embedding)new EmbeddingLayer(50, 40).Build([-1], new Rng(6));
        Assert.All(keras.Weight.Value.Data, v => Assert.InRange(v, -0.05f, 0.05f));
        Assert.Contains(keras.Weight.Value.Data, v => Math.Abs(v) > 0.04f);
    }

    [Fact]
    public void MaskZeroMasksTheStepsOfIdZeroAndCombinesWithTheInputMask()
    {
        var embedding = new Embedding(6, 2, maskZero: true);
        Tensor x = Ids(2, 4, 3, 0, 2, 0, 0, 5, 1, 4);
        embedding.Forward(x);
        SequenceMask mask = embedding.OutputMask!;
        Assert.Equal([1, 0, 1, 0, 0, 1, 1, 1], mask.Valid.ToArray());
        Assert.Equal([2, 3], mask.Lengths.ToArray());
        Assert.False(mask.IsPrefix);

        embedding.InputMask = SequenceMask.FromLengths([4, 3], 4); // the last step of sequence 1 is padding too
        embedding.Forward(x);
        Assert.Same(mask, embedding.OutputMask); // one mask, reused
        Assert.Equal([1, 0, 1, 0, 0, 1, 1, 0], mask.Valid.ToArray());

        // The vectors of masked steps are still their rows (Keras's Embedding does not zero them).
        Tensor y = embedding.Forward(x);
        Assert.Equal(embedding.Weight.Value.Data.AsSpan(0, 2).ToArray(), y.Data.AsSpan(2, 2).ToArray());
    }

    [Fact]
    public void WithoutMaskZeroTheInputMaskPassesOn()
    {
        var embedding = new Embedding(6, 2);
        Tensor x = Ids(2, 3, 0, 0, 1, 2, 0, 0);
        embedding.Forward(x);
        Assert.Null(embedding.OutputMask);
        SequenceMask lengths = SequenceMask.FromLengths([3, 1], 3);
        embedding.InputMask = lengths;
        embedding.Forward(x);
        Assert.Same(lengths, embedding.OutputMask);
    }

    [Theory]
    [InlineData(2.5f, "x[1, 2] is 2.5", "whole number")]
    [InlineData(7f, "x[1, 2] is 7", "raise InputDim")]
    [InlineData(-1f, "x[1, 2] is -1", "[0, 7)")]
    [InlineData(float.NaN, "x[1, 2] is NaN", "whole number")]
    public void AnIdOutsideTheVocabularyIsRefusedWithItsPosition(float id, string where, string fix)
    {
        var embedding = new Embedding(7, 2, name: "chars");
        Tensor x = Ids(2, 3, 1, 2, 3, 4, 5, 6);
        x[1, 2] = id;
        var e = Assert.Throws<ArgumentException>(() => embedding.Forward(x));
        Assert.Equal("x", e.ParamName);
        Assert.Contains("Embedding 'chars'", e.Message);
        Assert.Contains(where, e.Message);
        Assert.Contains(fix, e.Message);
    }

    [Fact]
    public void OtherErrorsNameTheArgument()
    {
        var e = Assert.Throws<ArgumentException>(() => new Embedding(7, 2).Forward(new Tensor(2, 3, 1)));
        Assert.Contains("[2, 3, 1]", e.Message);
        Assert.Contains("[batch, steps] of token ids", e.Message);

        var range = Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(7, 2, paddingIdx: 7));
        Assert.Equal("paddingIdx", range.ParamName);
        Assert.Contains("[-7, 7)", range.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Embedding(0, 2));
        Assert.Throws<ArgumentOutOfRangeException>(() => new EmbeddingLayer(7, 2, PaddingIdx: -8).OutputShape([5]));

        var shape = Assert.Throws<ArgumentException>(() => new EmbeddingLayer(7, 2) { Name = "tokens" }.OutputShape([5, 3]));
        Assert.Contains("Layer 'tokens' (Embedding) received input shape (None, 5, 3)", shape.Message);
        Assert.Equal([-1, 2], new EmbeddingLayer(7, 2).OutputShape([-1]));

        var empty = Assert.Throws<ArgumentException>(() => new Embedding(7, 2, maskZero: true).Forward(Ids(2, 2, 1, 2, 0, 0)));
        Assert.Contains("Embedding 'embedding' (MaskZero)", empty.Message);
        Assert.Contains("sequence 1 of the batch has no valid step", empty.Message);

        var embedding = new Embedding(7, 2) { InputMask = SequenceMask.FromLengths([1, 1], 3) };
        var mask = Assert.Throws<ArgumentException>(() => embedding.Forward(Ids(2, 2, 1, 2, 3, 4)));
        Assert.Contains("the input mask is [2, 3] but x has shape [2, 2]", mask.Message);
    }

    [Fact]
    public void ForwardAndBackwardAllocateNothingAfterWarmUpWithMasks()
    {
        var embedding = new Embedding(9, 4, maskZero: true, paddingIdx: 0) { InputMask = SequenceMask.FromLengths([5, 3, 4], 5) };
        Tensor x = Ids(3, 5, 1, 2, 0, 8, 8, 3, 3, 3, 0, 0, 7, 0, 6, 5, 1);
        Tensor dy = GradCheck.Values(2, 1f, 3, 5, 4);
        long allocated = SingleThread.AllocatedAfterWarmUp(() =>
        {
            embedding.Forward(x, training: true);
            embedding.Backward(dy);
        });
        Assert.Equal(0, allocated);
    }
}
