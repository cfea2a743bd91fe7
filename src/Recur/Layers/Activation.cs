namespace Recur.Layers;

/// <summary>An activation applied to a layer's output (Keras's <c>activation=</c> argument).</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<Activation>))]
public enum Activation
{
    /// <summary>None: the output is used as it is (Keras's <c>"linear"</c>, the default).</summary>
    Linear,

    /// <summary>Softmax over the last axis, for a loss on probabilities (<c>fromLogits: false</c>).</summary>
    Softmax,
}
