using Recur.Initializers;
using Recur.Tensors;

namespace Recur.Tests.Initializers;

public class InitializerTests
{
    [Fact]
    public void ZerosAndConstantFillEveryElement()
    {
        var t = new Tensor(3, 5);
        t.Fill(7f);
        Initializer.Zeros.Fill(t, 5, 3, new Rng(0));
        Assert.All(t.Data, x => Assert.Equal(0f, x));
        new Constant(0.1f).Fill(t, new Rng(0));
        Assert.All(t.Data, x => Assert.Equal(0.1f, x));
    }

    [Fact]
    public void FansFollowPyTorchLayout()
    {
        Assert.Equal((7, 4), Initializer.Fans([4, 7]));
        Assert.Equal((3 * 5 * 2, 8 * 5 * 2), Initializer.Fans([8, 3, 5, 2]));
        Assert.Equal((6, 6), Initializer.Fans([6]));
    }

    [Fact]
    public void RandomNormalHasTheRequestedMeanAndStddev()
    {
        // 100k draws of N(2, 0.5²): standard errors σ/√N for the mean and σ²·√(2/N) for the
        // variance; bound 5 standard errors.
        const int n = 100_000;
        var t = new Tensor(100, 1000);
        new RandomNormal(mean: 2f, stddev: 0.5f).Fill(t, new Rng(17));
        double s1 = 0, s2 = 0;
        foreach (float x in t.Data)
        {
            s1 += x;
            s2 += (double)x * x;
        }

        double mean = s1 / n;
        double variance = s2 / n - mean * mean;
        Assert.InRange(mean, 2 - 5 * 0.5 / Math.Sqrt(n), 2 + 5 * 0.5 / Math.Sqrt(n));
        Assert.InRange(variance, 0.25 * (1 - 5 * Math.Sqrt(2.0 / n)), 0.25 * (1 + 5 * Math.Sqrt(2.0 / n)));
    }

    [Fact]
    public void RandomNormalDefaultsAreTensorFlowsRandomNormal()
    {
        var init = Initializer.RandomNormal();
        Assert.Equal(0f, init.Mean);
        Assert.Equal(1f, init.Stddev);

        // Element i is (float)(mean + stddev·z_i) with z from Rng.NextGaussian, in order.
        var t = new Tensor(2, 3);
        new RandomNormal(1f, 3f).Fill(t, new Rng(4));
        var rng = new Rng(4);
        foreach (float x in t.Data)
        {
            Assert.Equal((float)(1.0 + 3.0 * rng.NextGaussian()), x);
        }
    }

    [Fact]
    public void RandomInitializersAreDeterministicBySeed()
    {
        IInitializer[] inits = [new RandomNormal(), GlorotUniform.Instance, new TorchUniform(16), new TorchUniform(), new Orthogonal()];
        foreach (IInitializer init in inits)
        {
            var a = new Tensor(12, 5);
            var b = new Tensor(12, 5);
            var c = new Tensor(12, 5);
            init.Fill(a, new Rng(99));
            init.Fill(b, new Rng(99));
            init.Fill(c, new Rng(100));
            Assert.Equal(a.Data, b.Data);
            Assert.NotEqual(a.Data, c.Data);
        }
    }

    [Fact]
    public void GlorotUniformStaysWithinItsLimitAndHasUniformVariance()
    {
        // [out, in] = [300, 200]: fanIn 200, fanOut 300, limit √(6/500). U(−a, a) has variance
        // a²/3; the sample variance of N = 60k has standard error a²·√(4/45/N); bound 5.
        var t = new Tensor(300, 200);
        Initializer.GlorotUniform.Fill(t, new Rng(5));
        double limit = Math.Sqrt(6.0 / 500);
        Assert.Equal(limit, GlorotUniform.Limit(200, 300), 15);
        double s1 = 0, s2 = 0;
        float max = 0;
        foreach (float x in t.Data)
        {
            Assert.InRange(x, (float)-limit, (float)limit);
            max = Math.Max(max, Math.Abs(x));
            s1 += x;
            s2 += (double)x * x;
        }

        int n = t.Length;
        double variance = s2 / n;
        double seVariance = limit * limit * Math.Sqrt(4.0 / 45 / n);
        Assert.InRange(s1 / n, -5 * limit / Math.Sqrt(3.0 * n), 5 * limit / Math.Sqrt(3.0 * n));
        Assert.InRange(variance, limit * limit / 3 - 5 * seVariance, limit * limit / 3 + 5 * seVariance);
        Assert.True(max > 0.999 * limit, $"largest |x| {max} is far below the limit {limit}");
    }

