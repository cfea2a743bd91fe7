using System.Globalization;
using Recur.Tensors;

namespace Recur.Data;

/// <summary>
/// Cuts a series in a CSV file with a header row (one row per time step, oldest first; comma-separated, numbers in the
/// invariant culture) into windows for forecasting: window i is rows i … i + W − 1 of the input columns,
/// <c>x [N, W, F]</c>, and its target is the target column H rows after its last row, <c>y [N]</c>, N = rows − W − H + 1.
/// </summary>
/// <remarks>
/// A column is numeric when every cell of it is a number. By default every numeric column is an input (the target
/// among them); other columns — a date, a category such as seattle-weather's <c>weather</c> — are skipped. A date
/// column can instead become two seasonal features (<see cref="TimeSeriesOptions.SeasonColumn"/>). The windows are
/// split in time order: the last ⌊N · test fraction⌋ are the test stretch, the ⌊N · validation fraction⌋ before them
/// validation, the rest training; the scaler (<see cref="TimeSeriesScaler"/>) is fitted on the rows the training
/// windows touch (inputs and targets), so nothing of the later stretches leaks into it.
/// </remarks>
public static class TimeSeriesWindows
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Reads <paramref name="path"/> and cuts it as <paramref name="options"/> say.</summary>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    /// <exception cref="DataFileException">
    /// The file has no header or rows, a row has another number of cells, a column named does not exist (the message lists
    /// the columns), a value of an input or the target is not a number (file, line, column), a season cell is not a date,
    /// or the window and horizon are longer than the series.
    /// </exception>
    /// <exception cref="ArgumentException">The options are out of range (no target, W or H below 1, fractions leaving no training window).</exception>
    public static TimeSeriesData Read(string path, TimeSeriesOptions options)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrEmpty(options.Target))
        {
            throw new ArgumentException("TimeSeriesWindows: give the column to forecast (TimeSeriesOptions.Target).", nameof(options));
        }

        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Window, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Horizon, nameof(options));
        if (!(options.ValidationFraction >= 0 && options.TestFraction >= 0 && options.ValidationFraction + options.TestFraction < 1))
        {
            throw new ArgumentException(
                $"TimeSeriesWindows: validation {options.ValidationFraction} and test {options.TestFraction} fractions must be ≥ 0 with a sum below 1.", nameof(options));
        }

        var (header, rows, lines) = ReadCells(path);
        int Column(string name) => Array.IndexOf(header, name) is var c and >= 0
            ? c
            : throw new DataFileException(path, $"'{path}' has no column '{name}'; its columns are {string.Join(", ", header)}. Give one of them.");

        int target = Column(options.Target);
        int[] inputs = options.Inputs is { } named
            ? named.Select(Column).ToArray()
            : Enumerable.Range(0, header.Length).Where(c => rows.All(r => double.TryParse(r[c], NumberStyles.Float, Inv, out _))).ToArray();
        if (inputs.Length == 0 && options.SeasonColumn is null)
        {
            throw new DataFileException(path, $"'{path}' has no numeric column to read; its columns are {string.Join(", ", header)}.");
        }

        double[][] values = inputs.Select(c => Numbers(path, header, rows, lines, c)).ToList().Append(Numbers(path, header, rows, lines, target)).ToArray();
        var names = inputs.Select(c => header[c]).ToList();
        if (options.SeasonColumn is string season)
        {
            int c = Column(season);
            var sin = new double[rows.Count];
            var cos = new double[rows.Count];
            for (int r = 0; r < rows.Count; r++)
            {
                if (!DateTime.TryParse(rows[r][c], Inv, DateTimeStyles.None, out DateTime date))
                {
                    throw new DataFileException(path,
                        $"'{path}' line {lines[r]}, column {c + 1} ('{season}'): '{rows[r][c]}' is not a date; write dates as 2012-01-31.");
                }

                double angle = 2 * Math.PI * (date.DayOfYear - 1) / 365.25;
                (sin[r], cos[r]) = (Math.Sin(angle), Math.Cos(angle));
            }

            values = [.. values[..^1], sin, cos, values[^1]];
            names.AddRange(["season_sin", "season_cos"]);
        }

        int w = options.Window, h = options.Horizon, f = names.Count, total = rows.Count - w - h + 1;
        if (total < 1)
        {
            throw new DataFileException(path,
                $"'{path}' holds a series of {rows.Count} rows, too short for a window of {w} rows and a target {h} rows after it ({w + h} rows); use a shorter window or horizon.");
        }

        int testCount = (int)Math.Floor((decimal)options.TestFraction * total);
        int validationCount = (int)Math.Floor((decimal)options.ValidationFraction * total);
        int trainCount = total - testCount - validationCount;
        if (trainCount < 1)
        {
            throw new DataFileException(path, $"'{path}' gives {total} windows, none left for training after the validation and test stretches; use a longer series or smaller fractions.");
        }

        double[] series = values[^1];
        int statsRows = trainCount - 1 + w + h; // every row a training window or its target reads
        var (means, deviations) = (new double[f], new double[f]);
        for (int j = 0; j < f; j++)
        {
            (means[j], deviations[j]) = MeanDeviation(values[j].AsSpan(0, statsRows));
        }

        var (targetMean, targetDeviation) = MeanDeviation(series.AsSpan(0, statsRows));
        var scaler = new TimeSeriesScaler(names, means, deviations, options.Target, targetMean, targetDeviation);

        TimeSeriesPart Part(int first, int count, ulong seed)
        {
            var x = new float[count * w * f];
            var scaled = new float[count];
            var targets = new float[count];
            var last = new float[count];
            var targetRows = new int[count];
            for (int i = 0; i < count; i++)
            {
                int start = first + i;
                for (int t = 0; t < w; t++)
                {
                    for (int j = 0; j < f; j++)
                    {
                        x[((i * w) + t) * f + j] = (float)((values[j][start + t] - means[j]) / deviations[j]);
                    }
                }

                targetRows[i] = start + w - 1 + h;
                targets[i] = (float)series[targetRows[i]];
                last[i] = (float)series[start + w - 1];
                scaled[i] = scaler.ScaleTarget(series[targetRows[i]]);
            }

            var data = new DataSet(new Tensor(x, count, w * f), new int[count], 1, seed);
            return new TimeSeriesPart(new SequenceData(data, w, f, targets: scaled), targets, last, targetRows);
        }

        return new TimeSeriesData(
            Part(0, trainCount, options.Seed),
            Part(trainCount, validationCount, unchecked(options.Seed + 1)),
            Part(trainCount + validationCount, testCount, unchecked(options.Seed + 2)),
            scaler,
            w,
            h);
    }

    private static (double Mean, double Deviation) MeanDeviation(ReadOnlySpan<double> values)
    {
        double mean = 0;
        foreach (double v in values)
        {
            mean += v;
        }

        mean /= values.Length;
        double squares = 0;
        foreach (double v in values)
        {
            squares += (v - mean) * (v - mean);
        }

        double deviation = Math.Sqrt(squares / values.Length);
        return (mean, deviation > 0 ? deviation : 1);
    }

    /// <summary>Column <paramref name="c"/> as numbers; the first cell that is not one is an error naming its line and column.</summary>
    private static double[] Numbers(string path, string[] header, List<string[]> rows, List<int> lines, int c)
    {
        var numbers = new double[rows.Count];
        for (int r = 0; r < rows.Count; r++)
        {
            string cell = rows[r][c];
            if (!double.TryParse(cell, NumberStyles.Float, Inv, out numbers[r]) || !double.IsFinite(numbers[r]))
            {
                throw new DataFileException(path, cell.Length == 0
                    ? $"'{path}' line {lines[r]}, column {c + 1} ('{header[c]}') is empty; fill in missing values, or leave the column out of the inputs."
                    : $"'{path}' line {lines[r]}, column {c + 1} ('{header[c]}'): '{cell}' is not a finite number; fix the value, or leave the column out of the inputs.");
            }
        }

        return numbers;
    }

    private static (string[] Header, List<string[]> Rows, List<int> Lines) ReadCells(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException(Directory.Exists(path) ? $"'{path}' is a directory; give a .csv file." : $"'{path}' does not exist.", path);
        }

        string[]? header = null;
        var rows = new List<string[]>();
        var lines = new List<int>();
        int number = 0;
        foreach (string line in File.ReadLines(path))
        {
            number++;
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            string[] cells = line.Split(',').Select(Clean).ToArray();
            if (header is null)
            {
                CsvSeparator.Check(line, number, path);
                header = cells;
                continue;
            }

            if (cells.Length != header.Length)
            {
                throw new DataFileException(path, $"'{path}' line {number} has {cells.Length} cells but the header has {header.Length}; every row needs one cell per column.");
            }

            rows.Add(cells);
            lines.Add(number);
        }

        if (header is null || rows.Count == 0)
        {
            throw new DataFileException(path, $"'{path}' holds no series: it needs a header row of column names, then one row per time step.");
        }

        return (header, rows, lines);
    }

    private static string Clean(string cell)
    {
        string c = cell.Trim();
        return c.Length >= 2 && c[0] == '"' && c[^1] == '"' ? c[1..^1].Trim() : c;
    }
}
