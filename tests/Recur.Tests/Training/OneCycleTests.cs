using System.Text.Json;
using Recur.Training;
using Xunit;
using Xunit.Abstractions;

namespace Recur.Tests.Training;

/// <summary><see cref="OneCycle"/> against PyTorch's <c>OneCycleLR</c> (fixtures/schedule_one_cycle.json, tools/make_schedule_fixtures.py).</summary>
public class OneCycleTests(ITestOutputHelper log)
{
    [Fact]
    public void MatchesPyTorchsOneCycleLrAtEveryStep()
    {
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "fixtures", "schedule_one_cycle.json")));
        double largest = 0;
        int cases = 0;
        foreach (JsonElement c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            var schedule = new OneCycle(
                c.GetProperty("max_lr").GetDouble(),
                c.GetProperty("total_steps").GetInt32(),
                c.GetProperty("pct_start").GetDouble(),
                c.GetProperty("div_factor").GetDouble(),
                c.GetProperty("final_div_factor").GetDouble());
            double[] expected = c.GetProperty("rates").EnumerateArray().Select(e => e.GetDouble()).ToArray();
            Assert.Equal(schedule.Steps, expected.Length);
            double caseLargest = 0;
            for (int step = 1; step <= expected.Length; step++)
            {
                double relative = Math.Abs(schedule.Rate(step) - expected[step - 1]) / expected[step - 1];
                caseLargest = Math.Max(caseLargest, relative);
                Assert.True(relative <= 1e-14, $"{schedule} step {step}: {schedule.Rate(step):R}, PyTorch {expected[step - 1]:R}");
            }

            log.WriteLine($"{schedule}: {expected.Length} rates, largest relative difference {caseLargest:E2}");
            largest = Math.Max(largest, caseLargest);
            cases++;
        }

        log.WriteLine($"{cases} cases, largest relative difference {largest:E2} (tolerance 1e-14)");
        Assert.Equal(5, cases);
    }

    [Fact]
    public void RisesToThePeakThenFallsAndKeepsTheLastRateAfterTheCycle()
    {
        var schedule = new OneCycle(0.01, 100);
        double[] rates = Enumerable.Range(1, 100).Select(schedule.Rate).ToArray();
        Assert.Equal(0.01 / 25, rates[0], 15);
        int peak = Array.IndexOf(rates, rates.Max());
        Assert.Equal(29, peak); // n = 29 = 0.3 · 100 − 1, PyTorch's phase end
        Assert.Equal(0.01, rates[peak], 15);
        Assert.Equal(0.01 / 25 / 1e4, rates[^1], 15);
        Assert.All(rates.Zip(rates.Skip(1)).Take(peak), p => Assert.True(p.Second > p.First, $"{p.First} then {p.Second} in the warm-up"));
        Assert.All(rates.Zip(rates.Skip(1)).Skip(peak), p => Assert.True(p.Second < p.First, $"{p.First} then {p.Second} in the decay"));
        Assert.Equal(rates[^1], schedule.Rate(101));
        Assert.Equal(rates[^1], schedule.Rate(1_000_000));
        Assert.Equal(0.01, new OneCycle(0.01, 10, WarmUpShare: 0.1).Rate(1)); // a one-step warm-up starts at the peak
    }

    [Theory]
    [InlineData(0.0, 10, 0.3, 25.0, 1e4, "Peak")]
    [InlineData(0.01, 1, 0.3, 25.0, 1e4, "Steps")]
    [InlineData(0.01, 10, 1.0, 25.0, 1e4, "WarmUpShare")]
    [InlineData(0.01, 10, 0.0, 25.0, 1e4, "WarmUpShare")]
    [InlineData(0.01, 10, 0.3, 0.5, 1e4, "DivFactor")]
    [InlineData(0.01, 10, 0.3, 25.0, double.PositiveInfinity, "DivFactor")]
    public void RefusesSettingsOutOfRangeNamingThem(double peak, int steps, double share, double div, double finalDiv, string named)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new OneCycle(peak, steps, share, div, finalDiv).Rate(1));
        log.WriteLine(e.Message);
        Assert.Equal(named, e.ParamName);
    }
}
