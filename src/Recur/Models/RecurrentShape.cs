using Recur.Layers;

namespace Recur.Models;

/// <summary>The output shape of a recurrent layer config (<see cref="LstmLayer"/>, <see cref="GruLayer"/>, <see cref="SimpleRnnLayer"/>).</summary>
internal static class RecurrentShape
{
    /// <summary>
    /// <c>(steps, features)</c> → <c>(units)</c>, or <c>(steps, units)</c> with <paramref name="returnSequences"/>; throws
    /// a message naming the layer when <paramref name="units"/> is not positive, a dropout rate is not in [0, 1) or the
    /// input is not a sequence.
    /// </summary>
    public static int[] Output(int units, bool returnSequences, float dropout, float recurrentDropout, int[] inputShape, string name, string className, string config)
    {
        ShapeCheck.Positive(units, "Units", config);
        CheckRate(dropout, "Dropout", name, className);
        CheckRate(recurrentDropout, "RecurrentDropout", name, className);
        if (inputShape.Length != 2 || inputShape[1] <= 0)
        {
            throw LayerConfig.ShapeError(name, className, inputShape, "(None, steps, features): InputShape = [steps, features], e.g. [28, 28] for MNIST rows");
        }

        return returnSequences ? [inputShape[0], units] : [units];
    }

    private static void CheckRate(float rate, string argument, string name, string className)
    {
        if (!(rate >= 0f && rate < 1f))
        {
            throw new ArgumentOutOfRangeException(argument, rate, $"Layer '{name}' ({className}): {argument} must be at least 0 and below 1; received {rate}.");
        }
    }
}
