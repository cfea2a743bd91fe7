using Recur.Layers;
using Recur.Tensors;

namespace Recur.Tests.Layers;

/// <summary>The fused gate update: against a plain double-precision formula, and every vector width bit-identical to the scalar one.</summary>
public unsafe class LstmCellTests
{
    internal static readonly SimdWidth[] Widths = [SimdWidth.Vector512, SimdWidth.Vector256, SimdWidth.Vector128, SimdWidth.Scalar];

    public static TheoryData<int> Hiddens() => new() { 1, 3, 4, 7, 8, 15, 16, 17, 33, 40 };

    [Theory]
    [MemberData(nameof(Hiddens))]
    public void ForwardMatchesTheFormulaOnEveryWidth(int h)
    {
        const int Rows = 3;
        const float ForgetBias = 1f;
        float[] z0 = Values(Rows * 4 * h, 1, 3f), cPrev = Values(Rows * h, 2, 1f);
        float[]? first = null;
        foreach (SimdWidth width in Widths)
        {
            float[] z = (float[])z0.Clone(), c = new float[Rows * h], tc = new float[Rows * h], hOut = new float[Rows * h];
            fixed (float* pz = z, pp = cPrev, pc = c, pt = tc, ph = hOut)
            {
                LstmCell.Forward(width, pz, pp, pc, pt, ph, h, Rows, h, ForgetBias);
            }

            for (int r = 0; r < Rows; r++)
            {
                for (int j = 0; j < h; j++)
                {
                    int g = (r * 4 * h) + j, o = (r * h) + j;
                    double i = Sigmoid(z0[g]), f = Sigmoid(z0[g + h] + ForgetBias), gg = Math.Tanh(z0[g + (2 * h)]), og = Sigmoid(z0[g + (3 * h)]);
                    double cc = (f * cPrev[o]) + (i * gg);
                    Assert.Equal(i, z[g], 1e-6);
                    Assert.Equal(f, z[g + h], 1e-6);
                    Assert.Equal(gg, z[g + (2 * h)], 1e-6);
                    Assert.Equal(og, z[g + (3 * h)], 1e-6);
                    Assert.Equal(cc, c[o], 1e-6);
                    Assert.Equal(Math.Tanh(cc), tc[o], 1e-6);
                    Assert.Equal(og * Math.Tanh(cc), hOut[o], 1e-6);
                }
            }

            float[] all = [.. z, .. c, .. tc, .. hOut];
            first ??= all;
            AssertBits(first, all, width);
        }
    }

    [Theory]
    [MemberData(nameof(Hiddens))]
    public void BackwardMatchesTheFormulaOnEveryWidthAndInPlace(int h)
    {
        const int Rows = 3;
        float[] a = Values(Rows * 4 * h, 3, 1f), cPrev = Values(Rows * h, 4, 1f), tc = Values(Rows * h, 5, 1f);
        float[] dh = Values(Rows * h, 6, 1f), dc0 = Values(Rows * h, 7, 1f);
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = 0.5f + (0.45f * a[i]); // activations in (0, 1)
        }

        float[]? first = null;
        foreach (SimdWidth width in Widths)
        {
            foreach (bool inPlace in new[] { false, true })
            {
                float[] gates = (float[])a.Clone(), dz = inPlace ? gates : new float[a.Length], dc = (float[])dc0.Clone();
                fixed (float* pa = gates, pp = cPrev, pt = tc, pdh = dh, pdc = dc, pdz = dz)
                {
                    LstmCell.Backward(width, pa, pp, pt, pdh, pdc, pdz, Rows, h);
                }

                for (int r = 0; r < Rows; r++)
                {
                    for (int j = 0; j < h; j++)
                    {
                        int g = (r * 4 * h) + j, o = (r * h) + j;
                        double i = a[g], f = a[g + h], gg = a[g + (2 * h)], og = a[g + (3 * h)];
                        double dct = dc0[o] + (dh[o] * og * (1 - (tc[o] * (double)tc[o])));
                        Assert.Equal(dct * gg * i * (1 - i), dz[g], 1e-6);
                        Assert.Equal(dct * cPrev[o] * f * (1 - f), dz[g + h], 1e-6);
                        Assert.Equal(dct * i * (1 - (gg * gg)), dz[g + (2 * h)], 1e-6);
                        Assert.Equal(dh[o] * tc[o] * og * (1 - og), dz[g + (3 * h)], 1e-6);
                        Assert.Equal(dct * f, dc[o], 1e-6);
                    }
                }

                float[] all = [.. dz, .. dc];
                first ??= all;
                AssertBits(first, all, width);
            }
        }
    }

    internal static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    internal static float[] Values(int length, ulong seed, float scale)
    {
        var rng = new Rng(seed);
        var values = new float[length];
        for (int i = 0; i < length; i++)
        {
            values[i] = scale * ((2f * rng.NextFloat()) - 1f);
        }

        return values;
    }

    private static void AssertBits(float[] expected, float[] actual, SimdWidth width)
    {
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{width}: element {i} is {actual[i]}, the first width gave {expected[i]}");
        }
    }
}
