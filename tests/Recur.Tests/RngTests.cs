namespace Recur.Tests;

public class RngTests
{
    [Fact]
    public void SplitMix64MatchesTheReferenceSequenceForSeedZero()
    {
        // Reference: Vigna's splitmix64.c started at x = 0.
        ulong x = 0;
        Assert.Equal(0xE220A8397B1DCDAFUL, Rng.SplitMix64(ref x));
        Assert.Equal(0x6E789E6AA1B965F4UL, Rng.SplitMix64(ref x));
        Assert.Equal(0x06C45D188009454FUL, Rng.SplitMix64(ref x));
        Assert.Equal(0xF88BB8A8724C81ECUL, Rng.SplitMix64(ref x));
    }

    [Fact]
    public void Xoshiro256StarStarMatchesTheReferenceSequenceForState1234()
    {
        // Reference: xoshiro256starstar.c with s = {1, 2, 3, 4} (also rand_xoshiro's test vector).
        ulong[] expected =
        [
            11520, 0, 1509978240, 1215971899390074240, 1216172134540287360, 607988272756665600,
            16172922978634559625, 8476171486693032832, 10595114339597558777, 2904607092377533576,
        ];
        var rng = Rng.FromState(1, 2, 3, 4);
        foreach (ulong e in expected)
        {
            Assert.Equal(e, rng.NextUInt64());
        }
    }

    [Fact]
    public void Seed42GivesKnownFirstValues()
    {
        // xoshiro256** seeded by four SplitMix64 outputs from 42; cross-checked with an
        // independent Python implementation of the two reference algorithms.
        var rng = new Rng(42);
        Assert.Equal(0x15780B2E0C2EC716UL, rng.NextUInt64());
        Assert.Equal(0x6104D9866D113A7EUL, rng.NextUInt64());
        Assert.Equal(0xAE17533239E499A1UL, rng.NextUInt64());
        Assert.Equal(0xECB8AD4703B360A1UL, rng.NextUInt64());

        var floats = new Rng(42);
        Assert.Equal(0.08386296033859253f, floats.NextFloat());
        Assert.Equal(0.37898021936416626f, floats.NextFloat());
        Assert.Equal(0.6800433993339539f, floats.NextFloat());

        var doubles = new Rng(42);
        Assert.Equal(0.08386297105988216, doubles.NextDouble());
        Assert.Equal(0.3789802506626686, doubles.NextDouble());
        Assert.Equal(0.6800434110281394, doubles.NextDouble());
    }

