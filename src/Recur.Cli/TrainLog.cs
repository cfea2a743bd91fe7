using System.Globalization;
using System.Text.Json.Nodes;
using Recur.Models;
using Recur.Training;

namespace Recur.Cli;

/// <summary>
/// What <c>recur train</c> does around each step, as a callback of the training loop: the tutorial's log line every
/// <c>--display-step</c> steps (and at steps 1 and last), the rows of the accuracy chart at those steps and at
/// validations (the same rows <c>metrics.csv</c>'s <see cref="CsvLogger"/> writes), a checkpoint of the run directory at
/// every validation but the last step's (the run's final save, with its test accuracy, is that one), and the progress
/// bar. Its rows and last validation accuracy are part of a checkpoint, so a resumed run's chart continues where the
/// checkpoint left it.
/// </summary>
internal sealed class TrainLog(TrainSettings settings, RunDirectory run, Sequential model, string monitored = "accuracy") : Callback
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Where lines and progress go; set for the duration of the run.</summary>
    public IProgressReporter? Progress { get; set; }

    /// <summary>The last validation accuracy, NaN before the first.</summary>
    public double LastValidation { get; private set; } = double.NaN;

    /// <inheritdoc/>
    public override bool OnEveryReplica => false;

    /// <inheritdoc/>
    public override void OnBatchEnd(int batch, IDictionary<string, double> logs)
    {
        int step = Trainer.Step;
        BatchResult r = Trainer.LastBatch;
        bool display = settings.IsDisplayStep(step), validate = settings.IsValidationStep(step);
        if (validate)
        {
            LastValidation = logs["val_" + monitored];
        }

        if (display || validate)
        {
            run.Record(new MetricsRow(step, r.Loss, Training(r), validate ? LastValidation : double.NaN));
        }

        if (display)
        {
            string name = monitored == "accuracy" ? "Accuracy" : monitored.ToUpperInvariant();
            Progress?.Line(string.Create(Inv, $"Step {step}, Minibatch Loss= {r.Loss:F4}, Training {name}= {Training(r).ToString(monitored == "accuracy" ? "F3" : "F4", Inv)}")
                + (validate ? string.Create(Inv, $", Validation {name}= {LastValidation:F4}") : ""));
        }

        if (validate && step != settings.TotalSteps)
        {
            run.Save(model, step, LastValidation, Trainer.CaptureState());
        }

        Progress?.Advance(step);
    }

    /// <summary>The step's own training figure of the monitored metric.</summary>
    private double Training(BatchResult r) => monitored == "accuracy" ? r.Accuracy : TrainRun.Metric(r, monitored);

    /// <inheritdoc/>
    public override JsonNode SaveState()
    {
        var rows = new JsonArray();
        foreach (MetricsRow row in run.Rows)
        {
            rows.Add(new JsonArray(row.Step, Text(row.Loss), Text(row.TrainAccuracy), Text(row.ValidationAccuracy)));
        }

        return new JsonObject { ["rows"] = rows, ["last_validation"] = Text(LastValidation) };
    }

    /// <inheritdoc/>
    public override void RestoreState(JsonNode state)
    {
        try
        {
            run.ClearRows();
            foreach (JsonNode? row in state["rows"]!.AsArray())
            {
                JsonArray r = row!.AsArray();
                run.Record(new MetricsRow((int)r[0]!, Number(r[1]), Number(r[2]), Number(r[3])));
            }

            LastValidation = Number(state["last_validation"]);
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"the metrics saved with the checkpoint are malformed ({e.Message}).", e);
        }
    }

    private static string Text(double value) => value.ToString("R", Inv);

    private static double Number(JsonNode? node) => double.Parse((string)node!, NumberStyles.Float, Inv);
}
