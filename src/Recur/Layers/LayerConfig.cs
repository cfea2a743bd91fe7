using System.Globalization;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Recur.Layers;

/// <summary>
/// A layer's options record (Keras's <c>get_config</c>): everything needed to build the engine layer
/// (<see cref="Lstm"/>, <see cref="Dense"/>, ...) once the input shape is known, and nothing that depends on it.
/// <c>Sequential.Add(LayerConfig)</c> (in <c>Recur.Models</c>) builds it from the first config's <see cref="InputShape"/>
/// propagated through the model, with the model's seeded random source; <see cref="Build"/> builds it with a random
/// source of your own; a built layer reports its record as <see cref="ILayer.Options"/>. Every kind is registered by
/// class name in <see cref="LayerKinds.Registry"/>, which writes it in <c>config.json</c> as Keras does:
/// <c>{"class_name": "LSTM", "config": {"name": "lstm", "units": 128, …}}</c>.
/// </summary>
/// <remarks>
/// <para>The stock records are named <c>LstmLayer</c>, <c>DenseLayer</c>, <c>ActivationLayer</c> — Keras's
/// <c>LSTM</c>, <c>Dense</c>, <c>Activation</c> with a <c>Layer</c> suffix, because they sit in <c>Recur.Layers</c>
/// beside the engine classes <see cref="Lstm"/> and <see cref="Dense"/>. Their defaults are Keras's (Glorot-uniform
/// kernels, orthogonal recurrent kernels, zero biases, the LSTM's <c>unit_forget_bias</c>); the engine classes keep
/// their own.</para>
/// <para>Every argument is a property, so a record round-trips through JSON and two records are equal when their
/// arguments are; <see cref="InputShape"/> is compared by content.</para>
/// <para>A kind of your own: derive a record with its arguments as properties, override <see cref="OutputShape"/>
/// and <see cref="CreateLayer"/> (and <see cref="IsRecurrent"/> for a layer <see cref="BidirectionalLayer"/> may
/// wrap), have the engine layer return the record from <see cref="ILayer.Options"/>, and register the record once
/// with <c>LayerKinds.Registry.Register&lt;TRecord&gt;("ClassName")</c>.</para>
/// </remarks>
public abstract partial record LayerConfig
{
    /// <summary>The layer name; null to have the model (<c>Sequential</c>) assign Keras's (<c>lstm</c>, <c>lstm_1</c>, <c>dense</c>, ...).</summary>
    [JsonPropertyOrder(-2)]
    public string? Name { get; init; }

    /// <summary>
    /// The shape of one input example without the batch axis, e.g. <c>[28, 28]</c> (steps, features) for an
    /// LSTM reading MNIST rows; −1 (Keras's None) for an axis of any size, e.g. <c>[-1, 28]</c> for sequences of any
    /// length. Needed on the first layer only (Keras's <c>input_shape</c>); later layers get theirs from the layer
    /// before, and check it against theirs when given (a built layer's options give it: <c>[-1, I]</c> for a
    /// recurrent layer reading I features).
    /// </summary>
    [JsonPropertyOrder(-1)]
    public int[]? InputShape { get; init; }

    /// <summary>The class name the record's type is registered under (<c>LSTM</c>, <c>Dense</c>, ...), or the type's name when it is not registered.</summary>
    [JsonIgnore]
    public string ClassName => LayerKinds.Registry.ClassNameOf(GetType()) ?? GetType().Name;

    /// <summary>The stem of automatic names: Keras's snake_case of <see cref="ClassName"/> (<c>lstm</c>, <c>simple_rnn</c>, <c>dense</c>, ...).</summary>
    [JsonIgnore]
    public string BaseName => SnakeCase(ClassName);

    /// <summary>
    /// Whether the layer reads a sequence <c>[B, T, F]</c> one step at a time with a state, building an
    /// <see cref="IRecurrentLayer"/> — what <see cref="BidirectionalLayer"/> can run both ways. False unless a kind says so.
    /// </summary>
    [JsonIgnore]
    public bool IsRecurrent => Recurrent;

