namespace Recur.Tests.Export;

/// <summary>What an <see cref="OnnxCase"/>'s model reads.</summary>
internal enum OnnxInput
{
    /// <summary>Features <c>[B, T, F]</c>, every step valid unless lengths are given.</summary>
    Features,

    /// <summary>Features whose padding steps hold the mask value (a <c>Masking</c> model).</summary>
    Masked,

    /// <summary>Token ids <c>[B, T]</c> in [0, vocabulary).</summary>
    Ids,

    /// <summary>Token ids padded with id 0 (an <c>Embedding(maskZero)</c> model).</summary>
    MaskedIds,
}
