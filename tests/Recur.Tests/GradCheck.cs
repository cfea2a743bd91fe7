using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests;

/// <summary>
/// Central finite differences against an analytic gradient. The loss is a function of the whole
/// state (it re-runs the forward pass), summed in double. With step <see cref="Epsilon"/> = 1e-2 in
/// float32, truncation error is O(ε²·f‴) ≈ 1e-5 and rounding error ≈ 1e-7·|L|/ε ≈ 1e-5 for the
/// O(1) losses used here, so every element must satisfy
/// |numeric − analytic| ≤ <see cref="AbsoluteTolerance"/> + <see cref="RelativeTolerance"/>·|numeric|.
/// </summary>
internal static class GradCheck
{
    public const float Epsilon = 1e-2f;
    public const double AbsoluteTolerance = 5e-4;
    public const double RelativeTolerance = 1e-2;

    /// <summary>
    /// Perturbs every element of <paramref name="x"/> and compares (L(x+ε) − L(x−ε)) / 2ε with
    /// <paramref name="analytic"/>. Returns the largest absolute difference.
    /// </summary>
    public static double Check(string what, Tensor x, Tensor analytic, Func<double> loss, ITestOutputHelper? output = null)
    {
        Assert.True(x.HasShape(analytic.Shape), $"{what}: gradient shape {Tensor.FormatShape(analytic.Shape)} differs from {Tensor.FormatShape(x.Shape)}");
        double worst = 0;
        for (int i = 0; i < x.Length; i++)
        {
            float saved = x.Data[i];
            x.Data[i] = saved + Epsilon;
            double plus = loss();
            x.Data[i] = saved - Epsilon;
            double minus = loss();
            x.Data[i] = saved;
            double numeric = (plus - minus) / (2.0 * Epsilon);
            double diff = Math.Abs(numeric - analytic.Data[i]);
            worst = Math.Max(worst, diff);
            Assert.True(diff <= AbsoluteTolerance + RelativeTolerance * Math.Abs(numeric),
                $"{what}[{i}]: numeric {numeric:G6}, analytic {analytic.Data[i]:G6}, |diff| {diff:E2}");
        }

        output?.WriteLine($"gradcheck {what,-14} {x.Length,4} elements, max |numeric − analytic| = {worst:E2}");
        return worst;
    }

    /// <summary>Σ a·w in double: a scalar loss whose gradient with respect to a is w.</summary>
    public static double Dot(Tensor a, Tensor w)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += (double)a.Data[i] * w.Data[i];
        }

        return s;
    }

    /// <summary>A tensor of deterministic values in [−scale, scale) (no RNG dependency).</summary>
    public static Tensor Values(int seed, float scale, params int[] shape)
    {
        var t = new Tensor(shape);
        uint s = (uint)seed * 2654435761u + 12345u;
        for (int i = 0; i < t.Length; i++)
        {
            s = s * 1664525u + 1013904223u;
            t.Data[i] = ((s >> 8) / (float)(1 << 24) * 2f - 1f) * scale;
        }

        return t;
    }
}
