using Recur.Layers;
using Recur.Tensors;

namespace Recur.Tests.Layers;

/// <summary>
/// The fused cells of <see cref="Gru"/> and <see cref="SimpleRnn"/>: against plain double-precision formulas, and
/// every vector width bit-identical to the first (as <see cref="LstmCellTests"/> for the LSTM's).
/// </summary>
public unsafe class RecurrentCellTests
{
    private const int Rows = 3;
    private const int Ld = 50; // row stride of h, wider than any H here, as inside the loop's [x, 1, h, 1] rows

    public static TheoryData<int> Hiddens() => LstmCellTests.Hiddens();

    [Theory]
    [MemberData(nameof(Hiddens))]
    public void GruForwardMatchesTheFormulaOnEveryWidth(int h)
    {
        float[] z0 = LstmCellTests.Values(Rows * 4 * h, 1, 3f), hPrev = LstmCellTests.Values(Rows * Ld, 2, 1f);
        float[]? first = null;
        foreach (SimdWidth width in LstmCellTests.Widths)
        {
            float[] z = (float[])z0.Clone(), hOut = new float[Rows * Ld];
            fixed (float* pz = z, pp = hPrev, ph = hOut)
            {
                GruCell.Forward(width, pz, pp, ph, Ld, Rows, h);
            }

            for (int r = 0; r < Rows; r++)
            {
                for (int j = 0; j < h; j++)
                {
                    int g = (r * 4 * h) + j, o = (r * Ld) + j;
                    double rg = LstmCellTests.Sigmoid(z0[g + h]), ug = LstmCellTests.Sigmoid(z0[g + (2 * h)]);
                    double n = Math.Tanh(z0[g] + (rg * z0[g + (3 * h)]));
                    Assert.Equal(n, z[g], 1e-6);
                    Assert.Equal(rg, z[g + h], 1e-6);
                    Assert.Equal(ug, z[g + (2 * h)], 1e-6);
                    Assert.Equal(z0[g + (3 * h)], z[g + (3 * h)]); // n_h is kept as it was
                    Assert.Equal(((1 - ug) * n) + (ug * hPrev[o]), hOut[o], 1e-6);
                }

                Assert.All(hOut.AsSpan((r * Ld) + h, Ld - h).ToArray(), v => Assert.Equal(0f, v)); // nothing past H
            }

            float[] all = [.. z, .. hOut];
            first ??= all;
            Bits.AssertEqual(first, all, width.ToString());
        }
    }

    [Theory]
    [MemberData(nameof(Hiddens))]
    public void GruBackwardMatchesTheFormulaOnEveryWidthAndInPlace(int h)
    {
        float[] a = LstmCellTests.Values(Rows * 4 * h, 3, 1f), hPrev = LstmCellTests.Values(Rows * Ld, 4, 1f), dh0 = LstmCellTests.Values(Rows * h, 5, 1f);
        for (int i = 0; i < a.Length; i++)
        {
            if (i % (4 * h) < 3 * h)
            {
                a[i] = 0.5f + (0.45f * a[i]); // n, σ(r), σ(z) in (0, 1); n_h anywhere
            }
        }

        float[]? first = null;
        foreach (SimdWidth width in LstmCellTests.Widths)
        {
            foreach (bool inPlace in new[] { false, true })
            {
                float[] gates = (float[])a.Clone(), dz = inPlace ? gates : new float[a.Length], dh = (float[])dh0.Clone();
                fixed (float* pa = gates, pp = hPrev, pdh = dh, pdz = dz)
                {
                    GruCell.Backward(width, pa, pp, Ld, pdh, pdz, Rows, h);
                }

                for (int r = 0; r < Rows; r++)
                {
                    for (int j = 0; j < h; j++)
                    {
                        int g = (r * 4 * h) + j, o = (r * h) + j;
                        double n = a[g], rg = a[g + h], ug = a[g + (2 * h)], nh = a[g + (3 * h)], d = dh0[o], hp = hPrev[(r * Ld) + j];
                        double dn = d * (1 - ug) * (1 - (n * n));
                        Assert.Equal(dn, dz[g], 1e-6);
                        Assert.Equal(dn * nh * rg * (1 - rg), dz[g + h], 1e-6);
                        Assert.Equal(d * (hp - n) * ug * (1 - ug), dz[g + (2 * h)], 1e-6);
                        Assert.Equal(dn * rg, dz[g + (3 * h)], 1e-6);
                        Assert.Equal(d * ug, dh[o], 1e-6);
                    }
                }

                float[] all = [.. dz, .. dh];
                first ??= all;
                Bits.AssertEqual(first, all, $"{width}, in place {inPlace}");
            }
        }
    }

    public static TheoryData<int, RnnActivation> RnnCases()
    {
        var cases = new TheoryData<int, RnnActivation>();
        foreach (int h in new[] { 1, 7, 16, 17, 40 })
        {
            cases.Add(h, RnnActivation.Tanh);
            cases.Add(h, RnnActivation.Relu);
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(RnnCases))]
    public void SimpleRnnCellMatchesTheFormulaOnEveryWidth(int h, RnnActivation activation)
    {
        float[] z0 = LstmCellTests.Values(Rows * h, 6, 3f), dh = LstmCellTests.Values(Rows * h, 7, 1f);
        z0[0] = 0f; // relu's kink: forward 0, gradient 0
        float[]? first = null;
        foreach (SimdWidth width in LstmCellTests.Widths)
        {
            float[] z = (float[])z0.Clone(), hOut = new float[Rows * Ld], dz = new float[Rows * h];
            fixed (float* pz = z, ph = hOut, pdh = dh, pdz = dz)
            {
                SimpleRnnCell.Forward(width, pz, ph, Ld, Rows, h, activation);
                SimpleRnnCell.Backward(width, pz, pdh, pdz, Rows, h, activation);
            }

            for (int r = 0; r < Rows; r++)
            {
                for (int j = 0; j < h; j++)
                {
                    int o = (r * h) + j;
                    double y = activation == RnnActivation.Relu ? Math.Max(z0[o], 0) : Math.Tanh(z0[o]);
                    double slope = activation == RnnActivation.Relu ? (z0[o] > 0 ? 1 : 0) : 1 - (y * y);
                    Assert.Equal(y, z[o], 1e-6);
                    Assert.Equal(z[o], hOut[(r * Ld) + j]);
                    Assert.Equal(dh[o] * slope, dz[o], 1e-6);
                }
            }

            float[] all = [.. z, .. hOut, .. dz];
            first ??= all;
            Bits.AssertEqual(first, all, width.ToString());
        }
    }
}
