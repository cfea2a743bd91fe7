using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// Argument checks whose messages name the argument, the value received and what was expected.
/// Callers test the condition themselves and build the message only on failure, so checks on hot
/// paths allocate nothing.
/// </summary>
internal static class ShapeCheck
{
    /// <summary>"Layer: name has shape [..], expected ...".</summary>
    public static ArgumentException Error(Tensor t, string name, string layer, string expected) =>
        new($"{layer}: {name} has shape {Tensor.FormatShape(t.Shape)}, expected {expected}.", name);

    /// <summary>Throws unless <paramref name="t"/> has the shape of <paramref name="like"/> (the last forward output).</summary>
    public static void Same(Tensor t, Tensor like, string name, string layer)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        if (!t.HasShape(like.Shape))
        {
            throw Error(t, name, layer, $"{Tensor.FormatShape(like.Shape)} (the shape of the last forward output)");
        }
    }

    /// <summary>Throws unless <paramref name="t"/> has the shape of <paramref name="like"/> (a parameter being loaded).</summary>
    public static void Like(Tensor t, Tensor like, string name, string layer)
    {
        ArgumentNullException.ThrowIfNull(t, name);
        if (!t.HasShape(like.Shape))
        {
            throw Error(t, name, layer, Tensor.FormatShape(like.Shape));
        }
    }

    /// <summary>Throws unless <paramref name="value"/> is positive.</summary>
    public static void Positive(int value, string name, string layer)
    {
        if (value <= 0)
        {
            throw new ArgumentOutOfRangeException(name, value, $"{layer}: {name} must be a positive integer; received {value}.");
        }
    }
}
