using System.Globalization;
using Recur.Initializers;

namespace Recur.Layers;

/// <summary>
/// Keras's <c>Embedding(input_dim, output_dim, mask_zero)</c> with PyTorch's <c>padding_idx</c>: builds an
/// <see cref="Embedding"/>, token ids <c>[B, T] → [B, T, OutputDim]</c>, weight <c>[InputDim, OutputDim]</c>
/// (<c>nn.Embedding</c>'s <c>weight</c>). Its input examples are <c>[T]</c>, or <c>[-1]</c> for any length.
/// </summary>
/// <remarks>
/// Token ids are floats holding whole numbers in <c>[0, InputDim)</c>. With <paramref name="MaskZero"/> id 0 is
/// padding: its steps are masked for the layers after (the recurrent layers skip them), and <paramref name="InputDim"/>
/// counts it (a vocabulary of 1000 takes 1001). The default initializer is Keras's, U(−0.05, 0.05).
/// </remarks>
/// <param name="InputDim">The vocabulary size (with the padding id 0 when <paramref name="MaskZero"/>); positive.</param>
/// <param name="OutputDim">The size of each token's vector; positive.</param>
/// <param name="MaskZero">Keras's <c>mask_zero</c>: id 0 masks its step.</param>
/// <param name="PaddingIdx">PyTorch's <c>padding_idx</c>: the row that starts at zero and is not trained; negative counts from the end; null for none.</param>
public sealed record EmbeddingLayer(int InputDim, int OutputDim, bool MaskZero = false, int? PaddingIdx = null) : LayerConfig
{
    /// <summary>For <c>weight [InputDim, OutputDim]</c> (Keras's <c>embeddings</c>); U(−0.05, 0.05) by default, as Keras.</summary>
    public IInitializer EmbeddingsInitializer { get; init; } = new RandomUniform(-0.05f, 0.05f);

    /// <inheritdoc/>
    public override int[] OutputShape(int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        ShapeCheck.Positive(InputDim, nameof(InputDim), "EmbeddingLayer");
        ShapeCheck.Positive(OutputDim, nameof(OutputDim), "EmbeddingLayer");
        if (PaddingIdx is int p && (p < -InputDim || p >= InputDim))
        {
            throw new ArgumentOutOfRangeException(
                nameof(PaddingIdx), p, string.Create(CultureInfo.InvariantCulture, $"Layer '{LayerName}' (Embedding): PaddingIdx must be a row of the table, in [{-InputDim}, {InputDim}); received {p}."));
        }

        if (inputShape.Length != 1 || inputShape[0] is 0 or < -1)
        {
            throw ShapeError(inputShape, "(None, steps) of token ids: InputShape = [steps], or [-1] for any length");
        }

        return [inputShape[0], OutputDim];
    }

    /// <summary><c>Embedding(1000, 64)</c>.</summary>
    public override string Describe() => string.Create(CultureInfo.InvariantCulture, $"Embedding({InputDim}, {OutputDim})");

    /// <summary>Its input shape, or any length: the table does not depend on it.</summary>
    internal override int[]? StandaloneInputShape => InputShape ?? [-1];

    /// <inheritdoc/>
    protected override ILayer CreateLayer(int[] inputShape, Rng rng) =>
        new Embedding(InputDim, OutputDim, MaskZero, PaddingIdx, EmbeddingsInitializer, rng, LayerName);
}
