// Forecasting a real series: Seattle's maximum temperature tomorrow, from the last W days of every numeric column
// (precipitation, temp_max, temp_min, wind) and the season (the day of the year as sin and cos), with a GRU.
// The data is vega-datasets' seattle-weather.csv (fetched with npm pack when not found, verified, cached).
//
// Usage: dotnet run -c Release --project examples/Forecast -- [options]
//   --window W        days per window (default 7)             --cell lstm|gru    (default gru)
//   --units H         (default 16)                            --loss mse|huber   (default huber)
//   --seeds K         train K models (seeds 1…K) and average their forecasts (default 5)
//   --patience P      early stopping's patience (default 15)  --threads N        Recur's threads (default: all cores)
//   --sweep           compare a small grid of sizes by validation RMSE only (no test)
//
// In Keras this is
//   model = Sequential([GRU(16, input_shape=(7, 6)), Dense(1)])
//   model.compile(loss='huber', optimizer=Adam(1e-3))
//   model.fit(x_train, y_train, batch_size=32, epochs=200, validation_data=(x_val, y_val),
//             callbacks=[EarlyStopping(monitor='val_loss', patience=15, restore_best_weights=True)])
using System.Globalization;
using Recur;
using Recur.Data;
using ForecastExample;

var inv = CultureInfo.InvariantCulture;
var options = new ForecastOptions();
int window = 7, seeds = 5;
bool sweep = false;
for (int i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value; see the usage at the top of Program.cs.");
    switch (args[i])
    {
        case "--window": window = int.Parse(Next(), inv); break;
        case "--cell": options = options with { Cell = Next() }; break;
        case "--units": options = options with { Units = int.Parse(Next(), inv) }; break;
        case "--loss": options = options with { Loss = Next() }; break;
        case "--seeds": seeds = int.Parse(Next(), inv); break;
        case "--patience": options = options with { Patience = int.Parse(Next(), inv) }; break;
        case "--threads": Threading.MaxThreads = int.Parse(Next(), inv); break;
        case "--sweep": sweep = true; break;
        default: throw new ArgumentException($"Unknown option '{args[i]}'; see the usage at the top of Program.cs.");
    }
}

string csv = new VegaDatasets(new VegaOptions { Log = Console.WriteLine }).Ensure(VegaDatasets.SeattleWeather);
TimeSeriesData Windows(int w) => TimeSeriesWindows.Read(csv, new TimeSeriesOptions { Target = "temp_max", Window = w, Horizon = 1, SeasonColumn = "date" });

if (sweep)
{
    // Choosing the size: every candidate on the same windows with the same seeds; only the validation stretch is read.
    Console.WriteLine($"Sweep (validation RMSE in °C of the mean forecast of seeds 1-{seeds}, and of each; the test stretch is not touched):");
    foreach (int w in new[] { 7, 14 })
    {
        TimeSeriesData d = Windows(w);
        double linear = ForecastBaselines.Rmse(ForecastBaselines.PredictLinear(d, d.Validation, ForecastBaselines.FitLinear(d.Train)), d.Validation.Targets);
        Console.WriteLine($"  window {w}: validation persistence {ForecastBaselines.Rmse(d.Validation.LastTargets, d.Validation.Targets):F3}, linear autoregression {linear:F3}");
        foreach (string cell in new[] { "lstm", "gru" })
        {
            foreach (int units in new[] { 16, 32 })
            {
                foreach (string loss in new[] { "mse", "huber" })
                {
                    var o = options with { Cell = cell, Units = units, Loss = loss };
                    float[][] forecasts = Enumerable.Range(1, seeds).Select(s =>
                        ForecastModel.Forecast(ForecastModel.Train(d, o with { Seed = (ulong)s }).Model, d, d.Validation)).ToArray();
                    double[] rmse = forecasts.Select(f => ForecastBaselines.Rmse(f, d.Validation.Targets)).ToArray();
                    double ensemble = ForecastBaselines.Rmse(ForecastModel.Average(forecasts), d.Validation.Targets);
                    Console.WriteLine($"    {cell,-4} {units,3} units, {loss,-5}: ensemble {ensemble:F3}; each {rmse.Average():F3} ({string.Join(" ", rmse.Select(r => r.ToString("F3", inv)))})");
                }
            }
        }
    }

    return;
}

TimeSeriesData data = Windows(window);
Console.WriteLine($"seattle-weather.csv: {string.Join(", ", data.Scaler.Columns)} over {window} days → temp_max the next day; " +
    $"windows: train {data.Train.Count}, validation {data.Validation.Count}, test {data.Test.Count} (the final stretch, rows {data.Test.TargetRows[0] + 2}-{data.Test.TargetRows[^1] + 2} of the file).");
Console.WriteLine($"Settings: {options}, seeds 1-{seeds}, threads {Threading.MaxThreads}");

var results = new List<double>();
var testForecasts = new List<float[]>();
var validationForecasts = new List<float[]>();
var clock = System.Diagnostics.Stopwatch.StartNew();
for (int s = 1; s <= seeds; s++)
{
    var (model, history, best, elapsed) = ForecastModel.Train(data, options with { Seed = (ulong)s });
    if (s == 1)
    {
        Console.Write(model.Summary());
    }

    validationForecasts.Add(ForecastModel.Forecast(model, data, data.Validation));
    testForecasts.Add(ForecastModel.Forecast(model, data, data.Test));
    double validation = ForecastBaselines.Rmse(validationForecasts[^1], data.Validation.Targets);
    double test = ForecastBaselines.Rmse(testForecasts[^1], data.Test.Targets);
    results.Add(test);
    Console.WriteLine($"  seed {s}: best epoch {best} of {history.Epochs.Count}, {elapsed.TotalSeconds:F1} s; validation RMSE {validation:F3} °C, test RMSE {test:F3} °C");
}

double mean = results.Average(), spread = Math.Sqrt(results.Sum(r => (r - mean) * (r - mean)) / Math.Max(1, results.Count - 1));
Console.WriteLine($"Test RMSE, the mean forecast of the {seeds} models: {ForecastBaselines.Rmse(ForecastModel.Average(testForecasts), data.Test.Targets):F3} °C " +
    $"(validation {ForecastBaselines.Rmse(ForecastModel.Average(validationForecasts), data.Validation.Targets):F3} °C)");
Console.WriteLine($"Test RMSE, each {options.Cell.ToUpperInvariant()}({options.Units}) alone: {mean:F3} ± {spread:F3} °C (mean ± standard deviation of {seeds} seeds; " +
    $"min {results.Min():F3}, max {results.Max():F3}); {clock.Elapsed.TotalSeconds:F1} s in all");
Console.WriteLine($"Baseline, persistence (tomorrow = today):            {ForecastBaselines.Persistence(data):F3} °C");
Console.WriteLine($"Baseline, linear autoregression on the same windows: {ForecastBaselines.LinearAutoregression(data):F3} °C " +
    $"(validation {ForecastBaselines.Rmse(ForecastBaselines.PredictLinear(data, data.Validation, ForecastBaselines.FitLinear(data.Train)), data.Validation.Targets):F3} °C)");
if (window != 7)
{
    Console.WriteLine($"Baseline, linear autoregression on 7-day windows:  {ForecastBaselines.LinearAutoregression(Windows(7)):F3} °C");
}
