using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// How a sequence mask travels through layers (<see cref="IMaskedLayer"/>): checked against the input it comes with,
/// handed on by the layers that keep the steps (Keras's <c>supports_masking</c>), ended by the others.
/// </summary>
internal static class MaskFlow
{
    /// <summary>
    /// The mask a layer that keeps the steps hands on: <paramref name="mask"/> for a sequence <c>x [B, T, …]</c>, null
    /// for <c>x [B, F]</c> (no steps left to mask) or no mask.
    /// </summary>
    /// <exception cref="ArgumentException">The mask is not <c>[B, T]</c> of <paramref name="x"/>.</exception>
    public static SequenceMask? PassOn(SequenceMask? mask, Tensor x, string layer)
    {
        if (mask is null || x.Rank < 3)
        {
            return null;
        }

        Check(mask, x, layer);
        return mask;
    }

    /// <summary>
    /// Throws unless <paramref name="mask"/> is <c>[B, T]</c> of <paramref name="x"/> <c>[B, T, …]</c> (or of token ids
    /// <c>[B, T]</c>). The message names the layer by its kind and <paramref name="name"/>, built only on failure.
    /// </summary>
    /// <exception cref="ArgumentException">The shapes disagree; the message names the layer.</exception>
    public static void Check(SequenceMask mask, Tensor x, string layer, string? name = null)
    {
        if (x.Rank < 2 || mask.Batch != x.Dim(0) || mask.Steps != x.Dim(1))
        {
            throw new ArgumentException(
                $"{layer}{(name is null ? "" : $" '{name}'")}: the input mask is [{mask.Batch}, {mask.Steps}] but x has shape {Tensor.FormatShape(x.Shape)}; give one mask entry per sequence and step, [batch, steps].",
                nameof(IMaskedLayer.InputMask));
        }
    }

    /// <summary>
    /// Runs <paramref name="layer"/> on <paramref name="x"/> with <paramref name="mask"/> as its input mask, and leaves
    /// its output's mask in <paramref name="mask"/> (null after a layer that does not take part in masking).
    /// </summary>
    public static Tensor Forward(ILayer layer, Tensor x, ref SequenceMask? mask, bool training)
    {
        if (layer is IMaskedLayer masked)
        {
            masked.InputMask = mask;
            Tensor y = layer.Forward(x, training);
            mask = masked.OutputMask;
            return y;
        }

        mask = null;
        return layer.Forward(x, training);
    }
}
