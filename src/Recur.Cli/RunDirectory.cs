using System.Globalization;
using System.Text;
using Recur.IO;
using Recur.Models;
using Recur.Plotting;

namespace Recur.Cli;

/// <summary>One row of <c>metrics.csv</c>; <see cref="ValidationAccuracy"/> is NaN where it was not measured.</summary>
internal readonly record struct MetricsRow(int Step, double Loss, double TrainAccuracy, double ValidationAccuracy);

/// <summary>
/// A run's directory: the model (<c>config.json</c>, <c>model.safetensors</c>), <c>metrics.csv</c> and
/// <c>accuracy.svg</c>, each rewritten atomically at every checkpoint, so an interrupted or
/// diverged run keeps its last good state.
/// </summary>
internal sealed class RunDirectory(string directory, Dictionary<string, string> metadata)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly List<MetricsRow> _rows = [];

    public string Directory { get; } = directory;

    /// <summary>The step of the last saved model, or null before the first save.</summary>
    public int? LastSavedStep { get; private set; }

    /// <summary>Results stored in the model's metadata at the next save.</summary>
    public Dictionary<string, string> Summary { get; } = [];

    public IReadOnlyList<MetricsRow> Rows => _rows;

    public void Record(MetricsRow row) => _rows.Add(row);

    /// <summary>The file of the training loop's state beside the model, for <c>--resume</c>.</summary>
    public const string TrainerStateFileName = "trainer_state.json";

    /// <summary>Starts a new run: creates the directory and records the run's options in <c>run.json</c>.</summary>
    public void Begin(IReadOnlyDictionary<string, string[]> options)
    {
        System.IO.Directory.CreateDirectory(Directory);
        RunOptions.Write(Directory, options, "running");
    }

    /// <summary>Marks the run finished in <c>run.json</c>: <c>--resume</c> then refuses it.</summary>
    public void Finish(IReadOnlyDictionary<string, string[]> options) => RunOptions.Write(Directory, options, "finished");

    /// <summary>The model directory and the loop's state of the last checkpoint, for <c>--resume</c>.</summary>
    /// <exception cref="InvalidDataException">No checkpoint was saved, or it is incomplete or damaged.</exception>
    public (string ModelDirectory, System.Text.Json.Nodes.JsonObject TrainerState) LastCheckpoint()
    {
        string path = Path.Combine(Directory, TrainerStateFileName);
        if (!File.Exists(path))
        {
            throw new InvalidDataException(
                $"{Directory} holds no checkpoint to resume from (no {TrainerStateFileName}: the run stopped before its first validation step). Start it again as a new run.");
        }

        try
        {
            return (Directory, System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path)) as System.Text.Json.Nodes.JsonObject
                ?? throw new System.Text.Json.JsonException("the top level is not an object"));
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"{path} is damaged ({e.Message}); the run cannot be resumed from it.", e);
        }
    }

    /// <summary>Forgets the rows recorded so far (a resumed run puts back those of its checkpoint).</summary>
    public void ClearRows() => _rows.Clear();

    /// <summary>Saves the model (as of <paramref name="step"/>), the loop's state, the metrics and the chart.</summary>
    public void Save(Sequential model, int step, System.Text.Json.Nodes.JsonObject? trainerState = null)
    {
        var meta = new Dictionary<string, string>(metadata) { ["trained_steps"] = step.ToString(Inv) };
        foreach (var (key, value) in Summary)
        {
            meta[key] = value;
        }

        ModelFile.Save(model, Directory, meta);
        if (trainerState is not null)
        {
            AtomicFile.WriteAllText(Path.Combine(Directory, TrainerStateFileName), trainerState.ToJsonString() + "\n");
        }

        LastSavedStep = step;
        SaveMetrics();
    }

    /// <summary>Writes <c>metrics.csv</c> and <c>accuracy.svg</c>.</summary>
    public void SaveMetrics()
    {
        System.IO.Directory.CreateDirectory(Directory);
        var csv = new StringBuilder("step,loss,train_accuracy,validation_accuracy\n");
        foreach (MetricsRow r in _rows)
        {
            csv.Append(Inv, $"{r.Step},{r.Loss:R},{r.TrainAccuracy:R},{(double.IsNaN(r.ValidationAccuracy) ? "" : r.ValidationAccuracy.ToString("R", Inv))}\n");
        }

        AtomicFile.WriteAllText(Path.Combine(Directory, "metrics.csv"), csv.ToString());
        string data = metadata.TryGetValue("data", out string? file) ? Path.GetFileName(file) : "MNIST";
        AccuracyChart(_rows, data).Save(Path.Combine(Directory, "accuracy.svg"));
    }

    /// <summary>The tutorial's chart: accuracy per step on top, loss below; <paramref name="data"/> names what was learnt.</summary>
    internal static LineChart AccuracyChart(IReadOnlyList<MetricsRow> rows, string data = "MNIST")
    {
        var train = new ChartSeries("training accuracy (minibatch)");
        var validation = new ChartSeries("validation accuracy");
        var loss = new ChartSeries("minibatch loss");
        foreach (MetricsRow r in rows)
        {
            train.Add(r.Step, r.TrainAccuracy);
            loss.Add(r.Step, r.Loss);
            if (!double.IsNaN(r.ValidationAccuracy))
            {
                validation.Add(r.Step, r.ValidationAccuracy);
            }
        }

        return new LineChart($"LSTM on {data}: accuracy per training step")
        {
            Panels =
            {
                new ChartPanel("Accuracy", "accuracy", "step") { Series = { train, validation } },
                new ChartPanel("Loss", "softmax cross-entropy", "step") { Series = { loss } },
            },
        };
    }
}
