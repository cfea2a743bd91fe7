using Recur.Tensors;

namespace Recur.Losses;

/// <summary>
/// A metric reported beside the loss, by its Keras name (<see cref="FromName"/>): it measures each row of the
/// predictions — each example of <c>[B, C]</c>, or each valid step of <c>[B, T, C]</c> — and its value over an epoch
/// is <see cref="Result"/> of the rows' sum and count (Keras's mean over the epoch's samples, not of the batches'
/// means).
/// </summary>
public abstract class Metric
{
    /// <summary>
    /// The names <see cref="FromName"/> knows (<c>accuracy</c>, which <c>Sequential</c> computes from the loss, is
    /// listed first).
    /// </summary>
    public static IReadOnlyList<string> Names { get; } =
    [
        "accuracy", "categorical_accuracy", "sparse_categorical_accuracy", "binary_accuracy",
        "top_k_categorical_accuracy", "sparse_top_k_categorical_accuracy",
        "mae", "mean_absolute_error", "mse", "mean_squared_error", "rmse", "root_mean_squared_error",
    ];

    /// <summary>Creates the metric.</summary>
    /// <param name="name">Its key in the logs (<c>mae</c>, and <c>val_mae</c> for validation).</param>
    protected Metric(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
    }

    /// <summary>The key of the metric in the logs, History and CSV files.</summary>
    public string Name { get; }

    /// <summary>Whether the targets are class indices, one per row, rather than shaped like the predictions.</summary>
    protected virtual bool TakesClassIndices => false;

    /// <summary>
    /// The metric's sum and count over <c>predictions [B, C]</c> or <c>[B, T, C]</c> and their targets, skipping the
    /// steps <paramref name="mask"/> <c>[B, T]</c> masks: the sum of <see cref="Row"/> over the valid rows, and their count.
    /// </summary>
    /// <exception cref="ArgumentException">The targets or the mask do not fit the predictions.</exception>
    public MetricTotal Measure(Tensor predictions, Tensor targets, SequenceMask? mask)
    {
        ArgumentNullException.ThrowIfNull(predictions);
        ArgumentNullException.ThrowIfNull(targets);
        Loss.CheckScores(predictions, Name);
        Loss.CheckMask(predictions, mask, Name);
        bool sparse = TakesClassIndices;
        int c = predictions.Dim(-1), rows = predictions.Length / c;
        if (targets.Length != (sparse ? rows : predictions.Length))
        {
            throw new ArgumentException(
                $"{Name}: targets have shape {Tensor.FormatShape(targets.Shape)} for predictions {Tensor.FormatShape(predictions.Shape)}; "
                + (sparse ? "give one class index per example (and step)." : "give targets shaped like the predictions."),
                nameof(targets));
        }

        ReadOnlySpan<byte> valid = Loss.ValidRows(mask);
        ReadOnlySpan<float> p = predictions.Span, y = targets.Span;
        double sum = 0;
        for (int r = 0; r < rows; r++)
        {
            if (valid.IsEmpty || valid[r] != 0)
            {
                sum += Row(p.Slice(r * c, c), sparse ? y.Slice(r, 1) : y.Slice(r * c, c));
            }
        }

        return new MetricTotal(this, sum, Loss.CountValid(mask, rows));
    }

    /// <summary>
    /// The metric's value on one row: its predictions <c>[C]</c> and its targets, <c>[C]</c> or, with
    /// <see cref="TakesClassIndices"/>, <c>[1]</c>.
    /// </summary>
    protected abstract double Row(ReadOnlySpan<float> predictions, ReadOnlySpan<float> targets);

    /// <summary>The metric of rows whose values sum to <paramref name="sum"/>: their mean by default; NaN for no rows.</summary>
    public virtual double Result(double sum, double count) => count > 0 ? sum / count : double.NaN;

    /// <summary>Why this metric cannot be used with <paramref name="loss"/>'s targets, or null when it can.</summary>
    public virtual string? Misfit(ILoss loss) => null;

    /// <summary>
    /// The metric named <paramref name="name"/> for a model trained with <paramref name="loss"/> (Keras's strings):
    /// <c>categorical_accuracy</c>, <c>sparse_categorical_accuracy</c>, <c>binary_accuracy</c> (threshold 0.5, or 0
    /// when the loss is <see cref="BinaryCrossentropy"/> from logits), <c>top_k_categorical_accuracy</c> and
    /// <c>sparse_top_k_categorical_accuracy</c> (k = 5; <c>top_3_categorical_accuracy</c> for k = 3, see
    /// <see cref="TopKAccuracy"/>),
    /// <c>mae</c>, <c>mse</c>, <c>rmse</c> (and their long names). <c>accuracy</c> is not a <c>Metric</c>: the model
    /// computes it from the loss (<see cref="Loss.Accuracy(ILoss, Tensor, Tensor, SequenceMask?)"/>).
    /// </summary>
    /// <exception cref="ArgumentException">The name is unknown (the message lists the known ones), or the metric does not fit the loss.</exception>
    public static Metric FromName(string name, ILoss loss) =>
        TryFromName(name, loss, out Metric? metric) is string error ? throw new ArgumentException($"Metric.FromName: {error}.", nameof(name)) : metric!;

    /// <summary>The metric of <see cref="FromName"/> in <paramref name="metric"/>, or the reason there is none (then returned).</summary>
    internal static string? TryFromName(string name, ILoss loss, out Metric? metric)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(loss);
        metric = name switch
        {
            "categorical_accuracy" => new ClassAccuracy(name, sparse: false),
            "sparse_categorical_accuracy" => new ClassAccuracy(name, sparse: true),
            "binary_accuracy" => new BinaryAccuracy(loss is BinaryCrossentropy { FromLogits: true } ? 0f : 0.5f),
            "top_k_categorical_accuracy" => new TopKAccuracy(5, sparse: false),
            "sparse_top_k_categorical_accuracy" => new TopKAccuracy(5, sparse: true),
            "mae" or "mean_absolute_error" => new ErrorMetric(name, squared: false, root: false),
            "mse" or "mean_squared_error" => new ErrorMetric(name, squared: true, root: false),
            "rmse" or "root_mean_squared_error" => new ErrorMetric(name, squared: true, root: true),
            _ => TopK(name),
        };
        if (metric is null)
        {
            return $"unknown metric '{name}'; the known metrics are {string.Join(", ", Names)}";
        }

        if (metric.Misfit(loss) is string why)
        {
            metric = null;
            return $"metric \"{name}\" does not fit the loss {loss.Name}: {why}";
        }

        return null;
    }

    /// <summary><c>top_3_categorical_accuracy</c> and <c>sparse_top_3_categorical_accuracy</c> (any k from 1), or null.</summary>
    private static TopKAccuracy? TopK(string name)
    {
        bool sparse = name.StartsWith("sparse_", StringComparison.Ordinal);
        string rest = sparse ? name["sparse_".Length..] : name;
        const string Suffix = "_categorical_accuracy";
        return rest.StartsWith("top_", StringComparison.Ordinal) && rest.EndsWith(Suffix, StringComparison.Ordinal)
            && int.TryParse(rest.AsSpan(4, rest.Length - 4 - Suffix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int k)
            && k >= 1 && TopKAccuracy.NameOf(k, sparse) == name
            ? new TopKAccuracy(k, sparse)
            : null;
    }

    /// <summary>Whether <paramref name="loss"/> takes class indices as targets (so targets are not shaped like the predictions).</summary>
    internal static bool SparseTargets(ILoss loss) => loss is SparseCategoricalCrossentropy;
}
