using Recur.Layers;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Layers;

public class MaskingTests(ITestOutputHelper output)
{
    /// <summary>
    /// x [2, 4, 3]: sequence 0's step 1 and sequence 1's steps 0 and 3 are all 0.5 (padding); sequence 0's step 3 has
    /// 0.5 in two features of three (not padding); sequence 1's step 2 is all −0 with mask value 0 elsewhere.
    /// </summary>
    private static Tensor Padded() => new(
        [
            0.1f, -0.2f, 0.3f, /**/ 0.5f, 0.5f, 0.5f, /**/ 0.7f, 0.0f, -0.4f, /**/ 0.5f, 0.5f, 0.9f,
            0.5f, 0.5f, 0.5f, /**/ -0.6f, 0.2f, 0.8f, /**/ 0.3f, 0.3f, 0.3f, /**/ 0.5f, 0.5f, 0.5f,
        ],
        2, 4, 3);

    /// <summary>Keras's <c>Masking.call</c>: <c>mask = any(x != mask_value, axis=-1)</c>, <c>y = x · mask</c>.</summary>
    private static (byte[] Valid, float[] Y) Keras(Tensor x, float maskValue)
    {
        int f = x.Dim(2);
        var valid = new byte[x.Length / f];
        var y = new float[x.Length];
        for (int s = 0; s < valid.Length; s++)
        {
            valid[s] = x.Data.AsSpan(s * f, f).ToArray().Any(v => v != maskValue) ? (byte)1 : (byte)0;
            for (int i = 0; i < f; i++)
            {
                y[(s * f) + i] = x.Data[(s * f) + i] * valid[s];
            }
        }

        return (valid, y);
    }

    [Fact]
    public void AStepWhoseEveryFeatureIsTheMaskValueIsMaskedAndZeroed()
    {
        Tensor x = Padded();
        var masking = new Masking(0.5f);
        Tensor y = masking.Forward(x);
        (byte[] valid, float[] expected) = Keras(x, 0.5f);
        Assert.Equal([1, 0, 1, 1, 0, 1, 1, 0], valid); // the reference agrees with the description of Padded
        Assert.Equal(valid, masking.OutputMask!.Valid.ToArray());
        Assert.Equal(expected, y.Data);
        Assert.Equal(3, masking.MaskedSteps);
        Assert.Equal([3, 2], masking.OutputMask.Lengths.ToArray());
    }

    [Fact]
    public void NegativeZeroIsTheMaskValueZeroAsKerasCompares()
    {
        Tensor x = Padded();
        x.Data.AsSpan(18, 3).Fill(-0f);
        var masking = new Masking();
        masking.Forward(x);
        Assert.False(masking.OutputMask!.IsValid(1, 2));
        Assert.Equal(1, masking.MaskedSteps);
    }

    [Fact]
    public void TheInputMaskCombinesWithTheLayersOwn()
    {
        Tensor x = Padded();
        var masking = new Masking(0.5f) { InputMask = SequenceMask.FromLengths([3, 4], 4) };
        Tensor y = masking.Forward(x);
        Assert.Equal([1, 0, 1, 0, 0, 1, 1, 0], masking.OutputMask!.Valid.ToArray()); // step 3 of sequence 0: masked by the input mask
        Assert.All(y.Data.AsSpan(9, 3).ToArray(), v => Assert.Equal(0f, v));
        Assert.Equal(3, masking.MaskedSteps); // steps equal to the mask value, whatever the input mask says
    }

    [Fact]
    public void AValueThatNeverOccursMasksNothing()
    {
        var masking = new Masking(-1f);
        Tensor x = Padded();
        Tensor y = masking.Forward(x);
        Assert.Equal(0, masking.MaskedSteps);
        Assert.True(masking.OutputMask!.IsFull);
        Assert.Equal(x.Data, y.Data);
    }

