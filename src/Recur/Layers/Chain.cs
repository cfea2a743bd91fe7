using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// Two layers run as one, the first's output feeding the second: the first's name and parameters, the options of
/// the pair (a <c>DenseLayer</c> with a softmax is a <see cref="Dense"/> chained to a <see cref="Softmax"/>).
/// </summary>
/// <param name="first">Runs first; its name and parameters are the chain's.</param>
/// <param name="second">Runs on the first's output; no parameters of its own are saved.</param>
/// <param name="options">The record that rebuilds the pair.</param>
internal sealed class Chain(ILayer first, ILayer second, LayerConfig options) : IMaskedLayer
{
    public string Name => first.Name;

    public IReadOnlyList<Parameter> Parameters => first.Parameters;

    public LayerConfig Options => options;

    /// <summary>The layer that runs first (what exporters walk).</summary>
    public ILayer First => first;

    /// <summary>The layer that runs on the first's output.</summary>
    public ILayer Second => second;

    public SequenceMask? InputMask { get; set; }

    public SequenceMask? OutputMask { get; private set; }

    /// <summary>The first layer, then the second; the mask goes through both (and ends at one that does not take part in masking).</summary>
    public Tensor Forward(Tensor x, bool training = false)
    {
        SequenceMask? mask = InputMask;
        Tensor y = MaskFlow.Forward(second, MaskFlow.Forward(first, x, ref mask, training), ref mask, training);
        OutputMask = mask;
        return y;
    }

    public Tensor Backward(Tensor dy) => first.Backward(second.Backward(dy));
}
