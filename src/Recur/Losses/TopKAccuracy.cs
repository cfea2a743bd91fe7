namespace Recur.Losses;

/// <summary>
/// Keras's <c>top_k_categorical_accuracy</c> (one-hot targets) and <c>sparse_top_k_categorical_accuracy</c> (class
/// indices): the share of rows of <c>predictions [B, (T,) C]</c> in which the target class is among the
/// <see cref="K"/> highest scores — fewer than K classes score strictly higher, so ties at the boundary count as in,
/// as Keras's <c>in_top_k</c> has it — over the valid steps of a masked sequence. Its name is Keras's for k = 5, and
/// <c>top_3_categorical_accuracy</c> (<c>sparse_top_3_…</c>) for k = 3, which <see cref="Metric.FromName"/> also
/// reads, so a model compiled with another k is saved and loaded with it.
/// </summary>
public sealed class TopKAccuracy : Metric
{
    private readonly bool _sparse;

    /// <summary>Creates the metric.</summary>
    /// <param name="k">How many of the highest scores count; at least 1 (Keras's default 5).</param>
    /// <param name="sparse">True for class indices as targets, false for one-hot rows.</param>
    public TopKAccuracy(int k = 5, bool sparse = false)
        : base(NameOf(k, sparse))
    {
        K = k;
        _sparse = sparse;
    }

    /// <summary><c>top_k_categorical_accuracy</c> for k = 5, else <c>top_3_categorical_accuracy</c> (k = 3); <c>sparse_</c> before for class indices.</summary>
    /// <exception cref="ArgumentOutOfRangeException">k is below 1.</exception>
    public static string NameOf(int k, bool sparse)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(k, 1);
        string top = k == 5 ? "top_k" : string.Create(System.Globalization.CultureInfo.InvariantCulture, $"top_{k}");
        return $"{(sparse ? "sparse_" : "")}{top}_categorical_accuracy";
    }

    /// <summary>k.</summary>
    public int K { get; }

    /// <inheritdoc/>
    protected override bool TakesClassIndices => _sparse;

    /// <summary>1 when fewer than k classes score strictly higher than the row's class, else 0.</summary>
    protected override double Row(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets)
    {
        int actual = _sparse ? (int)targets[0] : System.Numerics.Tensors.TensorPrimitives.IndexOfMax(targets);
        if ((uint)actual >= (uint)predictions.Length)
        {
            return 0; // not a class of this output: never in the top k
        }

        int higher = 0;
        foreach (float s in predictions)
        {
            higher += s > predictions[actual] ? 1 : 0;
        }

        return higher < K ? 1 : 0;
    }

    /// <inheritdoc/>
    public override string? Misfit(ILoss loss) => (_sparse, SparseTargets(loss)) switch
    {
        (true, false) => "it takes class indices as targets, and this loss takes targets shaped like the output; use top_k_categorical_accuracy",
        (false, true) => "it takes one-hot targets, and this loss takes class indices; use sparse_top_k_categorical_accuracy",
        _ => null,
    };
}