    /// <summary>The name the engine layer gets: <see cref="Name"/>, or <see cref="BaseName"/> when it has none.</summary>
    [JsonIgnore]
    protected string LayerName => Name ?? BaseName;

    /// <summary>What <see cref="IsRecurrent"/> returns; override with true for a recurrent kind.</summary>
    protected virtual bool Recurrent => false;

    /// <summary>
    /// The shape of one output example (without the batch axis) for input examples of <paramref name="inputShape"/>,
    /// −1 where any size goes; checks the arguments too.
    /// </summary>
    /// <exception cref="ArgumentException">An argument is invalid, or the layer cannot take the input shape; the message names the layer.</exception>
    public abstract int[] OutputShape(int[] inputShape);

    /// <summary>
    /// Builds the engine layer for input examples of <paramref name="inputShape"/>, named <see cref="Name"/> (or
    /// <see cref="BaseName"/>), its weights drawn from <paramref name="rng"/> — which a layer with dropout keeps for
    /// its masks. Its <see cref="ILayer.Options"/> then rebuild it.
    /// </summary>
    /// <exception cref="ArgumentException">An argument is invalid, or the layer cannot take the input shape.</exception>
    public ILayer Build(int[] inputShape, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        ArgumentNullException.ThrowIfNull(rng);
        OutputShape(inputShape); // checks the arguments and the shape, with messages that name the layer
        return CreateLayer(inputShape, rng);
    }

    /// <summary>Creates the engine layer for a checked <paramref name="inputShape"/>; see <see cref="Build"/>.</summary>
    protected abstract ILayer CreateLayer(int[] inputShape, Rng rng);

    /// <summary>
    /// The input shape a layer of this record can be built for without the layers before it (for a model file whose
    /// first layer, a Dense of known input size, fixes no input shape): <see cref="InputShape"/> unless a kind knows more.
    /// </summary>
    internal virtual int[]? StandaloneInputShape => InputShape;

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

    /// <summary>A short description for logs, e.g. <c>LSTM(128)</c>: the class name, and the main arguments where a kind gives them.</summary>
    public virtual string Describe() => ClassName;

    /// <summary>"(None, 28, 28)": a shape with Keras's batch axis in front.</summary>
    internal static string FormatShape(int[] shape) =>
        "(" + string.Join(", ", shape.Select(d => d < 0 ? "None" : d.ToString(CultureInfo.InvariantCulture)).Prepend("None")) + ")";

    /// <summary>An error for an input shape the layer cannot take, naming the layer.</summary>
    protected ArgumentException ShapeError(int[] inputShape, string expected) => ShapeError(LayerName, ClassName, inputShape, expected);

    /// <summary>An error for an input shape the layer <paramref name="name"/> cannot take.</summary>
    internal static ArgumentException ShapeError(string name, string type, int[] inputShape, string expected) =>
        new($"Layer '{name}' ({type}) received input shape {FormatShape(inputShape)}, but expects {expected}; fix the InputShape of the first layer or the layers before it.");

    /// <summary>Keras's <c>to_snake_case</c>: <c>SimpleRNN</c> → <c>simple_rnn</c>, <c>LSTM</c> → <c>lstm</c>.</summary>
    private static string SnakeCase(string className)
    {
        string name = NonWord().Replace(className, "");
        name = WordStart().Replace(name, "$1_$2");
        return LowerUpper().Replace(name, "$1_$2").ToLowerInvariant();
    }

    [GeneratedRegex(@"\W+")]
    private static partial Regex NonWord();

    [GeneratedRegex("(.)([A-Z][a-z]+)")]
    private static partial Regex WordStart();

    [GeneratedRegex("([a-z])([A-Z])")]
    private static partial Regex LowerUpper();
}
