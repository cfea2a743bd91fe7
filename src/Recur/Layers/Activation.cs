namespace Recur.Layers;

/// <summary>
/// An activation applied to a layer's output (Keras's <c>activation=</c> argument, written in <c>config.json</c> by
/// Keras's names: <c>"linear"</c>, <c>"softmax"</c>, <c>"sigmoid"</c>, <c>"tanh"</c>, <c>"relu"</c>).
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<Activation>))]
public enum Activation
{
    /// <summary>None: the output is used as it is (Keras's <c>"linear"</c>, the default).</summary>
    Linear,

    /// <summary>Softmax over the last axis, for a loss on probabilities (<c>fromLogits: false</c>).</summary>
    Softmax,

    /// <summary>The logistic sigmoid <c>1 / (1 + e⁻ˣ)</c> of each element, for binary cross-entropy on probabilities.</summary>
    Sigmoid,

    /// <summary>tanh of each element.</summary>
    Tanh,

    /// <summary><c>max(x, 0)</c> of each element.</summary>
    Relu,
}
