using System.Globalization;
using System.Text;
using Recur.Data;

namespace Recur.Tests.Data;

/// <summary>Windows cut from a CSV series, their scaling, the vega-datasets files and the forecasting baselines.</summary>
public sealed class TimeSeriesWindowsTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Seattle => Path.Combine(AppContext.BaseDirectory, "fixtures", "vega", "seattle-weather.csv");

    private string Write(string text, string name = "series.csv")
    {
        string path = _dir.File(name);
        File.WriteAllText(path, text, new UTF8Encoding(false));
        return path;
    }

    /// <summary>A series of <paramref name="rows"/> rows: day (a date), a = t, b = 2t + 1, kind (a word).</summary>
    private string Series(int rows)
    {
        var text = new StringBuilder("day,a,b,kind\n");
        for (int t = 0; t < rows; t++)
        {
            text.Append(CultureInfo.InvariantCulture, $"2020-01-{t % 28 + 1:00},{t},{2 * t + 1},k{t % 3}\n");
        }

        return Write(text.ToString());
    }

    [Fact]
    public void WindowsReadTheRowsBeforeTheirTarget()
    {
        string path = Series(20);
        TimeSeriesData data = TimeSeriesWindows.Read(path, new TimeSeriesOptions { Target = "b", Window = 3, Horizon = 2, TestFraction = 0.25, ValidationFraction = 0.125 });
        Assert.Equal(["a", "b"], data.Scaler.Columns); // day and kind are not numbers
        Assert.Equal((16, 2, 4), (data.Train.Count + data.Validation.Count + data.Test.Count, data.Validation.Count, data.Test.Count)); // 20 − 3 − 2 + 1
        Assert.True(data.Train.Data.Sequences.HasShape(10, 3, 2));

        // Window i holds rows i … i + 2; its target is b at row i + 4.
        Assert.Equal([9f, 11, 13], data.Train.Targets[..3]);
        Assert.Equal([5f, 7, 9], data.Train.LastTargets[..3]);
        Assert.Equal(4, data.Train.TargetRows[0]);
        Assert.Equal(19, data.Test.TargetRows[^1]);

        // Scaled with the training rows' statistics only: rows 0 … 13 (the last training window ends at row 11, its target is row 13).
        double mean = Enumerable.Range(0, 14).Average();
        double deviation = Math.Sqrt(Enumerable.Range(0, 14).Average(t => (t - mean) * (t - mean)));
        Assert.Equal(mean, data.Scaler.Means[0], 12);
        Assert.Equal(deviation, data.Scaler.Deviations[0], 12);
        Assert.Equal((float)((0 - mean) / deviation), data.Train.Data.Sequences[0, 0, 0]);
        Assert.Equal(data.Train.Targets[0], (float)data.Scaler.UnscaleTarget(data.Train.Data.Targets![0]), 4);

        TimeSeriesScaler back = TimeSeriesScaler.FromJson(System.Text.Json.Nodes.JsonNode.Parse(data.Scaler.ToJson().ToJsonString()), "scaler");
        Assert.Equal(data.Scaler.Columns, back.Columns);
        Assert.Equal(data.Scaler.Means, back.Means);
        Assert.Equal(data.Scaler.Deviations, back.Deviations);
        Assert.Equal((data.Scaler.Target, data.Scaler.TargetMean, data.Scaler.TargetDeviation), (back.Target, back.TargetMean, back.TargetDeviation));
    }

    [Fact]
    public void ALinearSeriesIsFitExactlyAndPersistenceLagsByTheHorizon()
    {
        TimeSeriesData data = TimeSeriesWindows.Read(Series(60), new TimeSeriesOptions { Target = "b", Inputs = ["a"], Window = 4, Horizon = 3 });
        Assert.Equal(6.0, ForecastBaselines.Persistence(data), 9); // b rises by 2 a row, 3 rows ahead
        Assert.True(ForecastBaselines.LinearAutoregression(data, ridge: 1e-9) < 1e-3);
    }

    [Fact]
    public void SeattleWeatherGivesTheBaselines()
    {
        TimeSeriesData data = TimeSeriesWindows.Read(Seattle, new TimeSeriesOptions { Target = "temp_max", Window = 7, SeasonColumn = "date" });
        Assert.Equal(["precipitation", "temp_max", "temp_min", "wind", "season_sin", "season_cos"], data.Scaler.Columns);
        Assert.Equal(300 - 7, data.Train.Count + data.Validation.Count + data.Test.Count);
        double persistence = ForecastBaselines.Persistence(data), linear = ForecastBaselines.LinearAutoregression(data);
        Assert.InRange(persistence, 1.0, 6.0);
        Assert.InRange(linear, 1.0, persistence); // the fit on the window beats "tomorrow = today" even on 300 days
    }

    [Fact]
    public void BadSeriesNameTheFileLineAndColumn()
    {
        string path = Series(10);
        DataFileAssert.Bad(() => TimeSeriesWindows.Read(path, new TimeSeriesOptions { Target = "c", Window = 2 }), path, "has no column 'c'; its columns are day, a, b, kind");
        DataFileAssert.Bad(() => TimeSeriesWindows.Read(path, new TimeSeriesOptions { Target = "b", Window = 9, Horizon = 2 }), path,
            "a series of 10 rows, too short for a window of 9 rows and a target 2 rows after it");
        DataFileAssert.Bad(() => TimeSeriesWindows.Read(path, new TimeSeriesOptions { Target = "kind", Window = 2 }), path, "line 2, column 4 ('kind'): 'k0' is not a finite number");
        DataFileAssert.Bad(() => TimeSeriesWindows.Read(path, new TimeSeriesOptions { Target = "b", Window = 2, SeasonColumn = "kind" }), path, "line 2, column 4 ('kind'): 'k0' is not a date");
        string gap = Write("a,b\n1,2\n3,\n", "gap.csv");
        DataFileAssert.Bad(() => TimeSeriesWindows.Read(gap, new TimeSeriesOptions { Target = "a", Inputs = ["b"], Window = 1 }), gap, "line 3, column 2 ('b') is empty");
        string ragged = Write("a,b\n1,2\n3\n", "ragged.csv");
        DataFileAssert.Bad(() => TimeSeriesWindows.Read(ragged, new TimeSeriesOptions { Target = "a", Window = 1 }), ragged, "line 3 has 1 cells but the header has 2");
        Assert.Throws<ArgumentException>(() => TimeSeriesWindows.Read(path, new TimeSeriesOptions { Window = 2 }));
    }

    [Fact]
    public void VegaFilesAreVerifiedWhereverTheyAreFound()
    {
        string dir = _dir.File("vega");
        Directory.CreateDirectory(dir);
        var options = new VegaOptions { DataDir = dir, RecurDataDir = null, CacheDir = _dir.File("cache"), SystemDirectory = null, UseNpm = false };
        string path = Path.Combine(dir, VegaDatasets.SeattleWeather);
        File.Copy(Seattle, path); // the slice is not the real file
        DataFileAssert.Bad(() => new VegaDatasets(options).Ensure(VegaDatasets.SeattleWeather), path, "is not vega-datasets' seattle-weather.csv", "0845078a", "Delete it");
        var e = Assert.Throws<DataUnavailableException>(() => new VegaDatasets(options).Ensure(VegaDatasets.Co2Concentration));
        Assert.Contains("npm pack vega-datasets@3.2.1", e.Message);
        Assert.Contains("apt-get install python3-vega-datasets", e.Message);
        Assert.Throws<ArgumentException>(() => new VegaDatasets(options).Ensure("cars.json"));
    }
}
