using Recur.Losses;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Losses;

public class SoftmaxCrossEntropyTests(ITestOutputHelper output)
{
    [Fact]
    public void ClassIndicesMatchTorchCrossEntropy()
    {
        // The fixture's logits hold +100 and −110: a softmax that does not subtract the row maximum overflows.
        var f = Fixture.Load("softmax_ce.json");
        var loss = new SoftmaxCrossEntropy();
        float value = loss.Forward(f["logits"], f.Classes("labels"));
        Fixture.AssertClose("loss", f["loss"], Tensor.FromArray([value], 1), 1e-5 * Math.Abs(f["loss"].Data[0]), output, f.Name);
        f.AssertClose("dlogits", loss.Gradient, 1e-6, output);
    }

    [Fact]
    public void OneHotLabelsMatchTorchCrossEntropy()
    {
        var f = Fixture.Load("softmax_ce.json");
        var loss = new SoftmaxCrossEntropy();
        float value = loss.Forward(f["logits"], f["onehot"]);
        Fixture.AssertClose("loss", f["loss"], Tensor.FromArray([value], 1), 1e-5 * Math.Abs(f["loss"].Data[0]), output, f.Name);
        f.AssertClose("dlogits", loss.Gradient, 1e-6, output);
    }

    [Fact]
    public void GradientMatchesFiniteDifferences()
    {
        Tensor logits = GradCheck.Values(1, 3f, 3, 5);
        // Soft labels (rows summing to 1, 0.5 and 1) exercise the general p·Σy − y gradient.
        Tensor labels = Tensor.FromArray([0, 1, 0, 0, 0, 0.25f, 0.25f, 0, 0, 0, 0.1f, 0.2f, 0.3f, 0.4f, 0], 3, 5);
        var loss = new SoftmaxCrossEntropy();
        loss.Forward(logits, labels);
        Tensor grad = loss.Gradient.Clone();
        GradCheck.Check("ce.logits", logits, grad, () => new SoftmaxCrossEntropy().Forward(logits, labels), output);
    }

    [Fact]
    public void AccuracyCountsArgMaxMatches()
    {
        Tensor scores = Tensor.FromArray([0.1f, 0.9f, 0.5f, 0.2f, 3f, -1f], 3, 2);
        Assert.Equal(2f / 3f, Accuracy.FromClasses(scores, [1, 0, 1]));
        Tensor onehot = Tensor.FromArray([0, 1, 1, 0, 1, 0], 3, 2);
        Assert.Equal(1f, Accuracy.FromOneHot(scores, onehot));
    }

    [Fact]
    public void BadLabelsAreNamed()
    {
        var loss = new SoftmaxCrossEntropy();
        var logits = new Tensor(2, 10);
        var ex = Assert.Throws<ArgumentException>(() => loss.Forward(logits, [3, 10]));
        Assert.Contains("classes[1] = 10", ex.Message);
        Assert.Contains("[0, 10)", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => loss.Forward(logits, new Tensor(2, 9)));
        Assert.Equal("labels", ex.ParamName);
        Assert.Contains("[2, 9]", ex.Message);
        Assert.Contains("[2, 10]", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => loss.Forward(logits, [1]));
        Assert.Contains("1 class indices", ex.Message);

        logits.Data[3] = float.NaN;
        var diverged = Assert.Throws<DivergenceException>(() => loss.Forward(logits, [0, 1]));
        Assert.Contains("not finite", diverged.Message);
        Assert.Contains("lower the learning rate", diverged.Message);
    }
}
