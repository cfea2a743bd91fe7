using System.Globalization;

namespace Recur.Layers;

/// <summary>
/// Keras's <c>Masking(mask_value)</c>: builds a <see cref="Masking"/>, which masks each step of <c>[B, T, F]</c> whose
/// every feature equals <paramref name="MaskValue"/> (the layers after skip it) and zeroes it. No weights; the output
/// shape is the input's.
/// </summary>
/// <param name="MaskValue">The value every feature of a padding step holds; 0 by default, as Keras; not NaN.</param>
public sealed record MaskingLayer(float MaskValue = 0f) : LayerConfig
{
    /// <inheritdoc/>
    public override int[] OutputShape(int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (float.IsNaN(MaskValue))
        {
            throw new ArgumentOutOfRangeException(nameof(MaskValue), MaskValue, $"Layer '{LayerName}' (Masking): MaskValue is NaN, which no feature ever equals; pad with a number (e.g. 0) and give that.");
        }

        if (inputShape.Length != 2 || inputShape[1] <= 0)
        {
            throw ShapeError(inputShape, "(None, steps, features)");
        }

        return (int[])inputShape.Clone();
    }

    /// <summary><c>Masking(0)</c>.</summary>
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"Masking({MaskValue})");

    /// <inheritdoc/>
    protected override ILayer CreateLayer(int[] inputShape, Rng rng) => new Masking(MaskValue, LayerName);
}
