using System.Globalization;
using System.Xml.Linq;
using Recur.Plotting;
using Recur.Tests.IO;

namespace Recur.Tests.Plotting;

public class LineChartTests
{
    private static readonly XNamespace Svg = "http://www.w3.org/2000/svg";

    [Fact]
    public void SvgParsesAndHoldsPointsTicksTitlesAndLegend()
    {
        int[] steps = [1, 200, 400, 600, 800, 1000];
        double[] acc = [0.125, 0.5, 0.75, 0.8125, 0.875, 0.9375];
        var chart = new LineChart("LSTM on MNIST")
        {
            Panels =
            {
                new ChartPanel("Accuracy", "accuracy", "step")
                {
                    YMin = 0,
                    YMax = 1,
                    Series =
                    {
                        new ChartSeries("training accuracy", steps.Select(s => (double)s), acc),
                        new ChartSeries("validation accuracy", [500, 1000], [0.625, 0.9]),
                    },
                },
                new ChartPanel("Loss", "loss", "step") { Series = { new ChartSeries("training loss", [1, 1000], [2.5, 0.25]) } },
            },
        };

        XDocument doc = XDocument.Parse(chart.ToSvg());
        Assert.Equal(Svg + "svg", doc.Root!.Name);
        Assert.Equal("LSTM on MNIST", doc.Descendants(Svg + "text").Single(t => Class(t) == "chart-title").Value);
        XElement[] panels = doc.Descendants(Svg + "g").Where(g => Class(g) == "panel").ToArray();
        Assert.Equal(2, panels.Length);
        Assert.Equal(["Accuracy", "Loss"], panels.Select(p => p.Descendants(Svg + "text").Single(t => Class(t) == "panel-title").Value));
        Assert.Equal(["step", "accuracy", "step", "loss"], doc.Descendants(Svg + "text").Where(t => Class(t) == "axis-title").Select(t => t.Value));

        XElement accuracy = panels[0];
        Assert.Equal(["0", "200", "400", "600", "800", "1000"], TickLabels(accuracy, "x-axis"));
        Assert.Equal(["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"], TickLabels(accuracy, "y-axis"));
        Assert.Equal(["training accuracy", "validation accuracy"], LegendEntries(accuracy));
        Assert.Equal(["training loss"], LegendEntries(panels[1]));

        XElement train = Series(accuracy, "training accuracy");
        var circles = train.Elements(Svg + "circle").ToArray();
        Assert.Equal(steps.Length, circles.Length);
        for (int i = 0; i < steps.Length; i++)
        {
            Assert.Equal($"training accuracy: {steps[i]}, {acc[i]}", circles[i].Element(Svg + "title")!.Value);
        }

        // Points map into the frame, right for larger steps and up (smaller y) for higher accuracy.
        XElement frame = accuracy.Elements(Svg + "rect").Single();
        double left = Attr(frame, "x"), top = Attr(frame, "y");
        double right = left + Attr(frame, "width"), bottom = top + Attr(frame, "height");
        double[] cx = circles.Select(c => Attr(c, "cx")).ToArray();
        double[] cy = circles.Select(c => Attr(c, "cy")).ToArray();
        Assert.All(cx, x => Assert.InRange(x, left, right));
        Assert.All(cy, y => Assert.InRange(y, top, bottom));
        Assert.Equal(cx.Order(), cx);
        Assert.Equal(cy.OrderDescending(), cy);

        // With YMin 0 and YMax 1 fixed, accuracy a sits at bottom - a * height.
        for (int i = 0; i < acc.Length; i++)
        {
            Assert.Equal(bottom - acc[i] * (bottom - top), cy[i], 0.01);
        }

        string d = train.Element(Svg + "path")!.Attribute("d")!.Value;
        Assert.Equal(1, d.Count(c => c == 'M'));
        Assert.Equal(steps.Length - 1, d.Count(c => c == 'L'));
    }

    [Fact]
    public void NaNPointsAreSkippedAndBreakTheLine()
    {
        var chart = new LineChart("")
        {
            Panels = { new ChartPanel("Loss", "loss", "step") { Series = { new ChartSeries("loss", [1, 2, 3, 4, 5], [1, 0.5, double.NaN, 0.25, double.PositiveInfinity]) } } },
        };
        string svg = chart.ToSvg();
        XDocument doc = XDocument.Parse(svg);
        XElement series = Series(doc.Root!, "loss");
        Assert.Equal(3, series.Elements(Svg + "circle").Count());
        string d = series.Element(Svg + "path")!.Attribute("d")!.Value;
        Assert.Equal(2, d.Count(c => c == 'M'));
        Assert.Equal(1, d.Count(c => c == 'L'));
        Assert.DoesNotContain("NaN", svg);
        Assert.DoesNotContain("Infinity", svg);
        Assert.DoesNotContain(doc.Descendants(Svg + "text"), t => Class(t) == "chart-title");
    }

