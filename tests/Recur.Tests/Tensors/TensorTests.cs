using Recur.Tensors;

namespace Recur.Tests.Tensors;

public class TensorTests
{
    [Fact]
    public void ShapeAndIndexingAreRowMajor()
    {
        var t = new Tensor(2, 3, 4);
        t[1, 2, 3] = 5f;
        Assert.Equal(24, t.Length);
        Assert.Equal(5f, t.Data[(1 * 3 + 2) * 4 + 3]);
        Assert.Equal(4, t.Dim(-1));
    }

    [Fact]
    public void ReshapeSharesStorageAndRejectsWrongCounts()
    {
        var t = new Tensor(2, 6);
        var r = t.Reshape(3, 4);
        r[2, 3] = 1f;
        Assert.Equal(1f, t[1, 5]);
        var ex = Assert.Throws<ArgumentException>(() => t.Reshape(5, 2));
        Assert.Contains("[5, 2]", ex.Message);
        Assert.Contains("12", ex.Message);
    }

    [Fact]
    public void NegativeDimensionIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Tensor(2, -1));
        Assert.Contains("[2, -1]", ex.Message);
    }

    [Fact]
    public void WrongLengthBufferNamesBothCounts()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Tensor(new float[10], 3, 4));
        Assert.Equal("data", ex.ParamName);
        Assert.Contains("10 elements", ex.Message);
        Assert.Contains("[3, 4] needs 12", ex.Message);

        var t = new Tensor(2, 3);
        ex = Assert.Throws<ArgumentException>(() => t.CopyFrom(new Tensor(3, 2)));
        Assert.Contains("[3, 2]", ex.Message);
        Assert.Contains("[2, 3]", ex.Message);
    }
}
