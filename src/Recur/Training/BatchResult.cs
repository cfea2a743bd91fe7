namespace Recur.Training;

/// <summary>What one batch (or one evaluation) measured.</summary>
/// <param name="Loss">The mean loss.</param>
/// <param name="Accuracy">The share of correct arg-max predictions, or NaN when the loss is not a classification loss.</param>
/// <param name="GradientNorm">The global gradient norm before clipping (training only; NaN otherwise).</param>
public readonly record struct BatchResult(float Loss, float Accuracy, float GradientNorm);
