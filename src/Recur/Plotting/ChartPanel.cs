namespace Recur.Plotting;

/// <summary>
/// One plot of a <see cref="LineChart"/>: a title, two labelled axes with 1-2-5 ticks, a legend,
/// and any number of <see cref="ChartSeries"/>.
/// </summary>
public sealed class ChartPanel
{
    /// <summary>Creates an empty panel.</summary>
    /// <param name="title">The title above the plot.</param>
    /// <param name="yLabel">The y axis title, e.g. <c>accuracy</c>.</param>
    /// <param name="xLabel">The x axis title, e.g. <c>step</c>.</param>
    public ChartPanel(string title, string yLabel, string xLabel)
    {
        ArgumentNullException.ThrowIfNull(title);
        ArgumentNullException.ThrowIfNull(yLabel);
        ArgumentNullException.ThrowIfNull(xLabel);
        Title = title;
        YLabel = yLabel;
        XLabel = xLabel;
    }

    /// <summary>The title above the plot.</summary>
    public string Title { get; }

    /// <summary>The y axis title.</summary>
    public string YLabel { get; }

    /// <summary>The x axis title.</summary>
    public string XLabel { get; }

    /// <summary>The lines, drawn in order and listed in the legend in order.</summary>
    public IList<ChartSeries> Series { get; } = new List<ChartSeries>();

    /// <summary>The bottom of the y axis (e.g. 0 for accuracy); fitted to the data when null.</summary>
    public double? YMin { get; init; }

    /// <summary>The top of the y axis (e.g. 1 for accuracy); fitted to the data when null.</summary>
    public double? YMax { get; init; }
}
