using System.Globalization;
using System.Text;
using Recur.IO;

namespace Recur.Plotting;

/// <summary>
/// A chart of one or more <see cref="ChartPanel"/>s stacked vertically (say accuracy on top, loss
/// below), written as a standalone SVG document: each panel has a title, axes with 1-2-5 ticks,
/// tick labels and axis titles, grid lines, its series as markers joined by lines, and a legend
/// placed in the corner that hides the fewest points.
/// </summary>
/// <example>
/// <code>
/// var chart = new LineChart("LSTM on MNIST rows")
/// {
///     Panels =
///     {
///         new ChartPanel("Accuracy", "accuracy", "step") { Series = { train, validation } },
///         new ChartPanel("Loss", "loss", "step") { Series = { trainLoss } },
///     },
/// };
/// chart.Save("runs/accuracy.svg");
/// </code>
/// </example>
public sealed class LineChart
{
    private const double CharWidth = 7.0; // approximate advance of a 12px sans-serif character
    private const int TitleHeight = 40;
    private const int PanelTop = 34;      // panel title band
    private const int PanelBottom = 54;   // tick labels and x axis title
    private const int Right = 24;
    private const int TickLength = 5;
    private const double MarkerRadius = 3;

    /// <summary>The default series colours, in order (matplotlib's "tab10").</summary>
    public static IReadOnlyList<string> Palette { get; } =
        ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"];

    /// <summary>Creates an empty chart.</summary>
    /// <param name="title">The title above all panels; none when empty.</param>
    public LineChart(string title)
    {
        ArgumentNullException.ThrowIfNull(title);
        Title = title;
    }

    /// <summary>The title above all panels.</summary>
    public string Title { get; }

    /// <summary>The panels, top to bottom.</summary>
    public IList<ChartPanel> Panels { get; } = new List<ChartPanel>();

    /// <summary>The width in pixels (default 800).</summary>
    public int Width { get; init; } = 800;

    /// <summary>The height of each panel in pixels, titles and axis labels included (default 340).</summary>
    public int PanelHeight { get; init; } = 340;

    /// <summary>Writes the chart to <paramref name="path"/> as SVG, atomically.</summary>
    public void Save(string path) => AtomicFile.WriteAllText(path, ToSvg());

