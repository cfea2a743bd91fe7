namespace Recur.Layers;

/// <summary>
/// A layer that reads a sequence <c>[B, T, I]</c> one step at a time with a hidden state of
/// <see cref="HiddenSize"/> units: <see cref="Lstm"/>, <see cref="Gru"/>, <see cref="SimpleRnn"/>, and
/// <c>Bidirectional</c> around two of them. <see cref="ILayer.Forward"/> returns the last step's output
/// <c>[B, OutputSize]</c>, or every step's <c>[B, T, OutputSize]</c> with <see cref="ReturnSequences"/>.
/// </summary>
public interface IRecurrentLayer : ILayer
{
    /// <summary>I, features per step.</summary>
    int InputSize { get; }

    /// <summary>H, the units of the hidden state.</summary>
    int HiddenSize { get; }

    /// <summary>Features per step of the output: <see cref="HiddenSize"/>, or twice it for a concatenating <c>Bidirectional</c>.</summary>
    int OutputSize => HiddenSize;

    /// <summary>Whether <see cref="ILayer.Forward"/> returns every step <c>[B, T, ·]</c> rather than the last <c>[B, ·]</c>.</summary>
    bool ReturnSequences { get; }

    /// <summary>
    /// Whether <see cref="ILayer.Backward"/> computes the gradient with respect to the input (default true). A
    /// first layer, whose input is data, needs none: with false, Backward skips that product and returns zeros.
    /// </summary>
    bool ComputeInputGradient { get; set; }
}
