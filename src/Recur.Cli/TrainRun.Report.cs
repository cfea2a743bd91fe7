using Recur.Data;
using Recur.Losses;
using Recur.Models;
using Recur.Tensors;
using Recur.Training;

namespace Recur.Cli;

/// <summary>The results a run prints at its end, by task, and the warnings about its data.</summary>
internal sealed partial class TrainRun
{
    /// <summary>
    /// Prints the last validation figure and the test figures (accuracy; for regression RMSE and MAE, in the target's
    /// units with the forecasting baselines beside them for a series) and records them in the run's summary.
    /// </summary>
    private void ReportResults(TrainingData data, Sequential model, RunDirectory run, double lastValidation)
    {
        if (data.Task == TrainTask.Regress)
        {
            ReportRegression(data, model, run, lastValidation);
            return;
        }

        string noun = data.Task == TrainTask.Label ? $"{data.Noun}, per step" : data.Noun;
        output.WriteLine(string.Create(Inv, $"Validation accuracy ({data.Validation.Count:N0} {noun}): {lastValidation:F4}"));
        if (data.Test is not null)
        {
            float test = Test(model, data.Input(data.Test.Images), data.Targets(data.Test), data.TestLengths).Accuracy;
            output.WriteLine(string.Create(Inv, $"Test accuracy (all {data.Test.Count:N0} {noun}): {test:F4}"));
            run.Summary["test_accuracy"] = test.ToString("R", Inv);
        }
        else
        {
            output.WriteLine(data.VocabularySize is null
                ? "No test accuracy: no test data was given (--test-data); the accuracy above is on the validation split of --data."
                : "No test accuracy: the accuracy above is on the validation split of --text; score held-out texts with recur evaluate --text FILE.");
        }

        run.Summary["validation_accuracy"] = ((float)lastValidation).ToString("R", Inv);
    }

    private void ReportRegression(TrainingData data, Sequential model, RunDirectory run, double lastValidation)
    {
        run.Summary["validation_rmse"] = ((float)lastValidation).ToString("R", Inv);
        if (data.Series is TimeSeriesData series)
        {
            string target = series.Scaler.Target;
            output.WriteLine(string.Create(Inv, $"Validation RMSE ({data.Validation.Count:N0} windows): {lastValidation:F4} (standardised {target})"));
            float[] forecast = Forecasts.Predict(model, series.Scaler, series.Test.Data.Sequences);
            (double rmse, double mae) = Forecasts.Errors(forecast, series.Test.Targets);
            double persistence = ForecastBaselines.Persistence(series), linear = ForecastBaselines.LinearAutoregression(series);
            output.WriteLine(string.Create(Inv,
                $"Test RMSE (the last {series.Test.Count:N0} windows, in {target}'s units): {rmse:F4}, MAE {mae:F4}; persistence {persistence:F4}, linear autoregression {linear:F4}."));
            run.Summary["test_rmse"] = rmse.ToString("R", Inv);
            run.Summary["test_mae"] = mae.ToString("R", Inv);
            run.Summary["persistence_rmse"] = persistence.ToString("R", Inv);
            run.Summary["linear_rmse"] = linear.ToString("R", Inv);
            return;
        }

        output.WriteLine(string.Create(Inv, $"Validation RMSE ({data.Validation.Count:N0} {data.Noun}): {lastValidation:F4}"));
        if (data.Test is null)
        {
            output.WriteLine("No test RMSE: no test data was given (--test-data); the RMSE above is on the validation split of --data.");
            return;
        }

        BatchResult r = Test(model, data.Input(data.Test.Images), data.Targets(data.Test), data.TestLengths);
        double testRmse = Metric(r, "rmse"), testMae = Metric(r, "mae");
        output.WriteLine(string.Create(Inv, $"Test RMSE (all {data.Test.Count:N0} {data.Noun}): {testRmse:F4}, MAE {testMae:F4}, MSE {r.Loss:F4}"));
        run.Summary["test_rmse"] = testRmse.ToString("R", Inv);
        run.Summary["test_mae"] = testMae.ToString("R", Inv);
    }

    /// <summary>
    /// The model's loss and metrics on test data <c>x [N, …]</c>, <c>y [N, …]</c>, in batches of 1,000; under MPI split
    /// across the ranks and summed (<see cref="DataParallel.Evaluate"/>), every rank calling it alike.
    /// </summary>
    private BatchResult Test(Sequential model, Tensor x, Tensor y, int[]? lengths = null) =>
        world is { Size: > 1 } ? DataParallel.Evaluate(model, world, x, y, 1000, lengths) : model.Evaluate(x, y, 1000, lengths);

    /// <summary>The value of the compiled metric <paramref name="name"/> in <paramref name="result"/> (NaN when it was not measured).</summary>
    internal static double Metric(BatchResult result, string name)
    {
        foreach (MetricTotal t in result.Metrics)
        {
            if (t.Metric.Name == name)
            {
                return t.Value;
            }
        }

        return double.NaN;
    }

    /// <summary>With <c>--mask-value</c>: warns (one line) when no training step has all its features equal to it, so nothing would be masked.</summary>
    private void WarnIfMaskValueAbsent(TrainingData data)
    {
        if (settings.MaskValue is not float value)
        {
            return;
        }

        int f = data.Layout.Features;
        ReadOnlySpan<float> x = data.Train.Images.Span;
        for (int step = 0; step + f <= x.Length; step += f)
        {
            if (x.Slice(step, f).IndexOfAnyExcept(value) < 0)
            {
                return;
            }
        }

        error.WriteLine(string.Create(Inv,
            $"recur train: warning: --mask-value {value} never occurs in the training data (no step has all its {f} features equal to it), so nothing is masked; pad with that value, or leave --mask-value out."));
    }
}