    /// <summary>The chart as an SVG document.</summary>
    /// <exception cref="InvalidOperationException">The size is too small for the axes, or a fixed y range is invalid.</exception>
    public string ToSvg()
    {
        if (Width < 200 || PanelHeight < PanelTop + PanelBottom + 40)
        {
            throw new InvalidOperationException(
                $"A {Width}×{PanelHeight} panel is too small; use Width ≥ 200 and PanelHeight ≥ {PanelTop + PanelBottom + 40}.");
        }

        var layouts = new List<(ChartPanel Panel, AxisScale X, AxisScale Y)>(Panels.Count);
        int widestLabel = 1;
        foreach (ChartPanel panel in Panels)
        {
            AxisScale xs, ys;
            try
            {
                (xs, ys) = Scales(panel);
            }
            catch (ArgumentException ex)
            {
                throw new InvalidOperationException($"Panel '{panel.Title}': {ex.Message}", ex);
            }

            layouts.Add((panel, xs, ys));
            foreach (double t in ys.Ticks)
            {
                widestLabel = Math.Max(widestLabel, ys.Label(t).Length);
            }
        }

        int left = 44 + (int)Math.Ceiling(widestLabel * CharWidth);
        int top = Title.Length > 0 ? TitleHeight : 8;
        int height = top + Math.Max(1, layouts.Count) * PanelHeight + 8;
        var svg = new StringBuilder(4096);
        svg.Append("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
           .Append($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{Width}\" height=\"{height}\" viewBox=\"0 0 {Width} {height}\" ")
           .Append("font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\" font-size=\"12\">\n")
           .Append($"<rect width=\"{Width}\" height=\"{height}\" fill=\"white\"/>\n");
        if (Title.Length > 0)
        {
            svg.Append($"<text class=\"chart-title\" x=\"{Num(Width / 2.0)}\" y=\"26\" text-anchor=\"middle\" font-size=\"17\" font-weight=\"bold\">")
               .Append(Escape(Title)).Append("</text>\n");
        }

        for (int i = 0; i < layouts.Count; i++)
        {
            var (panel, xs, ys) = layouts[i];
            var area = new Area(left, top + i * PanelHeight + PanelTop, Width - Right, top + (i + 1) * PanelHeight - PanelBottom);
            WritePanel(svg, panel, xs, ys, area);
        }

        return svg.Append("</svg>\n").ToString();
    }

    private static (AxisScale X, AxisScale Y) Scales(ChartPanel panel)
    {
        double xMin = double.NaN, xMax = double.NaN, yMin = double.NaN, yMax = double.NaN;
        foreach (ChartSeries s in panel.Series)
        {
            for (int k = 0; k < s.Count; k++)
            {
                double x = s.X[k], y = s.Y[k];
                if (double.IsFinite(x) && double.IsFinite(y))
                {
                    xMin = double.IsNaN(xMin) ? x : Math.Min(xMin, x);
                    xMax = double.IsNaN(xMax) ? x : Math.Max(xMax, x);
                    yMin = double.IsNaN(yMin) ? y : Math.Min(yMin, y);
                    yMax = double.IsNaN(yMax) ? y : Math.Max(yMax, y);
                }
            }
        }

        return (AxisScale.Fit(xMin, xMax, 7), AxisScale.Fit(yMin, yMax, 6, panel.YMin, panel.YMax));
    }

    private static void WritePanel(StringBuilder svg, ChartPanel panel, AxisScale xs, AxisScale ys, Area a)
    {
        double Sx(double x) => a.Left + (x - xs.Min) / (xs.Max - xs.Min) * a.Width;
        double Sy(double y) => a.Bottom - (y - ys.Min) / (ys.Max - ys.Min) * a.Height;

        svg.Append($"<g class=\"panel\" data-title=\"{Escape(panel.Title)}\">\n");
        svg.Append($"<text class=\"panel-title\" x=\"{Num((a.Left + a.Right) / 2)}\" y=\"{Num(a.Top - 12)}\" text-anchor=\"middle\" font-size=\"15\">")
           .Append(Escape(panel.Title)).Append("</text>\n");

        // Grid, ticks and tick labels.
        svg.Append("<g class=\"x-axis\">\n");
        foreach (double t in xs.Ticks)
        {
            double x = Sx(t);
            svg.Append($"<line x1=\"{Num(x)}\" y1=\"{Num(a.Top)}\" x2=\"{Num(x)}\" y2=\"{Num(a.Bottom)}\" stroke=\"#e6e6e6\"/>")
               .Append($"<line x1=\"{Num(x)}\" y1=\"{Num(a.Bottom)}\" x2=\"{Num(x)}\" y2=\"{Num(a.Bottom + TickLength)}\" stroke=\"#333\"/>")
               .Append($"<text class=\"tick\" x=\"{Num(x)}\" y=\"{Num(a.Bottom + TickLength + 14)}\" text-anchor=\"middle\">{xs.Label(t)}</text>\n");
        }

        svg.Append($"<text class=\"axis-title\" x=\"{Num((a.Left + a.Right) / 2)}\" y=\"{Num(a.Bottom + 44)}\" text-anchor=\"middle\" font-size=\"13\">")
           .Append(Escape(panel.XLabel)).Append("</text>\n</g>\n<g class=\"y-axis\">\n");
        foreach (double t in ys.Ticks)
        {
            double y = Sy(t);
            svg.Append($"<line x1=\"{Num(a.Left)}\" y1=\"{Num(y)}\" x2=\"{Num(a.Right)}\" y2=\"{Num(y)}\" stroke=\"#e6e6e6\"/>")
               .Append($"<line x1=\"{Num(a.Left - TickLength)}\" y1=\"{Num(y)}\" x2=\"{Num(a.Left)}\" y2=\"{Num(y)}\" stroke=\"#333\"/>")
               .Append($"<text class=\"tick\" x=\"{Num(a.Left - TickLength - 3)}\" y=\"{Num(y + 4)}\" text-anchor=\"end\">{ys.Label(t)}</text>\n");
        }

        double yTitleX = 16, yTitleY = (a.Top + a.Bottom) / 2;
        svg.Append($"<text class=\"axis-title\" x=\"{Num(yTitleX)}\" y=\"{Num(yTitleY)}\" text-anchor=\"middle\" font-size=\"13\" ")
           .Append($"transform=\"rotate(-90 {Num(yTitleX)} {Num(yTitleY)})\">").Append(Escape(panel.YLabel)).Append("</text>\n</g>\n");
        svg.Append($"<rect x=\"{Num(a.Left)}\" y=\"{Num(a.Top)}\" width=\"{Num(a.Width)}\" height=\"{Num(a.Height)}\" fill=\"none\" stroke=\"#333\"/>\n");

        // Series.
        bool anyPoint = false;
        for (int s = 0; s < panel.Series.Count; s++)
        {
            ChartSeries series = panel.Series[s];
            string color = Escape(series.Color ?? Palette[s % Palette.Count]);
            svg.Append($"<g class=\"series\" data-series=\"{Escape(series.Name)}\">\n");
            if (series.ShowLine)
            {
                var d = new StringBuilder();
                bool pen = false;
                for (int k = 0; k < series.Count; k++)
                {
                    double x = series.X[k], y = series.Y[k];
                    if (!double.IsFinite(x) || !double.IsFinite(y))
                    {
                        pen = false;
                        continue;
                    }

                    d.Append(pen ? " L" : (d.Length > 0 ? " M" : "M")).Append(Num(Sx(x))).Append(',').Append(Num(Sy(y)));
                    pen = true;
                }

                if (d.Length > 0)
                {
                    svg.Append($"<path d=\"{d}\" fill=\"none\" stroke=\"{color}\" stroke-width=\"1.5\" stroke-linejoin=\"round\"/>\n");
                }
            }

            for (int k = 0; k < series.Count; k++)
            {
                double x = series.X[k], y = series.Y[k];
                if (!double.IsFinite(x) || !double.IsFinite(y))
                {
                    continue;
                }

                anyPoint = true;
                if (series.ShowMarkers)
                {
                    svg.Append($"<circle cx=\"{Num(Sx(x))}\" cy=\"{Num(Sy(y))}\" r=\"{Num(MarkerRadius)}\" fill=\"{color}\">")
                       .Append("<title>").Append(Escape(series.Name)).Append(": ").Append(Value(x)).Append(", ").Append(Value(y))
                       .Append("</title></circle>\n");
                }
            }

            svg.Append("</g>\n");
        }

        if (!anyPoint)
        {
            svg.Append($"<text class=\"no-data\" x=\"{Num((a.Left + a.Right) / 2)}\" y=\"{Num((a.Top + a.Bottom) / 2)}\" text-anchor=\"middle\" fill=\"#888\">no data</text>\n");
        }

        WriteLegend(svg, panel, a, Sx, Sy);
        svg.Append("</g>\n");
    }

    private static void WriteLegend(StringBuilder svg, ChartPanel panel, Area a, Func<double, double> sx, Func<double, double> sy)
    {
        if (panel.Series.Count == 0)
        {
            return;
        }

        const double Row = 18, Pad = 8, Sample = 24;
        int longest = 1;
        foreach (ChartSeries s in panel.Series)
        {
            longest = Math.Max(longest, s.Name.Length);
        }

        double w = Pad + Sample + 6 + longest * CharWidth + Pad;
        double h = Pad + panel.Series.Count * Row + Pad - 4;
        const double Inset = 8;

        // matplotlib's "best": the corner whose box covers the fewest points (upper right first on ties).
        (double X, double Y)[] corners =
        [
            (a.Right - Inset - w, a.Top + Inset),
            (a.Left + Inset, a.Top + Inset),
            (a.Left + Inset, a.Bottom - Inset - h),
            (a.Right - Inset - w, a.Bottom - Inset - h),
        ];
        int best = 0, fewest = int.MaxValue;
        for (int c = 0; c < corners.Length; c++)
        {
            int covered = 0;
            foreach (ChartSeries s in panel.Series)
            {
                for (int k = 0; k < s.Count; k++)
                {
                    double x = s.X[k], y = s.Y[k];
                    if (!double.IsFinite(x) || !double.IsFinite(y))
                    {
                        continue;
                    }

                    double px = sx(x), py = sy(y);
                    if (px >= corners[c].X - MarkerRadius && px <= corners[c].X + w + MarkerRadius
                        && py >= corners[c].Y - MarkerRadius && py <= corners[c].Y + h + MarkerRadius)
                    {
                        covered++;
                    }
                }
            }

            if (covered < fewest)
            {
                (best, fewest) = (c, covered);
            }
        }

        (double lx, double ly) = corners[best];
        svg.Append("<g class=\"legend\">\n")
           .Append($"<rect x=\"{Num(lx)}\" y=\"{Num(ly)}\" width=\"{Num(w)}\" height=\"{Num(h)}\" rx=\"3\" fill=\"white\" fill-opacity=\"0.85\" stroke=\"#ccc\"/>\n");
        for (int s = 0; s < panel.Series.Count; s++)
        {
            ChartSeries series = panel.Series[s];
            string color = Escape(series.Color ?? Palette[s % Palette.Count]);
            double cy = ly + Pad + s * Row + Row / 2 - 2;
            double x0 = lx + Pad;
            if (series.ShowLine)
            {
                svg.Append($"<line x1=\"{Num(x0)}\" y1=\"{Num(cy)}\" x2=\"{Num(x0 + Sample)}\" y2=\"{Num(cy)}\" stroke=\"{color}\" stroke-width=\"1.5\"/>");
            }

            if (series.ShowMarkers)
            {
                svg.Append($"<circle cx=\"{Num(x0 + Sample / 2)}\" cy=\"{Num(cy)}\" r=\"{Num(MarkerRadius)}\" fill=\"{color}\"/>");
            }

            svg.Append($"<text class=\"legend-entry\" x=\"{Num(x0 + Sample + 6)}\" y=\"{Num(cy + 4)}\">").Append(Escape(series.Name)).Append("</text>\n");
        }

        svg.Append("</g>\n");
    }

    /// <summary>A coordinate with at most two decimals.</summary>
    private static string Num(double v) => Math.Round(v, 2).ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>A data value for a tooltip, as short as keeps six significant digits.</summary>
    private static string Value(double v) => v.ToString("G6", CultureInfo.InvariantCulture);

    /// <summary>Escapes text for XML content and attributes; characters XML 1.0 forbids become U+FFFD.</summary>
    internal static string Escape(string text)
    {
        var sb = new StringBuilder(text.Length);
        for (int i = 0; i < text.Length; i++)
        {
            char c = text[i];
            switch (c)
            {
                case '&': sb.Append("&amp;"); break;
                case '<': sb.Append("&lt;"); break;
                case '>': sb.Append("&gt;"); break;
                case '"': sb.Append("&quot;"); break;
                case '\'': sb.Append("&apos;"); break;
                default:
                    if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                    {
                        sb.Append(c).Append(text[++i]);
                    }
                    else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || char.IsSurrogate(c) || c == '\uFFFE' || c == '\uFFFF')
                    {
                        sb.Append('\uFFFD');
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.ToString();
    }

    private readonly record struct Area(double Left, double Top, double Right, double Bottom)
    {
        public double Width => Right - Left;

        public double Height => Bottom - Top;
    }
}
