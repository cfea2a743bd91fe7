using System.Runtime.Intrinsics;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Tensors;

/// <summary>exp, sigmoid and tanh of <see cref="SimdMath"/>: accurate against double precision, and every vector width equal to the scalar one bit for bit.</summary>
public unsafe class SimdMathTests(ITestOutputHelper output)
{
    /// <summary>A sweep of −100 … 100 in small steps, the clamp edges, and tiny and zero values.</summary>
    private static float[] Inputs()
    {
        var values = new List<float>();
        for (float x = -100f; x <= 100f; x += 0.0137f)
        {
            values.Add(x);
        }

        values.AddRange([0f, -0f, 1e-30f, -1e-30f, 1e-8f, -1e-8f, 87f, -87f, 88f, -88f, 7.9053f, -7.9053f, 20f, -20f, float.MaxValue, float.MinValue]);
        return [.. values];
    }

    [Fact]
    public void ScalarIsAccurateAgainstDouble()
    {
        double expWorst = 0, sigmoidWorst = 0, tanhWorst = 0;
        foreach (float x in Inputs())
        {
            if (x is >= -87f and <= 88f)
            {
                double exact = Math.Exp(x);
                expWorst = Math.Max(expWorst, Math.Abs(SimdMath.Exp<SimdScalar, float>(x) - exact) / exact);
            }

            double s = 1.0 / (1.0 + Math.Exp(-(double)x));
            sigmoidWorst = Math.Max(sigmoidWorst, Math.Abs(SimdMath.Sigmoid<SimdScalar, float>(x) - s));
            tanhWorst = Math.Max(tanhWorst, Math.Abs(SimdMath.Tanh<SimdScalar, float>(x) - Math.Tanh(x)));
        }

        output.WriteLine($"exp max relative error {expWorst:E2}, sigmoid max abs error {sigmoidWorst:E2}, tanh max abs error {tanhWorst:E2}");
        Assert.True(expWorst < 4e-7, $"exp relative error {expWorst:E2}");    // a few units in the last place (2⁻²⁴ ≈ 6e-8)
        Assert.True(sigmoidWorst < 2e-7, $"sigmoid error {sigmoidWorst:E2}");
        Assert.True(tanhWorst < 3e-7, $"tanh error {tanhWorst:E2}");
    }

    [Fact]
    public void TanhKeepsRelativeAccuracyNearZeroAndSaturates()
    {
        foreach (float x in new[] { 1e-8f, -3e-6f, 1e-3f, 0.1f })
        {
            double exact = Math.Tanh(x);
            Assert.True(Math.Abs(SimdMath.Tanh<SimdScalar, float>(x) - exact) <= 4e-7 * Math.Abs(exact), $"tanh({x})");
        }

        // Beyond the clamp at ±7.9053 tanh stays at its value there, within 3e-7 of ±1 (exact tanh reaches 1 in float32 near 9).
        Assert.Equal(1f, SimdMath.Tanh<SimdScalar, float>(50f), 3e-7f);
        Assert.Equal(-1f, SimdMath.Tanh<SimdScalar, float>(-50f), 3e-7f);
        Assert.Equal(1f, SimdMath.Sigmoid<SimdScalar, float>(100f));
        Assert.Equal(0f, SimdMath.Sigmoid<SimdScalar, float>(-200f), 1e-37f);
        Assert.Equal(0f, SimdMath.Tanh<SimdScalar, float>(0f));
    }

    [Fact]
    public void EveryWidthEqualsScalar()
    {
        float[] x = Inputs();
        Check<Simd512, Vector512<float>>(x);
        Check<Simd256, Vector256<float>>(x);
        Check<Simd128, Vector128<float>>(x);
    }

    private static void Check<TS, TV>(float[] x)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        int n = x.Length - (x.Length % TS.Count);
        var results = new float[3][];
        for (int f = 0; f < 3; f++)
        {
            results[f] = new float[n];
        }

        fixed (float* px = x, pe = results[0], ps = results[1], pt = results[2])
        {
            for (int i = 0; i < n; i += TS.Count)
            {
                TV v = TS.Load(px + i);
                TS.Store(SimdMath.Exp<TS, TV>(v), pe + i);
                TS.Store(SimdMath.Sigmoid<TS, TV>(v), ps + i);
                TS.Store(SimdMath.Tanh<TS, TV>(v), pt + i);
            }
        }

        for (int i = 0; i < n; i++)
        {
            Assert.Equal(Bits(SimdMath.Exp<SimdScalar, float>(x[i])), Bits(results[0][i]));
            Assert.Equal(Bits(SimdMath.Sigmoid<SimdScalar, float>(x[i])), Bits(results[1][i]));
            Assert.Equal(Bits(SimdMath.Tanh<SimdScalar, float>(x[i])), Bits(results[2][i]));
        }
    }

    private static int Bits(float x) => BitConverter.SingleToInt32Bits(x);
}