    [Fact]
    public void TorchUniformUsesHiddenSizeOrFanIn()
    {
        // weight_hh of an LSTM with H = 25: [100, 25], bound 1/√25 = 0.2 regardless of fans.
        var w = new Tensor(100, 25);
        new TorchUniform(hiddenSize: 25).Fill(w, new Rng(6));
        float max = 0;
        foreach (float x in w.Data)
        {
            Assert.InRange(x, -0.2f, 0.2f);
            max = Math.Max(max, Math.Abs(x));
        }

        Assert.True(max > 0.199f);

        // Linear [10, 64]: bound 1/√fanIn = 1/8.
        var linear = new Tensor(10, 64);
        Initializer.TorchUniform().Fill(linear, new Rng(6));
        Assert.Equal(0.125, new TorchUniform().Bound(64));
        foreach (float x in linear.Data)
        {
            Assert.InRange(x, -0.125f, 0.125f);
        }

        var bias = new Tensor(10);
        new TorchUniform().Fill(bias, fanIn: 64, fanOut: 10, new Rng(6));
        Assert.All(bias.Data, x => Assert.InRange(x, -0.125f, 0.125f));
    }

    [Theory]
    [InlineData(64, 64)]
    [InlineData(96, 32)]
    [InlineData(200, 50)]
    public void OrthogonalTallOrSquareHasOrthonormalColumns(int rows, int cols)
    {
        var w = new Tensor(rows, cols);
        new Orthogonal().Fill(w, new Rng(8));
        double maxError = GramError(w, rows, cols, columns: true, expectedDiagonal: 1.0);
        Assert.True(maxError < 1e-5, $"max |WᵀW − I| = {maxError:E3}");
    }

    [Fact]
    public void OrthogonalWideHasOrthonormalRows()
    {
        // A Keras-style recurrent kernel [H, 4H] with H = 16.
        var w = new Tensor(16, 64);
        new Orthogonal().Fill(w, new Rng(8));
        double maxError = GramError(w, 16, 64, columns: false, expectedDiagonal: 1.0);
        Assert.True(maxError < 1e-5, $"max |WWᵀ − I| = {maxError:E3}");
    }

    [Fact]
    public void OrthogonalGainScalesTheGramMatrix()
    {
        var w = new Tensor(30, 30);
        new Orthogonal(gain: 2f).Fill(w, new Rng(3));
        double maxError = GramError(w, 30, 30, columns: true, expectedDiagonal: 4.0);
        Assert.True(maxError < 4e-5, $"max |WᵀW − 4I| = {maxError:E3}");
    }