    [Fact]
    public void SameSeedSameSequenceDifferentSeedOrStreamDifferentSequence()
    {
        var a = new Rng(123);
        var b = new Rng(123);
        var c = new Rng(124);
        var stream0 = new Rng(123, 0);
        var stream1 = new Rng(123, 1);
        var stream2 = new Rng(123, 2);
        int differC = 0, differS1 = 0, differS12 = 0;
        for (int i = 0; i < 1000; i++)
        {
            ulong x = a.NextUInt64();
            Assert.Equal(x, b.NextUInt64());
            Assert.Equal(x, stream0.NextUInt64());
            ulong s1 = stream1.NextUInt64();
            differC += x != c.NextUInt64() ? 1 : 0;
            differS1 += x != s1 ? 1 : 0;
            differS12 += s1 != stream2.NextUInt64() ? 1 : 0;
        }

        Assert.Equal(1000, differC);
        Assert.Equal(1000, differS1);
        Assert.Equal(1000, differS12);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ARestoredStateContinuesAsIfNeverStopped(bool spareKept)
    {
        // One generator draws on; a second, made from another seed, takes the first's saved state midway.
        var straight = new Rng(2024, 7);
        Draw(straight, 4); // an even number of Gaussians: no spare kept
        if (spareKept)
        {
            straight.NextGaussian(); // the pair's second value is now kept for the next call
        }

        RngState saved = straight.State;
        Assert.Equal(spareKept, saved.HasSpareGaussian);
        ulong[] expected = Draw(straight, 40);

        var resumed = new Rng(1);
        resumed.NextGaussian(); // its own spare, which the restore must replace
        resumed.State = saved;
        Assert.Equal(saved, resumed.State);
        Assert.Equal(expected, Draw(resumed, 40));
        Assert.Equal(straight.State, resumed.State);

        var ex = Assert.Throws<ArgumentException>(() => resumed.State = default);
        Assert.Contains("all zero", ex.Message);
        Assert.Equal(straight.State, resumed.State); // a refused state changes nothing
    }

    /// <summary>Every kind of draw in turn, <paramref name="rounds"/> times, as bits (a Gaussian first, so a kept spare is used).</summary>
    private static ulong[] Draw(Rng rng, int rounds)
    {
        var values = new List<ulong>();
        for (int k = 0; k < rounds; k++)
        {
            values.Add(BitConverter.DoubleToUInt64Bits(rng.NextGaussian()));
            values.Add(rng.NextUInt64());
            values.Add(BitConverter.SingleToUInt32Bits(rng.NextFloat()));
            values.Add(BitConverter.DoubleToUInt64Bits(rng.NextDouble()));
            values.Add((ulong)rng.NextInt(3, 1000));
        }

        return [.. values];
    }

    [Fact]
    public void ForkIsDeterministicAdvancesTheParentAndDiffersFromIt()
    {
        var p1 = new Rng(7);
        var p2 = new Rng(7);
        Rng child1 = p1.Fork();
        Rng child2 = p2.Fork();
        var reference = new Rng(7);
        reference.NextUInt64();
        reference.NextUInt64();
        for (int i = 0; i < 100; i++)
        {
            ulong c = child1.NextUInt64();
            Assert.Equal(c, child2.NextUInt64());
            ulong parent = p1.NextUInt64();
            Assert.Equal(reference.NextUInt64(), parent);
            Assert.NotEqual(parent, c);
        }
    }

    [Fact]
    public void UniformDrawsStayInRangeAndHaveTheRightMean()
    {
        // Mean of U[0,1) is 1/2, standard error √(1/12/N); bound: 5 standard errors.
        const int n = 100_000;
        var rng = new Rng(1);
        double sumF = 0, sumD = 0;
        for (int i = 0; i < n; i++)
        {
            float f = rng.NextFloat();
            double d = rng.NextDouble();
            Assert.InRange(f, 0f, 0.99999994f);
            Assert.InRange(d, 0.0, 0.9999999999999999);
            sumF += f;
            sumD += d;
        }

        double bound = 5 * Math.Sqrt(1.0 / 12 / n);
        Assert.InRange(sumF / n, 0.5 - bound, 0.5 + bound);
        Assert.InRange(sumD / n, 0.5 - bound, 0.5 + bound);
    }

    [Fact]
    public void NextIntIsInRangeAndUniform()
    {
        // 7 buckets, 140k draws: each count is Binomial(N, 1/7); bound 5 standard errors.
        const int n = 140_000, k = 7;
        var rng = new Rng(2);
        var counts = new int[k];
        for (int i = 0; i < n; i++)
        {
            counts[rng.NextInt(k)]++;
        }

        double expected = (double)n / k;
        double se = Math.Sqrt(n * (1.0 / k) * (1 - 1.0 / k));
        foreach (int c in counts)
        {
            Assert.InRange(c, expected - 5 * se, expected + 5 * se);
        }

        Assert.Equal(0, rng.NextInt(1));
        for (int i = 0; i < 1000; i++)
        {
            Assert.InRange(rng.NextInt(-3, 4), -3, 3);
            Assert.InRange(rng.NextInt(int.MaxValue), 0, int.MaxValue - 1);
        }
    }

    [Fact]
    public void NextIntRejectsEmptyRanges()
    {
        var rng = new Rng(0);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(0));
        Assert.Equal("maxExclusive", ex.ParamName);
        Assert.Contains("got 0", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => rng.NextInt(5, 5));
    }

    [Fact]
    public void ShuffleIsAPermutationAndDeterministic()
    {
        var a = new int[1000];
        var b = new int[1000];
        for (int i = 0; i < a.Length; i++)
        {
            a[i] = b[i] = i;
        }

        new Rng(9).Shuffle<int>(a);
        new Rng(9).Shuffle<int>(b);
        Assert.Equal(a, b);

        int moved = 0;
        for (int i = 0; i < a.Length; i++)
        {
            moved += a[i] != i ? 1 : 0;
        }

        Assert.True(moved > 900, $"only {moved} of 1000 elements moved");
        var sorted = (int[])a.Clone();
        Array.Sort(sorted);
        for (int i = 0; i < sorted.Length; i++)
        {
            Assert.Equal(i, sorted[i]);
        }

        new Rng(1).Shuffle(Span<int>.Empty);
        int[] one = [5];
        new Rng(1).Shuffle<int>(one);
        Assert.Equal(5, one[0]);
    }

