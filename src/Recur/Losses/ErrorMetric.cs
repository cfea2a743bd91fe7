namespace Recur.Losses;

/// <summary>
/// Keras's regression metrics: <c>mae</c> (the mean of <c>|p − y|</c>), <c>mse</c> (of <c>(p − y)²</c>) and
/// <c>rmse</c> (Keras's <c>RootMeanSquaredError</c>: the square root of the mean squared error over everything
/// measured — the epoch, or the whole evaluation — not a mean of the batches' roots), over the elements of
/// <c>predictions [B, (T,) F]</c> and targets shaped alike (or without a last axis of 1), on the valid steps of a
/// masked sequence.
/// </summary>
public sealed class ErrorMetric : Metric
{
    private readonly bool _squared;
    private readonly bool _root;

    /// <summary>Creates the metric.</summary>
    /// <param name="name">Its key in the logs (<c>mae</c>, <c>mse</c>, <c>rmse</c>).</param>
    /// <param name="squared">Square the errors (mse, rmse) rather than take their absolute values (mae).</param>
    /// <param name="root">Report the square root of the mean (rmse).</param>
    public ErrorMetric(string name, bool squared, bool root)
        : base(name)
    {
        _squared = squared;
        _root = root;
    }

    /// <summary>The mean over the row of <c>|p − y|</c>, or of <c>(p − y)²</c>.</summary>
    protected override double Row(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets)
    {
        double row = 0;
        for (int i = 0; i < predictions.Length; i++)
        {
            double d = (double)predictions[i] - targets[i];
            row += _squared ? d * d : Math.Abs(d);
        }

        return row / predictions.Length;
    }

    /// <summary>The mean, or for rmse its square root.</summary>
    public override double Result(double sum, double count) => _root ? Math.Sqrt(base.Result(sum, count)) : base.Result(sum, count);

    /// <inheritdoc/>
    public override string? Misfit(ILoss loss) =>
        SparseTargets(loss) ? "it compares outputs with targets shaped like them, and this loss takes class indices" : null;
}
