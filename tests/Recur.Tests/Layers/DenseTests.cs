using Recur.Layers;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Layers;

public class DenseTests(ITestOutputHelper output)
{
    private static Dense FromFixture(Fixture f)
    {
        var dense = new Dense(5, 4);
        dense.Weight.Value.CopyFrom(f["weight"]);
        dense.Bias!.Value.CopyFrom(f["bias"]);
        return dense;
    }

    [Theory]
    [InlineData("2")]
    [InlineData("3")]
    public void MatchesTorchLinear(string rank)
    {
        var f = Fixture.Load("dense.json");
        Dense dense = FromFixture(f);
        Tensor y = dense.Forward(f["x" + rank], training: true);
        f.AssertClose("y" + rank, y, 1e-5, output);
        Tensor dx = dense.Backward(f["dy" + rank]);
        f.AssertClose("dx" + rank, dx, 1e-4, output);
        f.AssertClose("dweight" + rank, dense.Weight.Grad, 1e-4, output);
        f.AssertClose("dbias" + rank, dense.Bias!.Grad, 1e-4, output);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GradientsMatchFiniteDifferences(bool sequence)
    {
        var dense = new Dense(4, 3, rng: new Rng(7));
        Tensor x = sequence ? GradCheck.Values(1, 1f, 2, 3, 4) : GradCheck.Values(1, 1f, 3, 4);
        Tensor w = sequence ? GradCheck.Values(2, 1f, 2, 3, 3) : GradCheck.Values(2, 1f, 3, 3);
        double Loss() => GradCheck.Dot(dense.Forward(x), w);

        dense.Forward(x, training: true);
        Tensor dx = dense.Backward(w).Clone();
        GradCheck.Check("dense.x", x, dx, Loss, output);
        GradCheck.Check("dense.weight", dense.Weight.Value, dense.Weight.Grad, Loss, output);
        GradCheck.Check("dense.bias", dense.Bias!.Value, dense.Bias.Grad, Loss, output);
    }

    [Fact]
    public void BackwardAccumulatesIntoGradients()
    {
        var dense = new Dense(4, 3, rng: new Rng(3));
        Tensor x = GradCheck.Values(5, 1f, 2, 4), dy = GradCheck.Values(6, 1f, 2, 3);
        dense.Forward(x, training: true);
        dense.Backward(dy);
        Tensor once = dense.Weight.Grad.Clone();
        dense.Forward(x, training: true);
        dense.Backward(dy);
        for (int i = 0; i < once.Length; i++)
        {
            Assert.Equal(2 * once.Data[i], dense.Weight.Grad.Data[i], 6);
        }
    }

    [Fact]
    public void WrongInputWidthNamesTheShapes()
    {
        var dense = new Dense(5, 4);
        var ex = Assert.Throws<ArgumentException>(() => dense.Forward(new Tensor(3, 6)));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains("[3, 6]", ex.Message);
        Assert.Contains("[batch, 5]", ex.Message);
    }

    [Fact]
    public void ZeroUnitsIsRejected()
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new Dense(5, 0));
        Assert.Equal("outFeatures", ex.ParamName);
        Assert.Contains("received 0", ex.Message);
    }

    [Fact]
    public void BackwardWithWrongShapeIsRejected()
    {
        var dense = new Dense(5, 4);
        dense.Forward(new Tensor(3, 5), training: true);
        var ex = Assert.Throws<ArgumentException>(() => dense.Backward(new Tensor(3, 5)));
        Assert.Contains("[3, 4]", ex.Message);
    }
}
