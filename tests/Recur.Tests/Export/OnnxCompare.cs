using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Export;

/// <summary>Compares ONNX Runtime's output with Recur's, printing the largest difference.</summary>
internal static class OnnxCompare
{
    /// <summary>Absolute tolerance on outputs of order 1.</summary>
    public const float Tolerance = 1e-5f;

    /// <summary>
    /// Asserts that <paramref name="actual"/> has <paramref name="expected"/>'s shape and values within <see cref="Tolerance"/>;
    /// for a per-step output <c>[B, T, ·]</c> with <paramref name="valid"/>, only the steps <c>t &lt; valid[b]</c> count
    /// (ONNX zeros the steps after a sequence's end where Recur repeats its last output). Returns the largest difference.
    /// </summary>
    public static float Close(ITestOutputHelper log, string label, Tensor expected, Tensor actual, int[]? valid = null)
    {
        Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
        ReadOnlySpan<float> e = expected.Span, a = actual.Span;
        int batch = expected.Dim(0);
        int steps = expected.Rank == 3 ? expected.Dim(1) : 1;
        int row = expected.Length / (batch * steps);
        float max = 0f;
        int compared = 0;
        for (int b = 0; b < batch; b++)
        {
            int until = expected.Rank == 3 && valid is not null ? valid[b] : steps;
            for (int t = 0; t < until; t++)
            {
                for (int k = 0; k < row; k++)
                {
                    int at = (((b * steps) + t) * row) + k;
                    max = MathF.Max(max, MathF.Abs(e[at] - a[at]));
                    compared++;
                }
            }
        }

        log.WriteLine($"{label}: largest |Recur − ONNX Runtime| = {max:E2} over {compared} values");
        Assert.True(compared > 0, $"{label}: nothing compared");
        Assert.True(max <= Tolerance, $"{label}: ONNX Runtime differs from Recur by {max:E2} (tolerance {Tolerance:E0})");
        return max;
    }
}
