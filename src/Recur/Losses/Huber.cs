namespace Recur.Losses;

/// <summary>
/// Keras's <c>Huber(delta)</c> (PyTorch's <c>HuberLoss(delta)</c>): per element, with <c>d = p − y</c>,
/// <c>½d²</c> where <c>|d| ≤ δ</c> and <c>δ(|d| − ½δ)</c> beyond, averaged over every element (of the valid steps,
/// with a mask); gradient <c>d/N</c>, or <c>δ·sign(d)/N</c> beyond δ. Shapes as <see cref="ElementwiseLoss"/>.
/// </summary>
public sealed class Huber : ElementwiseLoss
{
    /// <summary>Creates the loss.</summary>
    /// <param name="delta">δ, where the loss turns from quadratic to linear; positive and finite (Keras's default 1).</param>
    /// <exception cref="ArgumentOutOfRangeException">δ is not positive and finite.</exception>
    public Huber(float delta = 1f)
    {
        if (!(delta > 0f && float.IsFinite(delta)))
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "Huber: delta must be a positive finite number (Keras's default is 1).");
        }

        Delta = delta;
    }

    /// <summary>δ.</summary>
    public float Delta { get; }

    /// <summary>"huber".</summary>
    public override string Name => "huber";

    /// <inheritdoc/>
    protected override double Element(float prediction, float target, float scale, out float gradient)
    {
        float d = prediction - target;
        double a = Math.Abs((double)d);
        if (a <= Delta)
        {
            gradient = scale * d;
            return 0.5 * d * d;
        }

        gradient = d > 0f ? scale * Delta : -scale * Delta;
        return Delta * (a - (0.5 * Delta));
    }
}
