using Recur.Plotting;

namespace Recur.Tests.Plotting;

public class AxisScaleTests
{
    [Fact]
    public void TicksAreOneTwoFiveStepsInsideAMarginAroundTheData()
    {
        var rng = new Rng(5);
        for (int trial = 0; trial < 2000; trial++)
        {
            double scale = Math.Pow(10, rng.NextInt(13) - 6);
            double a = (rng.NextFloat() * 2 - 1) * scale, b = (rng.NextFloat() * 2 - 1) * scale;
            double lo = Math.Min(a, b), hi = Math.Max(a, b);
            int maxTicks = 5 + rng.NextInt(6);
            AxisScale s = AxisScale.Fit(lo, hi, maxTicks);

            Assert.True(s.Min <= lo && s.Max >= hi && s.Max > s.Min, $"[{s.Min}, {s.Max}] must cover [{lo}, {hi}]");
            Assert.InRange(s.Ticks.Length, 2, maxTicks);
            double mantissa = s.Step / Math.Pow(10, Math.Floor(Math.Log10(s.Step) + 1e-9));
            Assert.Contains(Math.Round(mantissa, 6), new[] { 1.0, 2.0, 5.0 });
            string[] labels = s.Ticks.Select(s.Label).ToArray();
            Assert.Equal(labels.Length, labels.Distinct().Count());
            for (int i = 0; i < s.Ticks.Length; i++)
            {
                Assert.InRange(s.Ticks[i], s.Min - 1e-9 * s.Step, s.Max + 1e-9 * s.Step);
                Assert.Equal(s.Ticks[i], double.Parse(labels[i], System.Globalization.CultureInfo.InvariantCulture), s.Step * 1e-6);
                if (i > 0)
                {
                    Assert.Equal(s.Step, s.Ticks[i] - s.Ticks[i - 1], s.Step * 1e-6);
                }
            }
        }
    }

    [Fact]
    public void FixedEndsAreKeptExactly()
    {
        AxisScale s = AxisScale.Fit(0.31, 0.97, 6, fixedMin: 0, fixedMax: 1);
        Assert.Equal((0.0, 1.0), (s.Min, s.Max));
        Assert.Equal(["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"], s.Ticks.Select(s.Label));
    }

    [Fact]
    public void TrainingStepsGetRoundTicks()
    {
        AxisScale s = AxisScale.Fit(1, 10_000, 7);
        Assert.Equal(["0", "2000", "4000", "6000", "8000", "10000"], s.Ticks.Select(s.Label));
        Assert.True(s.Min < 1 && s.Max > 10_000);
    }

    [Fact]
    public void DegenerateRangesStillHaveWidth()
    {
        foreach (double v in new[] { 0.0, 2.0, -1e-7, 1e12 })
        {
            AxisScale s = AxisScale.Fit(v, v, 6);
            Assert.True(s.Min < v && v < s.Max, $"{v} must lie strictly inside [{s.Min}, {s.Max}]");
            Assert.True(s.Ticks.Length >= 2);
        }

        AxisScale empty = AxisScale.Fit(double.NaN, double.NaN, 6);
        Assert.True(empty.Min <= 0 && empty.Max >= 1);
        Assert.Throws<ArgumentException>(() => AxisScale.Fit(0, 1, 6, fixedMin: 2, fixedMax: 1));
        Assert.Throws<ArgumentException>(() => AxisScale.Fit(0, 1, 6, fixedMin: 1, fixedMax: 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => AxisScale.Fit(0, 1, 4));
    }

    [Fact]
    public void NegativeZeroIsLabelledZero()
    {
        AxisScale s = AxisScale.Fit(-1, 1, 5);
        Assert.Contains("0.0", s.Ticks.Select(s.Label));
        Assert.DoesNotContain("-0.0", s.Ticks.Select(s.Label));
    }
}
