namespace Recur.Layers;

/// <summary>The nonlinearity of a <see cref="SimpleRnn"/> (PyTorch's <c>nonlinearity</c>, Keras's <c>activation</c>).</summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<RnnActivation>))]
public enum RnnActivation
{
    /// <summary><c>tanh</c>, the default of both frameworks.</summary>
    Tanh,

    /// <summary><c>relu</c>: max(0, x); its gradient at 0 is 0, as in PyTorch.</summary>
    Relu,
}
