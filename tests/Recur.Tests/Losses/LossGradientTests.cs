using Recur.Losses;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Losses;

/// <summary>Every loss's gradient by finite differences, on <c>[B, C]</c> and per step with a mask.</summary>
public class LossGradientTests(ITestOutputHelper output)
{
    public static TheoryData<string> Names => [.. new[] { "mse", "mae", "huber", "huber_half", "bce", "bce_logits", "cce", "cce_logits", "scce", "scce_logits" }];

    [Theory]
    [MemberData(nameof(Names))]
    public void GradientMatchesFiniteDifferencesPerRow(string name) => CheckGradient(name, 3, null);

    [Theory]
    [MemberData(nameof(Names))]
    public void GradientMatchesFiniteDifferencesPerValidStep(string name)
    {
        SequenceMask mask = SequenceMask.FromLengths([4, 1, 3], 4);
        Tensor grad = CheckGradient(name, 4, mask);
        for (int r = 0; r < 12; r++)
        {
            if (mask.Valid[r] == 0)
            {
                Assert.All(grad.Data.Skip(r * 3).Take(3), g => Assert.Equal(0f, g));
            }
        }
    }

    [Fact]
    public void MaskedStepsAddNothing()
    {
        // Changing a masked step's prediction or target changes neither the loss nor the gradient of the others.
        SequenceMask mask = SequenceMask.FromLengths([2, 3, 1], 3);
        foreach (string name in Names)
        {
            (ILoss loss, Tensor p, Tensor y) = Make(name, 3, mask);
            float before = loss.Forward(p, y, mask);
            float[] grad = loss.Gradient.Data.ToArray();
            p.Data[2 * 3] += 0.25f; // sequence 0, step 2: masked
            float after = loss.Forward(p, y, mask);
            Assert.Equal(before, after);
            Assert.Equal(grad, loss.Gradient.Data);
        }
    }

    [Fact]
    public void RegressionTakesStepTargetsWithoutTheUnitAxis()
    {
        // Keras allows y [B, T] for predictions [B, T, 1].
        Tensor p = GradCheck.Values(3, 1f, 2, 5, 1), y = GradCheck.Values(4, 1f, 2, 5);
        var loss = new MeanSquaredError();
        float squeezed = loss.Forward(p, y);
        Assert.Equal(squeezed, new MeanSquaredError().Forward(p, Tensor.FromArray(y.Data, 2, 5, 1)));
        var ex = Assert.Throws<ArgumentException>(() => loss.Forward(p, new Tensor(2, 4)));
        Assert.Contains("[2, 4]", ex.Message);
    }

    [Fact]
    public void ErrorsNameTheMismatch()
    {
        var sparse = new SparseCategoricalCrossentropy(fromLogits: true);
        var ex = Assert.Throws<ArgumentException>(() => sparse.Forward(new Tensor(2, 5, 3), new Tensor(2, 5, 3)));
        Assert.Contains("looks one-hot", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => sparse.Forward(new Tensor(2, 5, 3), new Tensor(2, 4)));
        Assert.Contains("[2, 5]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => sparse.Forward(new Tensor(2, 3), new Tensor(2), SequenceMask.FromLengths([1, 1], 1)));
        Assert.Equal("mask", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => new BinaryCrossentropy().Forward(Tensor.FromArray([1.5f], 1, 1), new Tensor(1, 1)));
        Assert.Contains("Activation.Sigmoid", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => new BinaryCrossentropy(true).Forward(new Tensor(1, 1), Tensor.FromArray([2f], 1, 1)));
        Assert.Contains("not in [0, 1]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => Loss.FromName("hinge"));
        Assert.Contains("huber", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new Huber(0f));
    }

    [Fact]
    public void KerasNamesGiveTheLosses()
    {
        Assert.IsType<MeanAbsoluteError>(Loss.FromName("mae"));
        Assert.IsType<MeanAbsoluteError>(Loss.FromName("mean_absolute_error"));
        Assert.Equal(1f, Assert.IsType<Huber>(Loss.FromName("huber")).Delta);
        Assert.True(Assert.IsType<BinaryCrossentropy>(Loss.FromName("binary_crossentropy", fromLogits: true)).FromLogits);
        Assert.False(Assert.IsType<BinaryCrossentropy>(Loss.FromName("binary_crossentropy")).FromLogits);
    }

    [Fact]
    public void NewLossesRoundTripThroughTheRegistry()
    {
        foreach (ILoss loss in new ILoss[] { new MeanAbsoluteError(), new Huber(0.25f), new BinaryCrossentropy(true) })
        {
            string json = LossKinds.Registry.ToJson(loss).ToJsonString();
            ILoss back = LossKinds.Registry.FromJson(System.Text.Json.Nodes.JsonNode.Parse(json)!);
            Assert.Equal(loss.GetType(), back.GetType());
            Assert.Equal(json, LossKinds.Registry.ToJson(back).ToJsonString());
        }
    }

    private Tensor CheckGradient(string name, int steps, SequenceMask? mask)
    {
        (ILoss loss, Tensor p, Tensor y) = Make(name, steps, mask);
        loss.Forward(p, y, mask);
        Tensor grad = loss.Gradient.Clone();
        GradCheck.Check($"{name}{(mask is null ? "" : " masked")}", p, grad, () => Make(name, steps, mask).Loss.Forward(p, y, mask), output);
        return grad;
    }

    /// <summary>The loss, predictions <c>[3, C=3]</c> (or <c>[3, T, 3]</c> with a mask) inside its domain, and targets.</summary>
    private static (ILoss Loss, Tensor P, Tensor Y) Make(string name, int steps, SequenceMask? mask)
    {
        int[] shape = mask is null ? [steps, 3] : [3, steps, 3];
        Tensor logits = GradCheck.Values(11, 2f, shape);
        Tensor values = GradCheck.Values(12, 2f, shape);
        int rows = logits.Length / 3;
        var classes = mask is null ? new Tensor(steps) : new Tensor(3, steps);
        var onehot = new Tensor(shape);
        for (int r = 0; r < rows; r++)
        {
            classes.Data[r] = (r * 7) % 3;
            onehot.Data[(r * 3) + ((r * 7) % 3)] = 1f;
        }

        // Probabilities near the middle: −log p curves too fast near 0 for a finite-difference step of 0.01.
        Tensor mild = Tensor.FromArray(logits.Data.Select(v => v / 4f).ToArray(), shape);
        Tensor probs = Predictions.Softmax(mild);
        Tensor sigmoids = Predictions.Sigmoid(mild);
        Tensor bits = Tensor.FromArray(values.Data.Select(v => v > 0 ? 1f : 0f).ToArray(), shape);
        return name switch
        {
            "mse" => (new MeanSquaredError(), logits, values),
            "mae" => (new MeanAbsoluteError(), logits, values),
            "huber" => (new Huber(), logits, values),
            "huber_half" => (new Huber(0.5f), logits, values),
            "bce" => (new BinaryCrossentropy(), sigmoids, bits),
            "bce_logits" => (new BinaryCrossentropy(true), logits, bits),
            "cce" => (new CategoricalCrossentropy(), probs, onehot),
            "cce_logits" => (new CategoricalCrossentropy(true), logits, onehot),
            "scce" => (new SparseCategoricalCrossentropy(), probs, classes),
            _ => (new SparseCategoricalCrossentropy(true), logits, classes),
        };
    }
}
