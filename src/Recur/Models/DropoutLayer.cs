using System.Globalization;
using Recur.Layers;

namespace Recur.Models;

/// <summary>
/// Keras's <c>Dropout(rate)</c>: builds a <see cref="Dropout"/>, which in training zeroes each element with
/// probability <paramref name="Rate"/> and scales the rest by <c>1 / (1 − rate)</c>, and passes its input
/// through at inference. Any input shape; no weights. Its masks come from the model's seed.
/// </summary>
/// <param name="Rate">The fraction of elements dropped, in [0, 1).</param>
public sealed record DropoutLayer(float Rate) : LayerConfig
{
    /// <inheritdoc/>
    public override int[] OutputShape(int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        if (!(Rate >= 0f && Rate < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(Rate), Rate, $"Layer '{LayerName}' (Dropout): Rate must be at least 0 and below 1; received {Rate}.");
        }

        return (int[])inputShape.Clone();
    }

    /// <summary><c>Dropout(0.2)</c>.</summary>
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"Dropout({Rate})");

    /// <inheritdoc/>
    protected override ILayer CreateLayer(int[] inputShape, Rng rng) => new Dropout(Rate, rng, LayerName);
}
