using Recur.Layers;

namespace Recur.Models;

/// <summary>The output shape of a recurrent layer config (<see cref="LstmLayer"/>, <see cref="GruLayer"/>, <see cref="SimpleRnnLayer"/>).</summary>
internal static class RecurrentShape
{
    /// <summary>
    /// <c>(steps, features)</c> → <c>(units)</c>, or <c>(steps, units)</c> with <paramref name="returnSequences"/>; throws
    /// a message naming the layer when <paramref name="units"/> is not positive or the input is not a sequence.
    /// </summary>
    public static int[] Output(int units, bool returnSequences, int[] inputShape, string name, string className, string config)
    {
        ShapeCheck.Positive(units, "Units", config);
        if (inputShape.Length != 2 || inputShape[1] <= 0)
        {
            throw LayerConfig.ShapeError(name, className, inputShape, "(None, steps, features): InputShape = [steps, features], e.g. [28, 28] for MNIST rows");
        }

        return returnSequences ? [inputShape[0], units] : [units];
    }
}
