namespace Recur.Losses;

/// <summary>
/// Mean absolute error (Keras's <c>mae</c>, PyTorch's <c>L1Loss</c>): loss <c>mean(|p − y|)</c> over every element (of
/// the valid steps, with a mask), gradient <c>sign(p − y)/N</c>, 0 where <c>p = y</c> as in PyTorch. Shapes as
/// <see cref="ElementwiseLoss"/>.
/// </summary>
public sealed class MeanAbsoluteError : ElementwiseLoss
{
    /// <summary>"mae".</summary>
    public override string Name => "mae";

    /// <inheritdoc/>
    protected override double Element(float prediction, float target, float scale, out float gradient)
    {
        float d = prediction - target;
        gradient = d > 0f ? scale : d < 0f ? -scale : 0f;
        return Math.Abs((double)d);
    }
}
