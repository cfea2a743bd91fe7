namespace Recur.Plotting;

/// <summary>
/// One line of a <see cref="ChartPanel"/>: named (x, y) points drawn as markers joined by a line.
/// Points with a NaN or infinite coordinate are skipped and break the line.
/// </summary>
public sealed class ChartSeries
{
    private readonly List<double> _x = [];
    private readonly List<double> _y = [];

    /// <summary>Creates an empty series; add points with <see cref="Add"/>.</summary>
    /// <param name="name">The legend entry.</param>
    public ChartSeries(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        Name = name;
    }

    /// <summary>Creates a series from paired coordinates.</summary>
    /// <param name="name">The legend entry.</param>
    /// <param name="x">The x coordinates (e.g. training steps).</param>
    /// <param name="y">The y coordinates, as many as <paramref name="x"/>.</param>
    /// <exception cref="ArgumentException">The two sequences differ in length.</exception>
    public ChartSeries(string name, IEnumerable<double> x, IEnumerable<double> y)
        : this(name)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        _x.AddRange(x);
        _y.AddRange(y);
        if (_x.Count != _y.Count)
        {
            throw new ArgumentException($"Series '{name}' has {_x.Count} x values but {_y.Count} y values; give one y per x.", nameof(y));
        }
    }

    /// <summary>The legend entry.</summary>
    public string Name { get; }

    /// <summary>The x coordinates.</summary>
    public IReadOnlyList<double> X => _x;

    /// <summary>The y coordinates.</summary>
    public IReadOnlyList<double> Y => _y;

    /// <summary>The number of points, including skipped non-finite ones.</summary>
    public int Count => _x.Count;

    /// <summary>A CSS colour such as <c>#1f77b4</c>; the panel's palette colour when null.</summary>
    public string? Color { get; init; }

    /// <summary>Whether each point gets a marker (default true).</summary>
    public bool ShowMarkers { get; init; } = true;

    /// <summary>Whether consecutive points are joined by a line (default true).</summary>
    public bool ShowLine { get; init; } = true;

    /// <summary>Appends the point (<paramref name="x"/>, <paramref name="y"/>).</summary>
    public void Add(double x, double y)
    {
        _x.Add(x);
        _y.Add(y);
    }
}
