using Recur.Tensors;

namespace Recur.Data;

/// <summary>A mini-batch from <see cref="DataSet.NextBatch(int)"/>.</summary>
/// <param name="Images">The examples, <c>[B, F]</c>.</param>
/// <param name="OneHotLabels">The labels one-hot, <c>[B, C]</c>.</param>
/// <param name="Labels">The labels as class indices, <c>[B]</c>.</param>
public sealed record DataBatch(Tensor Images, Tensor OneHotLabels, int[] Labels);
