using System.Globalization;
using Recur.Data;
using Recur.IO;
using Recur.Losses;
using Recur.Tensors;

namespace Recur.Cli;

/// <summary>
/// <c>recur evaluate</c> for the models of <c>--text</c>, <c>--series</c>, <c>--task regress</c> and <c>--task label</c>:
/// accuracy and confusion matrix of texts, RMSE and MAE of a forecast against the persistence baseline and a linear
/// autoregression, RMSE and MAE of a regression, per-step accuracy of a labelling.
/// </summary>
internal sealed class OwnDataEvaluation(string directory, CheckpointKind? checkpoint, TextWriter output, TextWriter error)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Loads the model and evaluates it on <paramref name="text"/> or <paramref name="series"/>.</summary>
    public int Run(string? text, string? series)
    {
        TrainedModel trained;
        try
        {
            trained = TrainedModel.Load(directory, checkpoint);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            error.WriteLine($"recur evaluate: {e.Message}");
            return ExitCodes.Failed;
        }

        return Run(trained, null, text, series);
    }

    /// <summary>Evaluates <paramref name="trained"/> on the data its kind reads (one of <paramref name="file"/>, <paramref name="text"/>, <paramref name="series"/>).</summary>
    public int Run(TrainedModel trained, EvaluateCommand.EvaluationFile? file, string? text = null, string? series = null)
    {
        string? problem =
            trained.FromText ? (text is null ? $"{directory} was trained on texts; give labelled texts with --text FILE (label<TAB>text lines)." : null)
            : text is not null ? $"{directory} was not trained on texts (recur train --text); give its test data with {(trained.FromSeries ? "--series FILE" : "--data FILE")}."
            : trained.FromSeries ? (file is not null ? $"{directory} forecasts a series; give it with --series FILE (the training file by default), not --data." : null)
            : series is not null ? $"{directory} was not trained on a series (recur train --series); give its test sequences with --data FILE."
            : file is null ? $"{directory} was trained on {trained.Metadata.GetValueOrDefault("data", "your own data")}; give test sequences with --data FILE (and --labels FILE.npy for .npy features)." : null;
        if (problem is not null)
        {
            error.WriteLine($"recur evaluate: {problem} Run 'recur evaluate --help' for the options.");
            return ExitCodes.Usage;
        }

        try
        {
            if (trained.FromText)
            {
                EvaluateText(trained, text!);
            }
            else if (trained.FromSeries)
            {
                EvaluateSeries(trained, series ?? trained.Metadata.GetValueOrDefault("data") ?? "");
            }
            else
            {
                EvaluateFile(trained, file!);
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            error.WriteLine($"recur evaluate: {e.Message}");
            return ExitCodes.Failed;
        }

        return ExitCodes.Ok;
    }

    private void EvaluateText(TrainedModel trained, string path)
    {
        string[] names = trained.ClassNames;
        TextData data = TextFiles.Read(path, new TextFileOptions
        {
            Vocabulary = trained.Vocabulary,
            ClassNames = names,
            MaxLength = trained.Metadata.TryGetValue("max_length", out string? max) ? int.Parse(max, Inv) : null,
            Shuffle = false,
        });
        Tensor logits = trained.Model.Predict(data.Ids, 1000, data.Lengths);
        EvaluateCommand.PrintClassification(output, Predictions.ArgMax(logits), data.Labels, names.Length, "texts", names);
    }

    private void EvaluateSeries(TrainedModel trained, string path)
    {
        TimeSeriesScaler saved = trained.Scaler;
        TimeSeriesData data = TimeSeriesWindows.Read(path, SeriesOptions(trained));
        if (data.Test.Count == 0)
        {
            throw new DataFileException(path, $"'{path}' is too short to hold a test stretch of windows of {trained.Layout.Steps} rows; give a longer series.");
        }

        Tensor windows = Forecasts.Restandardise(data.Test.Data.Sequences, data.Scaler, saved, path);
        float[] forecast = Forecasts.Predict(trained.Model, saved, windows);
        (double rmse, double mae) = Forecasts.Errors(forecast, data.Test.Targets);
        double persistence = ForecastBaselines.Persistence(data), linear = ForecastBaselines.LinearAutoregression(data);
        (double persistenceRmse, double persistenceMae) = Forecasts.Errors(data.Test.LastTargets, data.Test.Targets);
        output.WriteLine(string.Create(Inv, $"Test RMSE: {rmse:F4}, MAE: {mae:F4} ({saved.Target}'s units; the last {data.Test.Count:N0} windows of {path}, rows after the training and validation stretches)"));
        output.WriteLine(string.Create(Inv, $"Persistence baseline (the last value of each window): RMSE {persistenceRmse:F4}, MAE {persistenceMae:F4}"));
        output.WriteLine(string.Create(Inv, $"Linear autoregression on the same windows (least squares on the training stretch): RMSE {linear:F4}"));
        output.WriteLine(rmse < persistence
            ? string.Create(Inv, $"The model's RMSE is {100 * (1 - rmse / persistence):F1}% below the persistence baseline's.")
            : string.Create(Inv, $"The model does not beat the persistence baseline (RMSE {rmse:F4} against {persistence:F4}); train longer or on a longer window."));
    }

    /// <summary>How the training run cut its series, from the model's metadata (the inputs are the scaler's columns).</summary>
    internal static TimeSeriesOptions SeriesOptions(TrainedModel trained)
    {
        IReadOnlyDictionary<string, string> m = trained.Metadata;
        TimeSeriesScaler scaler = trained.Scaler;
        string? season = m.GetValueOrDefault("season_column");
        return new TimeSeriesOptions
        {
            Target = scaler.Target,
            Inputs = scaler.Columns.Where(c => season is null || c is not ("season_sin" or "season_cos")).ToArray(),
            Window = trained.Layout.Steps,
            Horizon = int.Parse(m.GetValueOrDefault("horizon", "1"), Inv),
            SeasonColumn = season,
            ValidationFraction = double.Parse(m.GetValueOrDefault("validation_split", "0.1"), Inv),
            TestFraction = double.Parse(m.GetValueOrDefault("test_split", "0.2"), Inv),
        };
    }

    private void EvaluateFile(TrainedModel trained, EvaluateCommand.EvaluationFile file)
    {
        SequenceLayout layout = trained.Layout;
        var options = new SequenceFileOptions { Features = layout.Features, Classes = trained.Classes, Header = file.Header, Shuffle = false };
        (SequenceData data, Tensor? targets) = TaskFiles.Read(trained.Task, file.Data, file.Labels, options);
        if (data.Features != layout.Features || (data.Lengths is null && data.Steps != layout.Steps))
        {
            throw new DataFileException(file.Data,
                $"'{file.Data}' holds sequences of {data.Steps} steps × {data.Features} features, but the model reads {layout.Steps} × {layout.Features}.");
        }

        Tensor predictions = trained.Model.Predict(data.Sequences, 1000, data.Lengths);
        if (trained.Task == TrainTask.Regress)
        {
            if (predictions.Length != targets!.Length)
            {
                throw new DataFileException(file.Data, $"'{file.Data}' has targets of {targets.Length / targets.Dim(0)} floats per sequence, but the model predicts {predictions.Length / predictions.Dim(0)}.");
            }

            (double rmse, double mae) = Forecasts.Errors(predictions.Span, targets.Span);
            output.WriteLine(string.Create(Inv, $"Test RMSE: {rmse:F4}, MAE: {mae:F4}, MSE: {rmse * rmse:F4} ({data.Count:N0} sequences)"));
            return;
        }

        // Labels per step: the valid steps of each sequence.
        int steps = data.Steps, classes = predictions.Dim(2);
        long hits = 0, total = 0;
        for (int i = 0; i < data.Count; i++)
        {
            int length = data.Lengths?[i] ?? steps;
            for (int t = 0; t < length; t++)
            {
                int predicted = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(predictions.Span.Slice(((i * steps) + t) * classes, classes));
                hits += predicted == (int)targets!.Data[(i * steps) + t] ? 1 : 0;
                total++;
            }
        }

        output.WriteLine(string.Create(Inv, $"Test accuracy per step: {(double)hits / total:F4} ({hits:N0} of {total:N0} steps in {data.Count:N0} sequences)"));
    }
}
