namespace Recur.Optimizers;

/// <summary>
/// A snapshot of an <see cref="Optimizer"/>'s state, from <see cref="Optimizer.ExportState"/>: what a resumed run needs
/// to continue exactly.
/// </summary>
/// <param name="Optimizer">The optimizer's type name (<c>Adam</c>, <c>Momentum</c>, ...).</param>
/// <param name="LearningRate">The learning rate at the time (schedules and ReduceLROnPlateau change it).</param>
/// <param name="Iterations">Completed steps.</param>
/// <param name="Slots">Per-parameter buffers, <c>parameterName.slot</c> → values (e.g. <c>lstm.bias.exp_avg</c>).</param>
/// <param name="Steps">Per-parameter step counts (Adam's <c>t</c>), by parameter name.</param>
public sealed record OptimizerState(
    string Optimizer,
    double LearningRate,
    long Iterations,
    IReadOnlyDictionary<string, float[]> Slots,
    IReadOnlyDictionary<string, long> Steps);
