using System.Text.Json.Serialization;
using Recur.Layers;

namespace Recur.Models;

/// <summary>
/// A Keras-style layer description: the constructor arguments of a layer whose weights do not exist
/// yet. <see cref="Sequential.Add(LayerConfig)"/> builds the engine layer (<see cref="Lstm"/>,
/// <see cref="Dense"/>, ...) once the input shape is known, from the first config's
/// <see cref="InputShape"/> propagated through the model, with the model's seeded random source.
/// </summary>
/// <remarks>
/// The concrete configs are named <c>LstmLayer</c>, <c>DenseLayer</c>, <c>ActivationLayer</c> — Keras's
/// <c>LSTM</c>, <c>Dense</c>, <c>Activation</c> with a <c>Layer</c> suffix, because <c>Recur.Layers</c>
/// already has the engine classes <see cref="Lstm"/> and <see cref="Dense"/> and code that uses both
/// namespaces must not have to qualify them. Every argument is a property, so a config round-trips
/// through JSON (<c>config.json</c> of a saved model) and two configs are equal when their arguments are;
/// <see cref="InputShape"/> is compared by content.
/// </remarks>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "class_name")]
[JsonDerivedType(typeof(LstmLayer), "LSTM")]
[JsonDerivedType(typeof(GruLayer), "GRU")]
[JsonDerivedType(typeof(SimpleRnnLayer), "SimpleRNN")]
[JsonDerivedType(typeof(DenseLayer), "Dense")]
[JsonDerivedType(typeof(ActivationLayer), "Activation")]
[JsonDerivedType(typeof(DropoutLayer), "Dropout")]
[JsonDerivedType(typeof(BidirectionalLayer), "Bidirectional")]
public abstract record LayerConfig
{
    /// <summary>The layer name; null to have <see cref="Sequential"/> assign Keras's (<c>lstm</c>, <c>lstm_1</c>, <c>dense</c>, ...).</summary>
    public string? Name { get; init; }

    /// <summary>
    /// The shape of one input example without the batch axis, e.g. <c>[28, 28]</c> (steps, features) for an
    /// LSTM reading MNIST rows; −1 (Keras's None) for an axis of any size, e.g. <c>[-1, 28]</c> for sequences of any
    /// length. Needed on the first layer only (Keras's <c>input_shape</c>); later layers get theirs from the layer before.
    /// </summary>
    public int[]? InputShape { get; init; }

    /// <summary>Keras's class name, shown by <see cref="Sequential.Summary()"/> (<c>LSTM</c>, <c>Dense</c>, ...).</summary>
    internal abstract string ClassName { get; }

    /// <summary>The stem of automatic names (<c>lstm</c>, <c>dense</c>, ...).</summary>
    internal abstract string BaseName { get; }

    /// <summary>The output shape (without the batch axis) for <paramref name="inputShape"/>; throws with a clear message when the layer cannot take it.</summary>
    internal abstract int[] OutputShape(int[] inputShape, string name);

    /// <summary>Creates the engine layer for <paramref name="inputShape"/>.</summary>
    internal abstract ILayer Build(int[] inputShape, string name, Rng rng);

    /// <summary>Equality of every argument, <see cref="InputShape"/> by content.</summary>
    public virtual bool Equals(LayerConfig? other) =>
        other is not null
        && EqualityContract == other.EqualityContract
        && Name == other.Name
        && (InputShape is null ? other.InputShape is null : other.InputShape is not null && InputShape.AsSpan().SequenceEqual(other.InputShape));

    /// <inheritdoc/>
    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.Add(EqualityContract);
        hash.Add(Name);
        foreach (int d in InputShape ?? [])
        {
            hash.Add(d);
        }

        return hash.ToHashCode();
    }

    /// <summary>"(None, 28, 28)": a shape with Keras's batch axis in front.</summary>
    internal static string FormatShape(int[] shape) =>
        "(" + string.Join(", ", shape.Select(d => d < 0 ? "None" : d.ToString(System.Globalization.CultureInfo.InvariantCulture)).Prepend("None")) + ")";

    /// <summary>An error for an input shape the layer cannot take.</summary>
    internal static ArgumentException ShapeError(string name, string type, int[] inputShape, string expected) =>
        new($"Layer '{name}' ({type}) received input shape {FormatShape(inputShape)}, but expects {expected}; fix the InputShape of the first layer or the layers before it.");
}
