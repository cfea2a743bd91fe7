namespace Recur.Losses;

/// <summary>
/// Mean squared error (Keras's <c>mse</c>, PyTorch's <c>MSELoss</c>), for regression such as predicting a sequence's
/// next values: loss <c>mean((p − y)²)</c> over every element (of the valid steps, with a mask), gradient
/// <c>2(p − y)/N</c> with N the elements averaged. Shapes as <see cref="ElementwiseLoss"/>.
/// </summary>
public sealed class MeanSquaredError : ElementwiseLoss
{
    /// <summary>"mse".</summary>
    public override string Name => "mse";

    /// <inheritdoc/>
    protected override double Element(float prediction, float target, float scale, out float gradient)
    {
        float d = prediction - target;
        gradient = 2f * scale * d; // (2·(1/N))·d: the same bits as (2/N)·d, doubling being exact
        return (double)d * d;
    }
}
