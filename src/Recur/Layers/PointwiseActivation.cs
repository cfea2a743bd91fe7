using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// An activation applied to each element on its own, with no parameters: <see cref="Activation.Sigmoid"/>,
/// <see cref="Activation.Tanh"/> or <see cref="Activation.Relu"/>, on <c>[B, F]</c> or every step of <c>[B, T, F]</c>
/// (any shape; the output's is the input's). Backward from the output <c>y</c>: sigmoid <c>dx = dy·y(1 − y)</c>, tanh
/// <c>dx = dy·(1 − y²)</c>, relu <c>dx = dy</c> where <c>y &gt; 0</c>, else 0 (PyTorch's choice at 0).
/// </summary>
/// <remarks>σ and tanh are Recur's float32 kernels (<c>SimdMath</c>), the ones the recurrent cells use.</remarks>
public sealed class PointwiseActivation : IMaskedLayer
{
    private Tensor? _output;
    private Tensor? _inputGrad;
    private int _rank;

    /// <summary>Creates the layer.</summary>
    /// <param name="activation">Sigmoid, Tanh or Relu.</param>
    /// <param name="name">The layer name.</param>
    /// <exception cref="ArgumentOutOfRangeException">The activation is not one applied element by element.</exception>
    public PointwiseActivation(Activation activation, string name = "activation")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (activation is not (Activation.Sigmoid or Activation.Tanh or Activation.Relu))
        {
            throw new ArgumentOutOfRangeException(nameof(activation), activation,
                "PointwiseActivation: the activation must be Sigmoid, Tanh or Relu (Softmax is the Softmax layer, Linear the Identity layer).");
        }

        Activation = activation;
        Name = name;
    }

    /// <summary>The function applied.</summary>
    public Activation Activation { get; }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>None: the layer has no parameters.</summary>
    public IReadOnlyList<Parameter> Parameters => [];

    /// <summary><c>ActivationLayer(Activation)</c> with this layer's name.</summary>
    public LayerConfig Options => new ActivationLayer(Activation) { Name = Name };

    /// <inheritdoc/>
    public SequenceMask? InputMask { get; set; }

    /// <summary>The input's mask, passed on for a sequence <c>[B, T, F]</c>.</summary>
    public SequenceMask? OutputMask => _rank == 3 ? InputMask : null;

    /// <summary><c>x: [B, F] → [B, F]</c> or <c>[B, T, F] → [B, T, F]</c> (any shape), a buffer owned by the layer.</summary>
    public Tensor Forward(Tensor x, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        Tensor y = Buffers.Ensure(ref _output, x.Shape);
        ReadOnlySpan<float> xs = x.Span;
        Span<float> ys = y.Span;
        for (int i = 0; i < xs.Length; i++)
        {
            ys[i] = Activation switch
            {
                Activation.Sigmoid => SimdMath.Sigmoid<SimdScalar, float>(xs[i]),
                Activation.Tanh => SimdMath.Tanh<SimdScalar, float>(xs[i]),
                _ => xs[i] > 0f ? xs[i] : 0f,
            };
        }

        _rank = x.Rank;
        return y;
    }

    /// <summary><c>dy</c> shaped like the last output → <c>dx</c> of the same shape.</summary>
    /// <exception cref="InvalidOperationException">No forward pass preceded this call.</exception>
    public Tensor Backward(Tensor dy)
    {
        Tensor y = _output ?? throw new InvalidOperationException("PointwiseActivation.Backward called before Forward.");
        ShapeCheck.Same(dy, y, nameof(dy), "PointwiseActivation");
        Tensor dx = Buffers.Ensure(ref _inputGrad, y.Shape);
        ReadOnlySpan<float> ys = y.Span, g = dy.Span;
        Span<float> d = dx.Span;
        for (int i = 0; i < ys.Length; i++)
        {
            float v = ys[i];
            d[i] = Activation switch
            {
                Activation.Sigmoid => g[i] * v * (1f - v),
                Activation.Tanh => g[i] * (1f - (v * v)),
                _ => v > 0f ? g[i] : 0f,
            };
        }

        return dx;
    }
}
