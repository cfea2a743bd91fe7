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

    public SequenceMask? InputMask { get; set; }

    public SequenceMask? OutputMask { get; private set; }

    public Tensor Forward(Tensor x, bool training = false)
    {
        Tensor h = Run(first, x, InputMask, training, out SequenceMask? mask);
        Tensor y = Run(second, h, mask, training, out mask);
        OutputMask = mask;
        return y;
    }

    /// <summary>Runs <paramref name="layer"/> on <paramref name="x"/> with <paramref name="mask"/>; its output's mask, or null when the layer ends it.</summary>
    private static Tensor Run(ILayer layer, Tensor x, SequenceMask? mask, bool training, out SequenceMask? outputMask)
    {
        if (layer is not IMaskedLayer masked)
        {
            outputMask = null;
            return layer.Forward(x, training);
        }

        masked.InputMask = mask;
        Tensor y = layer.Forward(x, training);
        outputMask = masked.OutputMask;
        return y;
    }

    public Tensor Backward(Tensor dy) => first.Backward(second.Backward(dy));
}
