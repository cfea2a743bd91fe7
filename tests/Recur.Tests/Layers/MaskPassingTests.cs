using Recur.Layers;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Tests.Layers;

/// <summary>The layers that keep the steps hand the mask of a sequence on, and end it at <c>[B, F]</c>.</summary>
public class MaskPassingTests
{
    public static TheoryData<string> Kinds => ["dense", "dense_softmax", "dropout", "softmax", "identity"];

    private static IMaskedLayer Make(string kind) => kind switch
    {
        "dense" => new Dense(3, 2),
        "dense_softmax" => (IMaskedLayer)new DenseLayer(2, Activation.Softmax).Build([4, 3], new Rng(1)),
        "dropout" => new Dropout(0.5f),
        "softmax" => new Softmax(),
        _ => new Identity(),
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TheMaskOfASequencePassesOnAndTheMathIsUnchanged(string kind)
    {
        IMaskedLayer layer = Make(kind);
        Tensor x = GradCheck.Values(1, 1f, 2, 4, 3);
        Tensor plain = layer.Forward(x).Clone();
        Assert.Null(layer.OutputMask);

        SequenceMask mask = SequenceMask.FromLengths([2, 4], 4);
        layer.InputMask = mask;
        foreach (bool training in (bool[])[false, true])
        {
            Tensor y = layer.Forward(x, training);
            Assert.Same(mask, layer.OutputMask);
            if (!training)
            {
                Assert.Equal(plain.Data, y.Data);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TwoDimensionalInputEndsTheMask(string kind)
    {
        IMaskedLayer layer = Make(kind);
        layer.InputMask = SequenceMask.FromLengths([2, 3], 4);
        layer.Forward(GradCheck.Values(1, 1f, 2, 3));
        Assert.Null(layer.OutputMask);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void AMaskOfAnotherShapeIsRefused(string kind)
    {
        IMaskedLayer layer = Make(kind);
        layer.InputMask = SequenceMask.FromLengths([2, 3, 1], 4);
        var e = Assert.Throws<ArgumentException>(() => layer.Forward(GradCheck.Values(1, 1f, 2, 4, 3)));
        Assert.Contains("the input mask is [3, 4] but x has shape [2, 4, 3]", e.Message);
    }

    [Fact]
    public void AModelHandsTheMaskingMaskToItsOutput()
    {
        var model = new Sequential(seed: 2)
        {
            new MaskingLayer(0f) { InputShape = [-1, 3] },
            new DenseLayer(4, Activation.Softmax),
            new DropoutLayer(0.3f),
            new ActivationLayer(Activation.Linear),
            new DenseLayer(2),
        };
        Tensor x = GradCheck.Values(1, 1f, 2, 5, 3);
        x.Data.AsSpan(9, 6).Clear(); // sequence 0: steps 3 and 4 are padding
        foreach (bool training in (bool[])[false, true])
        {
            model.Forward(x, training);
            var masking = (Masking)model.Layers[0];
            Assert.Same(masking.OutputMask, model.OutputMask);
            Assert.Equal([3, 5], model.OutputMask!.Lengths.ToArray());
        }

        SequenceMask lengths = SequenceMask.FromLengths([5, 2], 5);
        model.Forward(x, lengths);
        Assert.Equal([3, 2], model.OutputMask!.Lengths.ToArray());
    }
}
