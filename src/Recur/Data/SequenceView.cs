namespace Recur.Data;

/// <summary>How an image <c>[rows · columns]</c> is read as a sequence <c>[T, F]</c>.</summary>
public enum SequenceView
{
    /// <summary>One row per step: T = rows, F = columns (28 × 28 for MNIST).</summary>
    Rows,

    /// <summary>One pixel per step, row-major: T = rows · columns, F = 1 (784 × 1, the pixel-by-pixel task).</summary>
    Pixels,

    /// <summary>One pixel per step in a fixed, seeded random order: T = rows · columns, F = 1 (permuted MNIST).</summary>
    PermutedPixels,
}
