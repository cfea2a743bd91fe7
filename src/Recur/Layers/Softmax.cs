using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// Softmax over the last axis, with no parameters: <c>[B, C] → [B, C]</c> (or <c>[B, T, C] → [B, T, C]</c>),
/// <c>y = exp(x − max x) / Σ exp(x − max x)</c> per row. Backward: <c>dx = y ⊙ (dy − Σ_c dy·y)</c>.
/// </summary>
/// <remarks>
/// Put it last in a model only for a loss that expects probabilities (Keras's <c>from_logits=False</c>);
/// a from-logits loss on the previous layer's output is cheaper and more accurate.
/// </remarks>
public sealed class Softmax : IMaskedLayer
{
    private Tensor? _output;
    private Tensor? _inputGrad;

    /// <summary>Creates the layer.</summary>
    /// <param name="name">The layer name.</param>
    public Softmax(string name = "softmax")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>None: the layer has no parameters.</summary>
    public IReadOnlyList<Parameter> Parameters => [];

    /// <summary><c>ActivationLayer(Activation.Softmax)</c> with this layer's name.</summary>
    public LayerConfig Options => new ActivationLayer(Activation.Softmax) { Name = Name };

    /// <summary>The mask of the next <see cref="Forward"/>'s input (see <see cref="IMaskedLayer.InputMask"/>); null when every step is valid.</summary>
    public SequenceMask? InputMask { get; set; }

    /// <summary>The last <see cref="Forward"/>'s input mask when its input was a sequence <c>[B, T, …]</c>; null for <c>[B, F]</c> or no mask.</summary>
    public SequenceMask? OutputMask { get; private set; }

    /// <summary><c>x: [B, C] → [B, C]</c> (any rank; softmax over the last axis), a buffer owned by the layer.</summary>
    public Tensor Forward(Tensor x, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        OutputMask = MaskFlow.PassOn(InputMask, x, "Softmax");
        int c = x.Dim(-1);
        Tensor y = Buffers.Ensure(ref _output, x.Shape);
        for (int r = 0; r < x.Length / c; r++)
        {
            TensorPrimitives.SoftMax(x.Span.Slice(r * c, c), y.Span.Slice(r * c, c));
        }

        return y;
    }

    /// <summary><c>dy</c> shaped like the last output → <c>dx</c> of the same shape.</summary>
    /// <exception cref="InvalidOperationException">No forward pass preceded this call.</exception>
    public Tensor Backward(Tensor dy)
    {
        Tensor y = _output ?? throw new InvalidOperationException("Softmax.Backward called before Forward.");
        ShapeCheck.Same(dy, y, nameof(dy), "Softmax");
        int c = y.Dim(-1);
        Tensor dx = Buffers.Ensure(ref _inputGrad, y.Shape);
        for (int r = 0; r < y.Length / c; r++)
        {
            ReadOnlySpan<float> yr = y.Span.Slice(r * c, c), gr = dy.Span.Slice(r * c, c);
            Span<float> dr = dx.Span.Slice(r * c, c);
            float dot = TensorPrimitives.Dot(yr, gr);
            for (int j = 0; j < c; j++)
            {
                dr[j] = yr[j] * (gr[j] - dot);
            }
        }

        return dx;
    }
}
