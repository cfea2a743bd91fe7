using System.Globalization;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// Keras's <c>Masking(mask_value)</c>: a step of <c>x [B, T, F]</c> whose every feature equals <see cref="MaskValue"/>
/// is padding — <see cref="OutputMask"/> marks it masked for the layers after, and its features are 0 in the output.
/// Other steps pass unchanged; the gradient passes through valid steps only. No parameters.
/// </summary>
/// <remarks>
/// An incoming <see cref="InputMask"/> is combined with the layer's own: a step is valid when it is valid in both, and
/// every masked step is zeroed (Keras's <c>Masking</c> ignores an incoming mask). The mask is a buffer the layer owns
/// and reuses from batch to batch. <see cref="MaskedSteps"/> counts the steps the last pass found equal to the mask
/// value, so a caller can warn when the value never occurs.
/// </remarks>
public sealed class Masking : IMaskedLayer
{
    private Tensor? _output;     // [B, T, F]
    private Tensor? _inputGrad;  // [B, T, F]
    private SequenceMask? _mask; // [B, T]

    /// <summary>Creates the layer.</summary>
    /// <param name="maskValue">The value every feature of a padding step holds; not NaN.</param>
    /// <param name="name">The layer name.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maskValue"/> is NaN (no value equals it).</exception>
    public Masking(float maskValue = 0f, string name = "masking")
    {
        if (float.IsNaN(maskValue))
        {
            throw new ArgumentOutOfRangeException(nameof(maskValue), maskValue, "Masking: maskValue is NaN, which no feature ever equals; pad with a number (e.g. 0) and give that.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        MaskValue = maskValue;
        Name = name;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The value every feature of a padding step holds.</summary>
    public float MaskValue { get; }

    /// <summary>None: the layer has no parameters.</summary>
    public IReadOnlyList<Parameter> Parameters => [];

    /// <summary><c>MaskingLayer(MaskValue)</c> with this layer's name.</summary>
    public LayerConfig Options => new MaskingLayer(MaskValue) { Name = Name };

    /// <summary>The mask of the next <see cref="Forward"/>'s input <c>[B, T]</c>, or null; combined with the layer's own.</summary>
    public SequenceMask? InputMask { get; set; }

    /// <summary>The mask of the last <see cref="Forward"/>'s output <c>[B, T]</c>, a buffer the layer owns and reuses.</summary>
    public SequenceMask? OutputMask => _mask;

    /// <summary>Steps of the last <see cref="Forward"/> whose every feature equals <see cref="MaskValue"/> (0 when the value never occurred).</summary>
    public long MaskedSteps { get; private set; }

    /// <summary><c>x: [B, T, F] → [B, T, F]</c>, masked steps zeroed; a buffer owned by the layer.</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not <c>[B, T, F]</c>, the input mask is not <c>[B, T]</c>, or a sequence has no valid step.</exception>
    public Tensor Forward(Tensor x, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 3)
        {
            throw ShapeCheck.Error(x, nameof(x), $"Masking '{Name}'", "[batch, steps, features]");
        }

        int batch = x.Dim(0), steps = x.Dim(1), f = x.Dim(2);
        SequenceMask? incoming = InputMask;
        if (incoming is not null)
        {
            MaskFlow.Check(incoming, x, "Masking", Name);
        }

        _mask ??= new SequenceMask(batch, steps);
        _mask.Reset(batch, steps);
        Tensor y = Buffers.Ensure(ref _output, x.Shape);
        ReadOnlySpan<float> xs = x.Span;
        Span<float> ys = y.Span;
        long padding = 0;
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                int at = ((b * steps) + t) * f;
                ReadOnlySpan<float> step = xs.Slice(at, f);
                bool isPadding = !step.ContainsAnyExcept(MaskValue);
                padding += isPadding ? 1 : 0;
                if (isPadding || (incoming is not null && !incoming.IsValid(b, t)))
                {
                    _mask.Set(b, t, false);
                    ys.Slice(at, f).Clear();
                }
                else
                {
                    step.CopyTo(ys.Slice(at, f));
                }
            }
        }

        MaskedSteps = padding;
        try
        {
            _mask.Seal();
        }
        catch (ArgumentException e)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Masking '{Name}' (mask value {MaskValue}): {e.Message}"), "x", e);
        }

        return y;
    }

    /// <summary><c>dy [B, T, F]</c> → <c>dx [B, T, F]</c>: <c>dy</c> at the valid steps of the last forward pass, 0 at the masked ones.</summary>
    /// <exception cref="InvalidOperationException">No forward pass preceded this call.</exception>
    public Tensor Backward(Tensor dy)
    {
        SequenceMask mask = _mask ?? throw new InvalidOperationException("Masking.Backward called before Forward.");
        ShapeCheck.Same(dy, _output!, nameof(dy), "Masking");
        int f = dy.Dim(2);
        Tensor dx = Buffers.Ensure(ref _inputGrad, dy.Shape);
        ReadOnlySpan<float> g = dy.Span;
        Span<float> d = dx.Span;
        ReadOnlySpan<byte> valid = mask.Valid;
        for (int s = 0; s < valid.Length; s++)
        {
            if (valid[s] != 0)
            {
                g.Slice(s * f, f).CopyTo(d.Slice(s * f, f));
            }
            else
            {
                d.Slice(s * f, f).Clear();
            }
        }

        return dx;
    }
}
