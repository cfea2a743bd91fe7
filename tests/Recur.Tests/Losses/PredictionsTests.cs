using Recur.Losses;
using Recur.Tensors;

namespace Recur.Tests.Losses;

public class PredictionsTests
{
    [Fact]
    public void ArgMaxOverTheLastAxis()
    {
        Assert.Equal([1, 0], Predictions.ArgMax(Tensor.FromArray([0.1f, 0.7f, 0.2f, 3f, -1f, 2f], 2, 3)));
        // [B = 2, T = 2, C = 2] → one class per step, row-major.
        Assert.Equal([1, 0, 0, 1], Predictions.ArgMax(Tensor.FromArray([0, 1, 5, 2, 1, 1, -3, 4], 2, 2, 2)));
        Assert.Throws<ArgumentException>(() => Predictions.ArgMax(new Tensor(4)));
    }

    [Fact]
    public void SoftmaxAndSigmoidAreNewProbabilityTensors()
    {
        Tensor logits = Tensor.FromArray([1000f, 0f, -1000f, 0f, 0f, 0f], 1, 2, 3);
        Tensor p = Predictions.Softmax(logits);
        Assert.NotSame(logits, p);
        Assert.Equal([1, 2, 3], p.Shape.ToArray());
        Assert.Equal([1f, 0f, 0f], p.Data[..3]); // stable at extreme logits
        Assert.All(p.Data[3..], v => Assert.Equal(1f / 3f, v, 6));
        Assert.Equal(1000f, logits.Data[0]);

        Tensor s = Predictions.Sigmoid(Tensor.FromArray([0f, 2f, -50f], 3, 1));
        Assert.Equal(0.5f, s.Data[0]);
        Assert.Equal(1 / (1 + Math.Exp(-2)), s.Data[1], 6);
        Assert.True(s.Data[2] is >= 0f and < 1e-20f);
    }
}
