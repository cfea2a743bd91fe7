using Recur.Layers;
using Recur.Tensors;

namespace Recur.Tests.Layers;

public class DropoutTests
{
    [Fact]
    public void TrainingDropsAboutRateAndScalesTheRest()
    {
        var dropout = new Dropout(0.3f, new Rng(7));
        var x = new Tensor(100, 50);
        x.Fill(2f);
        Tensor y = dropout.Forward(x, training: true);
        int dropped = y.Data.Count(v => v == 0f);
        // 5,000 Bernoulli(0.3) draws: mean 1,500, standard deviation 32; allow five of them.
        Assert.InRange(dropped, 1340, 1660);
        Assert.All(y.Data, v => Assert.True(v == 0f || v == 2f / 0.7f, $"{v} is neither 0 nor 2 / 0.7"));
    }

    [Fact]
    public void BackwardAppliesTheSameMask()
    {
        var dropout = new Dropout(0.5f, new Rng(1));
        Tensor x = GradCheck.Values(1, 1f, 4, 3, 5);
        Tensor y = dropout.Forward(x, training: true).Clone();
        Tensor dy = GradCheck.Values(2, 1f, 4, 3, 5);
        Tensor dx = dropout.Backward(dy);
        for (int i = 0; i < x.Length; i++)
        {
            float mask = y.Data[i] / x.Data[i];
            Assert.Equal(dy.Data[i] * mask, dx.Data[i], 5);
        }
    }

    [Fact]
    public void InferencePassesTheInputThroughAndForbidsBackward()
    {
        var dropout = new Dropout(0.5f);
        Tensor x = GradCheck.Values(3, 1f, 2, 3);
        Assert.Same(x, dropout.Forward(x));
        Assert.Contains("training: true", Assert.Throws<InvalidOperationException>(() => dropout.Backward(x)).Message);
    }

    [Fact]
    public void SameSeedSameMasksAndNewMaskEachPass()
    {
        Tensor x = GradCheck.Values(4, 1f, 8, 8);
        var a = new Dropout(0.5f, new Rng(9));
        var b = new Dropout(0.5f, new Rng(9));
        float[] first = a.Forward(x, training: true).Data.ToArray();
        Assert.Equal(first, b.Forward(x, training: true).Data);
        Assert.NotEqual(first, a.Forward(x, training: true).Data);
    }

    [Theory]
    [InlineData(-0.1f)]
    [InlineData(1f)]
    [InlineData(float.NaN)]
    public void RejectsRatesOutsideZeroToOne(float rate)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new Dropout(rate));
        Assert.Contains("below 1", e.Message);
    }
}
