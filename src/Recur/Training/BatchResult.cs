using Recur.Losses;

namespace Recur.Training;

/// <summary>What one batch (or one evaluation) measured.</summary>
/// <param name="Loss">The mean loss.</param>
/// <param name="Accuracy">The share of correct arg-max predictions, or NaN when the loss is not a classification loss.</param>
/// <param name="GradientNorm">The global gradient norm before clipping (training only; NaN otherwise).</param>
public readonly record struct BatchResult(float Loss, float Accuracy, float GradientNorm)
{
    private readonly IReadOnlyList<MetricTotal>? _metrics;

    /// <summary>
    /// The compiled metrics other than accuracy (<c>mae</c>, <c>rmse</c>, …), in the model's order, each as its sum and
    /// count so that the loop can total them over an epoch (<see cref="MetricTotal.Value"/> is the batch's value);
    /// empty when there are none.
    /// </summary>
    public IReadOnlyList<MetricTotal> Metrics
    {
        get => _metrics ?? [];
        init => _metrics = value;
    }
}
