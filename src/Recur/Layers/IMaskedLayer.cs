using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// A layer that takes part in sequence masking (Keras's <c>supports_masking</c> and <c>compute_mask</c>): it reads the
/// mask of its input, and hands its output's mask on. <c>Masking</c> and <c>Embedding(maskZero: true)</c> make a mask;
/// <c>Dropout</c>, <c>Dense</c> and <c>Activation</c> on a sequence pass it on; the recurrent layers read it — a masked
/// step leaves the state unchanged — and pass it on when they return sequences; a loss over <c>[B, T, ·]</c> skips the
/// masked steps.
/// </summary>
/// <remarks>
/// The model sets <see cref="InputMask"/> before each <see cref="ILayer.Forward"/> and reads <see cref="OutputMask"/>
/// after it, so <c>Forward</c>'s signature stays that of every layer. A layer that is not an <c>IMaskedLayer</c> ends
/// the mask: what follows it sees none. Masks are buffers reused from batch to batch (<see cref="SequenceMask"/>).
/// </remarks>
public interface IMaskedLayer : ILayer
{
    /// <summary>
    /// The mask of the next <see cref="ILayer.Forward"/>'s input, <c>[B, T]</c> for an input <c>[B, T, ·]</c>; null,
    /// the default, when every step is valid. It stays set until changed, so set it (or null) before every call.
    /// </summary>
    SequenceMask? InputMask { get; set; }

    /// <summary>The mask of the last <see cref="ILayer.Forward"/>'s output, or null when it has none.</summary>
    SequenceMask? OutputMask { get; }
}