    [Fact]
    public void OrthogonalIsTheSignCorrectedQOfTheGaussianMatrix()
    {
        // Redraw the Gaussian A [m, n] (row-major, same seed) and check R = WᵀA is upper
        // triangular with a positive diagonal, i.e. W is the Q of A = QR with diag(R) > 0.
        const int m = 40, n = 12;
        var w = new Tensor(m, n);
        new Orthogonal().Fill(w, new Rng(21));
        var rng = new Rng(21);
        var a = new double[m, n];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                a[i, j] = rng.NextGaussian();
            }
        }

        for (int r = 0; r < n; r++)
        {
            for (int c = 0; c < n; c++)
            {
                double dot = 0;
                for (int i = 0; i < m; i++)
                {
                    dot += w[i, r] * a[i, c];
                }

                if (r > c)
                {
                    Assert.True(Math.Abs(dot) < 1e-5, $"R[{r},{c}] = {dot}");
                }
                else if (r == c)
                {
                    Assert.True(dot > 0.1, $"R[{r},{r}] = {dot}");
                }
            }
        }
    }

    [Fact]
    public void OrthogonalRejectsRankOne()
    {
        var ex = Assert.Throws<ArgumentException>(() => new Orthogonal().Fill(new Tensor(5), 5, 5, new Rng(0)));
        Assert.Contains("[5]", ex.Message);
    }

    [Fact]
    public void RandomUniformFillsItsIntervalUniformly()
    {
        var t = new Tensor(200, 100);
        new RandomUniform(-0.5f, 1.5f).Fill(t, new Rng(21));
        Assert.All(t.Data, v => Assert.InRange(v, -0.5f, 1.5f));
        double mean = t.Data.Average(v => (double)v);
        double variance = t.Data.Average(v => (v - mean) * (v - mean));
        Assert.InRange(mean, 0.5 - 0.01, 0.5 + 0.01);          // (a + b) / 2; the standard error is 0.004
        Assert.InRange(variance, (4.0 / 12) * 0.98, (4.0 / 12) * 1.02); // (b − a)² / 12
        Assert.Equal(new RandomUniform(-0.05f, 0.05f), Initializer.RandomUniform()); // Keras's defaults
        var again = new Tensor(200, 100);
        Initializer.RandomUniform(-0.5f, 1.5f).Fill(again, new Rng(21));
        Assert.Equal(t.Data, again.Data);
    }

    [Fact]
    public void InvalidArgumentsNameTheArgumentAndTheValue()
    {
        AssertBad(() => new RandomNormal(stddev: 0f), "stddev", "0");
        AssertBad(() => new RandomNormal(stddev: -1f), "stddev", "-1");
        AssertBad(() => new RandomNormal(mean: float.NaN), "mean", "NaN");
        AssertBad(() => new Constant(float.PositiveInfinity), "value", float.PositiveInfinity.ToString());
        AssertBad(() => new Orthogonal(gain: -2f), "gain", "-2");
        AssertBad(() => new TorchUniform(hiddenSize: 0), "hiddenSize", "0");
        AssertBad(() => GlorotUniform.Instance.Fill(new Tensor(2, 2), 0, 0, new Rng(0)), "fanIn", "fanOut = 0");
        AssertBad(() => new TorchUniform().Fill(new Tensor(2, 2), 0, 2, new Rng(0)), "fanIn", "0");
        AssertBad(() => new RandomNormal() with { Stddev = float.NaN }, "stddev", "NaN");
        AssertBad(() => new RandomUniform(minVal: float.NaN), "minVal", "NaN");
        AssertBad(() => new RandomUniform(0.5f, 0.5f), "maxVal", "0.5");
        AssertBad(() => (new RandomUniform() with { MinVal = 1f }).Fill(new Tensor(2), new Rng(0)), "maxVal", "0.05");
    }

    [Fact]
    public void InitializersAreRecordsWithValueEquality()
    {
        Assert.Equal(new RandomNormal(0f, 1f), Initializer.RandomNormal());
        Assert.Equal(new Orthogonal(1f), Initializer.Orthogonal());
        Assert.NotEqual(new TorchUniform(4), new TorchUniform());
        Assert.Equal(new Constant(0.1f), Initializer.Constant(0.1f));
    }

    private static void AssertBad(Func<object> create, string argument, string valueText)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => create());
        Assert.Equal(argument, ex.ParamName);
        Assert.Contains(argument, ex.Message);
        Assert.Contains(valueText, ex.Message);
    }

    private static void AssertBad(Action fill, string argument, string valueText) =>
        AssertBad(() =>
        {
            fill();
            return 0;
        }, argument, valueText);

    /// <summary>max |G − d·I| with G = WᵀW (columns) or WWᵀ (rows), in double.</summary>
    private static double GramError(Tensor w, int rows, int cols, bool columns, double expectedDiagonal)
    {
        int k = columns ? cols : rows;
        int len = columns ? rows : cols;
        double maxError = 0;
        for (int a = 0; a < k; a++)
        {
            for (int b = 0; b < k; b++)
            {
                double dot = 0;
                for (int i = 0; i < len; i++)
                {
                    dot += columns ? (double)w[i, a] * w[i, b] : (double)w[a, i] * w[b, i];
                }

                maxError = Math.Max(maxError, Math.Abs(dot - (a == b ? expectedDiagonal : 0.0)));
            }
        }

        return maxError;
    }
}
