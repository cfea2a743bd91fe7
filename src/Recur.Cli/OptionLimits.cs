namespace Recur.Cli;

/// <summary>
/// The allowed range of every numeric option of <c>recur</c>, in one place. The options check their values against
/// these when the command line is parsed (<see cref="OptionRange.Attach{T}"/>), before any data are read, and
/// <c>--help</c> shows them. The sizes are bounded so that no tensor's element count can overflow; whether a run fits
/// in memory is <see cref="Recur.Models.MemoryEstimate"/>'s question, asked before the model is built.
/// </summary>
internal static class OptionLimits
{
    /// <summary><c>--hidden</c>: units of a recurrent layer (an LSTM's gates are 4 × this wide).</summary>
    public static readonly OptionRange Hidden = OptionRange.Integers(1, 8_192);

    /// <summary><c>--layers</c>: recurrent layers stacked.</summary>
    public static readonly OptionRange Layers = OptionRange.Integers(1, 64);

    /// <summary><c>--batch-size</c>: sequences per training step.</summary>
    public static readonly OptionRange BatchSize = OptionRange.Integers(1, 65_536);

    /// <summary><c>--steps</c>, <c>--display-step</c>, <c>--validation-step</c>: a count of steps.</summary>
    public static readonly OptionRange Steps = OptionRange.Integers(1, int.MaxValue);

    /// <summary><c>--epochs</c>: passes over the training data.</summary>
    public static readonly OptionRange Epochs = OptionRange.Numbers(0, 10_000, aboveMin: true);

    /// <summary><c>--dropout</c>, <c>--recurrent-dropout</c>: a fraction dropped in training.</summary>
    public static readonly OptionRange Rate = OptionRange.Numbers(0, 1, belowMax: true);

    /// <summary><c>--validation-split</c>: a share held out, neither nothing nor everything.</summary>
    public static readonly OptionRange Split = OptionRange.Numbers(0, 1, aboveMin: true, belowMax: true);

    /// <summary><c>--lr</c>: the learning rate.</summary>
    public static readonly OptionRange LearningRate = OptionRange.Numbers(0, 100, aboveMin: true);

    /// <summary><c>--clip-norm</c>: the global gradient norm clipped to.</summary>
    public static readonly OptionRange ClipNorm = OptionRange.Numbers(0, 1_000_000, aboveMin: true);

    /// <summary><c>--order</c>: the LMU's memory order.</summary>
    public static readonly OptionRange Order = OptionRange.Integers(1, 8_192);

    /// <summary><c>--theta</c>: the LMU's window, in steps.</summary>
    public static readonly OptionRange Theta = OptionRange.Numbers(0, 1_000_000_000, aboveMin: true);

    /// <summary><c>--forget-bias</c>: a constant on the LSTM's forget gate.</summary>
    public static readonly OptionRange ForgetBias = OptionRange.Numbers(-100, 100);

    /// <summary><c>--layer-norm-epsilon</c>: added to the variance under the square root, so above 0.</summary>
    public static readonly OptionRange LayerNormEpsilon = OptionRange.Numbers(0, 1, aboveMin: true);

    /// <summary><c>--mask-value</c>: any number but NaN.</summary>
    public static readonly OptionRange MaskValue = OptionRange.Numbers(decimal.MinValue, decimal.MaxValue);

    /// <summary><c>--gradient-shards</c>: shards each batch's gradient is formed from, as that many MPI ranks form it.</summary>
    public static readonly OptionRange GradientShards = OptionRange.Integers(1, 1_024);

    /// <summary><c>--seed</c> of <c>recur train</c>.</summary>
    public static readonly OptionRange Seed = OptionRange.Integers(0, ulong.MaxValue);

    /// <summary><c>--seed</c> of <c>recur bench</c>.</summary>
    public static readonly OptionRange BenchSeed = OptionRange.Integers(0, int.MaxValue);

    /// <summary><c>--threads</c>: worker threads (<see cref="Threading.MaxSupportedThreads"/> at most).</summary>
    public static readonly OptionRange Threads = OptionRange.Integers(1, Threading.MaxSupportedThreads);

    /// <summary><c>--features</c>: features per step of a CSV file.</summary>
    public static readonly OptionRange Features = OptionRange.Integers(1, 65_536);

    /// <summary><c>--classes</c>: classes of a classifier.</summary>
    public static readonly OptionRange Classes = OptionRange.Integers(2, 65_536);

    /// <summary><c>--vocabulary-size</c>: ids of a text vocabulary, padding and unknown included.</summary>
    public static readonly OptionRange VocabularySize = OptionRange.Integers(3, 1_000_000);

    /// <summary><c>--embedding-dim</c>: the width of a token's embedding.</summary>
    public static readonly OptionRange EmbeddingDim = OptionRange.Integers(1, 8_192);

    /// <summary><c>--max-length</c>, <c>--window</c>, <c>--horizon</c>: a count of time steps (tokens, rows).</summary>
    public static readonly OptionRange SequenceLength = OptionRange.Integers(1, 1_000_000);

    /// <summary><c>--limit</c> of <c>recur predict</c>: results printed per file.</summary>
    public static readonly OptionRange Limit = OptionRange.Integers(0, int.MaxValue);

    /// <summary><c>--batches</c> of <c>recur bench</c>: timed batches per shape.</summary>
    public static readonly OptionRange Batches = OptionRange.Integers(1, 1_000_000);

    /// <summary><c>--warmup</c> of <c>recur bench</c>: untimed batches.</summary>
    public static readonly OptionRange Warmup = OptionRange.Integers(0, 1_000_000);
}
