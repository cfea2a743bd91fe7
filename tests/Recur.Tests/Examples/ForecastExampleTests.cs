using ForecastExample;
using Recur.Data;
using Xunit.Abstractions;

namespace Recur.Tests.Examples;

/// <summary>examples/Forecast's model on the 300-day slice of seattle-weather.csv in fixtures/vega: it learns the next day's temperature.</summary>
public sealed class ForecastExampleTests(ITestOutputHelper output)
{
    [Fact]
    public void TheRecurrentForecastBeatsTheTrainingMeanAndNearsPersistence()
    {
        string csv = Path.Combine(AppContext.BaseDirectory, "fixtures", "vega", "seattle-weather.csv");
        TimeSeriesData data = TimeSeriesWindows.Read(csv, new TimeSeriesOptions { Target = "temp_max", Window = 7, SeasonColumn = "date" });
        var options = new ForecastOptions { Units = 8, MaxEpochs = 40, Patience = 5, LearningRate = 5e-3 };
        var (model, history, best, _) = ForecastModel.Train(data, options);
        float[] forecast = ForecastModel.Forecast(model, data, data.Validation);
        double rmse = ForecastBaselines.Rmse(forecast, data.Validation.Targets);
        float trainMean = data.Train.Targets.Average();
        double meanRmse = ForecastBaselines.Rmse(Enumerable.Repeat(trainMean, forecast.Length).ToArray(), data.Validation.Targets);
        double persistence = ForecastBaselines.Rmse(data.Validation.LastTargets, data.Validation.Targets);
        output.WriteLine($"best epoch {best} of {history.Epochs.Count}; validation RMSE {rmse:F3} °C, the training mean {meanRmse:F3}, persistence {persistence:F3}");
        Assert.True(rmse < 0.5 * meanRmse, $"validation RMSE {rmse:F3} °C is not well below the training mean's {meanRmse:F3}");
        Assert.True(rmse < 1.5 * persistence, $"validation RMSE {rmse:F3} °C is far above persistence's {persistence:F3}");
    }
}
