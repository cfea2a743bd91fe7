using System.Globalization;

namespace Recur.Plotting;

/// <summary>
/// An axis range with "nice" ticks: the data range plus a 5% margin at each end that is not
/// fixed, ticks at multiples of 1, 2 or 5 times a power of ten inside it, and labels with just
/// enough decimals for the step.
/// </summary>
internal readonly record struct AxisScale(double Min, double Max, double Step, double[] Ticks, int Decimals)
{
    /// <summary>The space left beyond the data at each free end, as a fraction of the data range (matplotlib's 5%).</summary>
    public const double Margin = 0.05;

    /// <summary>
    /// Fits a scale to data between <paramref name="dataMin"/> and <paramref name="dataMax"/> with
    /// between 2 and <paramref name="maxTicks"/> (at least 5) ticks. NaN bounds mean no data (the range is 0 to 1); equal
    /// bounds are widened so the range is never zero. A non-null <paramref name="fixedMin"/> or
    /// <paramref name="fixedMax"/> is kept exactly, without margin.
    /// </summary>
    public static AxisScale Fit(double dataMin, double dataMax, int maxTicks, double? fixedMin = null, double? fixedMax = null)
    {
        // Five allowed ticks guarantee at least two: when the step must grow past one giving six
        // or more, the next 1-2-5 step is at most 2.5 times larger and still fits twice.
        if (maxTicks < 5)
        {
            throw new ArgumentOutOfRangeException(nameof(maxTicks), maxTicks, "Allow at least 5 ticks, so that at least 2 are drawn.");
        }

        double lo = fixedMin ?? (double.IsNaN(dataMin) ? 0 : dataMin);
        double hi = fixedMax ?? (double.IsNaN(dataMax) ? 1 : dataMax);
        if (!double.IsFinite(lo) || !double.IsFinite(hi))
        {
            throw new ArgumentException($"Axis limits {lo} and {hi} must be finite.");
        }

        if (fixedMin is not null && fixedMax is not null && hi <= lo)
        {
            throw new ArgumentException($"The axis minimum {lo} must be below its maximum {hi}.");
        }

        if (hi < lo)
        {
            // One fixed end lies beyond all the data: keep it and put the other end at the data.
            (lo, hi) = fixedMin is not null ? (lo, lo) : (hi, hi);
        }

        if (hi == lo)
        {
            double pad = lo == 0 ? 1 : Math.Abs(lo) * 0.1;
            lo = fixedMin ?? lo - pad;
            hi = fixedMax ?? hi + pad;
            if (hi == lo)
            {
                hi = lo + pad;
            }
        }

        double span = hi - lo;
        double min = fixedMin ?? lo - Margin * span;
        double max = fixedMax ?? hi + Margin * span;
        if (!double.IsFinite(max - min))
        {
            throw new ArgumentException($"The axis range {lo} to {hi} is too wide to draw.");
        }

        // The finest 1-2-5 step that keeps the ticks inside [min, max] to at most maxTicks;
        // NiceStep of the even split always fits, so start a little finer than that.
        double step = NiceStep((max - min) / (maxTicks - 1)) / 10;
        long first, last;
        while (true)
        {
            first = (long)Math.Ceiling(min / step - 1e-9);
            last = (long)Math.Floor(max / step + 1e-9);
            if (last - first + 1 <= maxTicks)
            {
                break;
            }

            step = NextStep(step);
        }

        var ticks = new double[last - first + 1];
        for (int i = 0; i < ticks.Length; i++)
        {
            double v = (first + i) * step;
            ticks[i] = Math.Abs(v) < step * 1e-9 ? 0 : v;
        }

        int decimals = Math.Max(0, -(int)Math.Floor(Math.Log10(step) + 1e-9));
        return new AxisScale(min, max, step, ticks, decimals);
    }

    /// <summary>The next 1-2-5 step after <paramref name="step"/>: 1 → 2 → 5 → 10.</summary>
    public static double NextStep(double step)
    {
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(step) + 1e-9));
        double m = Math.Round(step / magnitude);
        return (m < 2 ? 2 : m < 5 ? 5 : 10) * magnitude;
    }

    /// <summary>The smallest 1, 2 or 5 × 10^k that is at least <paramref name="raw"/>.</summary>
    public static double NiceStep(double raw)
    {
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(raw)));
        foreach (double m in (ReadOnlySpan<double>)[1, 2, 5, 10])
        {
            if (m * magnitude >= raw * (1 - 1e-9))
            {
                return m * magnitude;
            }
        }

        return 10 * magnitude;
    }

    /// <summary>The label of tick <paramref name="value"/>.</summary>
    public string Label(double value) =>
        value.ToString("F" + Decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