    [Fact]
    public void EmptySinglePointAndConstantSeriesGiveFiniteCharts()
    {
        var chart = new LineChart("edge cases")
        {
            Panels =
            {
                new ChartPanel("nothing", "y", "x") { Series = { new ChartSeries("empty") } },
                new ChartPanel("no series", "y", "x"),
                new ChartPanel("one point", "y", "x") { Series = { new ChartSeries("one", [5], [0.75]) } },
                new ChartPanel("constant", "y", "x") { Series = { new ChartSeries("flat", [1, 2, 3], [2, 2, 2]) } },
                new ChartPanel("non-finite", "y", "x") { Series = { new ChartSeries("nan", [1, 2], [double.NaN, double.NaN]) } },
            },
        };
        string svg = chart.ToSvg();
        XDocument doc = XDocument.Parse(svg);
        Assert.DoesNotContain("NaN", svg);
        Assert.DoesNotContain("Infinity", svg);
        XElement[] panels = doc.Descendants(Svg + "g").Where(g => Class(g) == "panel").ToArray();
        Assert.Equal(5, panels.Length);
        int[] noData = panels.Select(p => p.Descendants(Svg + "text").Count(t => Class(t) == "no-data")).ToArray();
        Assert.Equal([1, 1, 0, 0, 1], noData);
        Assert.Single(Series(panels[2], "one").Elements(Svg + "circle"));
        Assert.Equal(3, Series(panels[3], "flat").Elements(Svg + "circle").Count());
        Assert.Contains("2.0", TickLabels(panels[3], "y-axis"));
        Assert.Empty(LegendEntries(panels[1]));
        foreach (XElement p in panels)
        {
            Assert.True(TickLabels(p, "x-axis").Length >= 2 && TickLabels(p, "y-axis").Length >= 2, "every panel has ticks");
        }
    }

    [Fact]
    public void TextIsEscaped()
    {
        var chart = new LineChart("a < b & \"c\" > 'd' \u0001")
        {
            Panels = { new ChartPanel("<panel>", "y & z", "x") { Series = { new ChartSeries("s<1>&", [1], [1]) { Color = "#ff0000" } } } },
        };
        XDocument doc = XDocument.Parse(chart.ToSvg());
        Assert.Equal("a < b & \"c\" > 'd' \uFFFD", doc.Descendants(Svg + "text").First(t => Class(t) == "chart-title").Value);
        Assert.Equal(["s<1>&"], LegendEntries(doc.Root!));
        Assert.Equal("#ff0000", Series(doc.Root!, "s<1>&").Element(Svg + "circle")!.Attribute("fill")!.Value);
    }

    [Fact]
    public void SaveWritesTheSvgAtomically()
    {
        using var dir = new TempDirectory();
        string path = Path.Combine(dir.Path, "run", "accuracy.svg");
        var chart = new LineChart("t") { Panels = { new ChartPanel("p", "y", "x") { Series = { new ChartSeries("s", [1, 2], [3, 4]) } } } };
        chart.Save(path);
        Assert.Equal(chart.ToSvg(), File.ReadAllText(path));
        Assert.Equal(["accuracy.svg"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void BadInputIsRejected()
    {
        var ex = Assert.Throws<ArgumentException>(() => new ChartSeries("s", [1, 2, 3], [1, 2]));
        Assert.Contains("3 x values but 2 y values", ex.Message);
        var tiny = new LineChart("t") { Width = 50 };
        Assert.Throws<InvalidOperationException>(() => tiny.ToSvg());
        var inverted = new LineChart("t") { Panels = { new ChartPanel("p", "y", "x") { YMin = 1, YMax = 0 } } };
        var bad = Assert.Throws<InvalidOperationException>(() => inverted.ToSvg());
        Assert.Contains("Panel 'p'", bad.Message);
    }

    private static string? Class(XElement e) => (string?)e.Attribute("class");

    private static double Attr(XElement e, string name) => double.Parse(e.Attribute(name)!.Value, CultureInfo.InvariantCulture);

    private static string[] TickLabels(XElement panel, string axis) =>
        panel.Descendants(Svg + "g").Single(g => Class(g) == axis).Elements(Svg + "text").Where(t => Class(t) == "tick").Select(t => t.Value).ToArray();

    private static string[] LegendEntries(XElement scope) =>
        scope.Descendants(Svg + "text").Where(t => Class(t) == "legend-entry").Select(t => t.Value).ToArray();

    private static XElement Series(XElement scope, string name) =>
        scope.Descendants(Svg + "g").Single(g => Class(g) == "series" && (string?)g.Attribute("data-series") == name);
}