    [Fact]
    public void ShuffleOfThreeGivesAllSixPermutationsEvenly()
    {
        // 60k shuffles of [0, 1, 2]: each permutation count ~ Binomial(N, 1/6); 5 standard errors.
        const int n = 60_000;
        var rng = new Rng(3);
        var counts = new Dictionary<int, int>();
        Span<int> items = stackalloc int[3];
        for (int i = 0; i < n; i++)
        {
            items[0] = 0;
            items[1] = 1;
            items[2] = 2;
            rng.Shuffle(items);
            int key = items[0] * 100 + items[1] * 10 + items[2];
            counts[key] = counts.GetValueOrDefault(key) + 1;
        }

        Assert.Equal(6, counts.Count);
        double se = Math.Sqrt(n * (1.0 / 6) * (5.0 / 6));
        foreach (int c in counts.Values)
        {
            Assert.InRange(c, n / 6.0 - 5 * se, n / 6.0 + 5 * se);
        }
    }

    [Fact]
    public void GaussianHasMeanZeroVarianceOneAndNormalTails()
    {
        // N = 100k standard normals. Standard errors: mean 1/√N = 0.0032, variance √(2/N) = 0.0045,
        // P(|z| < 1) = 0.6827 with √(p(1−p)/N) = 0.0015, skewness √(6/N) = 0.0077,
        // excess kurtosis √(24/N) = 0.0155. Each bound is 5 standard errors.
        const int n = 100_000;
        var rng = new Rng(2024);
        double s1 = 0, s2 = 0, s3 = 0, s4 = 0;
        int within1 = 0;
        for (int i = 0; i < n; i++)
        {
            double z = rng.NextGaussian();
            s1 += z;
            s2 += z * z;
            s3 += z * z * z;
            s4 += z * z * z * z;
            within1 += Math.Abs(z) < 1 ? 1 : 0;
        }

        double mean = s1 / n;
        double variance = s2 / n - mean * mean;
        Assert.InRange(mean, -5 / Math.Sqrt(n), 5 / Math.Sqrt(n));
        Assert.InRange(variance, 1 - 5 * Math.Sqrt(2.0 / n), 1 + 5 * Math.Sqrt(2.0 / n));
        Assert.InRange(s3 / n, -5 * Math.Sqrt(6.0 / n), 5 * Math.Sqrt(6.0 / n));
        Assert.InRange(s4 / n - 3, -5 * Math.Sqrt(24.0 / n), 5 * Math.Sqrt(24.0 / n));
        double p = 0.6826894921370859;
        double seP = Math.Sqrt(p * (1 - p) / n);
        Assert.InRange((double)within1 / n, p - 5 * seP, p + 5 * seP);
    }

    [Fact]
    public void GaussianIsDeterministic()
    {
        var a = new Rng(5);
        var b = new Rng(5);
        for (int i = 0; i < 101; i++)
        {
            Assert.Equal(a.NextGaussian(), b.NextGaussian());
        }
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(2.0)]
    [InlineData(1.4142135623730951)]
    [InlineData(1e-300)]
    [InlineData(4.9e-324)]
    [InlineData(2.5e-310)]
    [InlineData(0.999999)]
    [InlineData(1.7e308)]
    [InlineData(3.14159)]
    public void PortableLogMatchesMathLog(double x)
    {
        double expected = Math.Log(x);
        double actual = Rng.Log(x);
        Assert.True(
            Math.Abs(actual - expected) <= 4e-16 * Math.Max(1.0, Math.Abs(expected)),
            $"Log({x}) = {actual:R}, Math.Log = {expected:R}");
    }

    [Fact]
    public void PortableLogIsAccurateAcrossTheUnitInterval()
    {
        var rng = new Rng(11);
        for (int i = 0; i < 100_000; i++)
        {
            double x = rng.NextDouble() + 1e-9;
            double expected = Math.Log(x);
            Assert.True(Math.Abs(Rng.Log(x) - expected) <= 4e-16 * Math.Max(1.0, Math.Abs(expected)), $"x = {x:R}");
        }

        Assert.Equal(double.NegativeInfinity, Rng.Log(0.0));
        Assert.True(double.IsNaN(Rng.Log(-1.0)));
    }
}
