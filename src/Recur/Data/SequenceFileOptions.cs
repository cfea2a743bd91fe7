namespace Recur.Data;

/// <summary>How <see cref="SequenceFiles"/> reads sequences and their labels.</summary>
public sealed record SequenceFileOptions
{
    /// <summary>
    /// F, the features per step of a CSV file, whose rows are flat (default 1): a row of T · F values is
    /// T steps of F features, step-major (<c>t0f0, t0f1, …, t1f0, …</c>, as <c>x.reshape(N, -1)</c>
    /// flattens <c>[N, T, F]</c>). A .npy file carries its own shape and ignores this.
    /// </summary>
    public int Features { get; init; } = 1;

    /// <summary>
    /// C, the number of classes: every label must be in [0, C). Null (the default) takes the largest
    /// label + 1. Give it for a test set, so its classes are those of the training set even if the last
    /// class is missing from it.
    /// </summary>
    public int? Classes { get; init; }

    /// <summary>
    /// Whether the first column holds float targets for regression (any finite number) instead of class
    /// indices (default false: classification, where a label that is not a whole number is an error).
    /// <see cref="Classes"/> is ignored for regression.
    /// </summary>
    public bool Regression { get; init; }

    /// <summary>Whether the first line of a CSV file is a header (default: detected).</summary>
    public CsvHeader Header { get; init; } = CsvHeader.Auto;

    /// <summary>Seeds the shuffling of the returned <see cref="DataSet"/>.</summary>
    public ulong Seed { get; init; }

    /// <summary>Whether the returned <see cref="DataSet"/> shuffles its batches (default true).</summary>
    public bool Shuffle { get; init; } = true;
}