    [Fact]
    public void TheGradientPassesThroughValidStepsOnly()
    {
        // Finite differences over the valid steps' features; a masked step's gradient is 0 by definition (a change of
        // one feature there would unmask the step, so it has no derivative).
        Tensor x = Padded();
        var masking = new Masking(0.5f) { InputMask = SequenceMask.FromLengths([3, 4], 4) };
        Tensor w = GradCheck.Values(3, 1f, 2, 4, 3);
        masking.Forward(x, training: true);
        Tensor dx = masking.Backward(w).Clone();
        byte[] valid = masking.OutputMask!.Valid.ToArray();
        int[] steps = [.. Enumerable.Range(0, valid.Length).Where(s => valid[s] != 0)];

        var values = new Tensor(steps.Length, 3);
        var analytic = new Tensor(steps.Length, 3);
        for (int k = 0; k < steps.Length; k++)
        {
            x.Data.AsSpan(steps[k] * 3, 3).CopyTo(values.Data.AsSpan(k * 3, 3));
            dx.Data.AsSpan(steps[k] * 3, 3).CopyTo(analytic.Data.AsSpan(k * 3, 3));
        }

        double Loss()
        {
            for (int k = 0; k < steps.Length; k++)
            {
                values.Data.AsSpan(k * 3, 3).CopyTo(x.Data.AsSpan(steps[k] * 3, 3));
            }

            return GradCheck.Dot(masking.Forward(x), w);
        }

        GradCheck.Check("masking dx", values, analytic, Loss, output);
        for (int s = 0; s < valid.Length; s++)
        {
            Assert.Equal(valid[s] != 0 ? w.Data.AsSpan(s * 3, 3).ToArray() : [0f, 0f, 0f], dx.Data.AsSpan(s * 3, 3).ToArray());
        }
    }

    [Fact]
    public void ErrorsNameTheLayerTheArgumentAndTheFix()
    {
        var masking = new Masking(0.5f, "pad");
        var rank = Assert.Throws<ArgumentException>(() => masking.Forward(new Tensor(2, 4)));
        Assert.Contains("Masking 'pad': x has shape [2, 4], expected [batch, steps, features]", rank.Message);

        Tensor x = Padded();
        x.Data.AsSpan(12, 12).Fill(0.5f);
        var empty = Assert.Throws<ArgumentException>(() => masking.Forward(x));
        Assert.Contains("Masking 'pad' (mask value 0.5)", empty.Message);
        Assert.Contains("sequence 1 of the batch has no valid step", empty.Message);

        masking.InputMask = SequenceMask.FromLengths([1, 1, 1], 4);
        var mask = Assert.Throws<ArgumentException>(() => masking.Forward(Padded()));
        Assert.Contains("the input mask is [3, 4] but x has shape [2, 4, 3]", mask.Message);

        Assert.Equal("maskValue", Assert.Throws<ArgumentOutOfRangeException>(() => new Masking(float.NaN)).ParamName);
        Assert.Throws<ArgumentOutOfRangeException>(() => new MaskingLayer(float.NaN).OutputShape([4, 3]));
        var shape = Assert.Throws<ArgumentException>(() => new MaskingLayer().OutputShape([4]));
        Assert.Contains("Layer 'masking' (Masking) received input shape (None, 4)", shape.Message);
        Assert.Equal([-1, 3], new MaskingLayer().OutputShape([-1, 3]));
    }

    [Fact]
    public void ForwardAndBackwardAllocateNothingAfterWarmUpWithAnInputMask()
    {
        var masking = new Masking(0.5f) { InputMask = SequenceMask.FromLengths([3, 4], 4) };
        Tensor x = Padded();
        Tensor dy = GradCheck.Values(5, 1f, 2, 4, 3);
        long allocated = SingleThread.AllocatedAfterWarmUp(() =>
        {
            masking.Forward(x, training: true);
            masking.Backward(dy);
        });
        Assert.Equal(0, allocated);
    }
}
