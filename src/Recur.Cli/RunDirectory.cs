using System.Globalization;
using System.Text;
using Recur.IO;
using Recur.Models;
using Recur.Plotting;

namespace Recur.Cli;

/// <summary>One row of <c>metrics.csv</c> and point of <c>accuracy.svg</c>; <see cref="ValidationAccuracy"/> is NaN where it was not measured.</summary>
internal readonly record struct MetricsRow(int Step, double Loss, double TrainAccuracy, double ValidationAccuracy);

/// <summary>
/// A run's directory (<see cref="CheckpointDirectory"/>): locked while the run writes it, with the run's options in
/// <c>run.json</c>; at every checkpoint the model (<c>config.json</c>, <c>model.safetensors</c>,
/// <c>optimizer.safetensors</c>) and the loop's state (<c>trainer_state.json</c>) go into a new folder
/// <c>checkpoints/step-NNNNNNNN/</c>, written as one unit, and the <c>checkpoint</c> pointer names it as the last (and,
/// when its validation accuracy is the best so far, as the best); then <c>accuracy.svg</c> is rewritten beside it,
/// atomically. <c>metrics.csv</c> beside them gets a row after every display and validation step, from a
/// <see cref="Recur.Training.CsvLogger"/> of the loop, and a resumed run cuts it back to its checkpoint's rows. An
/// interrupted, diverged or failed run keeps its last good checkpoint.
/// </summary>
internal sealed class RunDirectory : IDisposable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly List<MetricsRow> _rows = [];
    private readonly CheckpointDirectory? _checkpoints; // null on a rank other than 0 of an MPI run, which writes nothing
    private readonly bool _overwrite;

    private RunDirectory(string directory, Dictionary<string, string> metadata, CheckpointDirectory? checkpoints, bool overwrite)
    {
        Directory = directory;
        Metadata = metadata;
        _checkpoints = checkpoints;
        _overwrite = overwrite;
    }

    public string Directory { get; }

    /// <summary>What evaluate and predict need; stored in the model's metadata at every save.</summary>
    public Dictionary<string, string> Metadata { get; }

    /// <summary>The step of the last saved model, or null before the first save.</summary>
    public int? LastSavedStep { get; private set; }

    /// <summary>Results stored in the model's metadata at the next save.</summary>
    public Dictionary<string, string> Summary { get; } = [];

    public IReadOnlyList<MetricsRow> Rows => _rows;

    /// <summary>
    /// Opens <c>--out</c> before training — creates it, takes its lock, writes a probe file — or writes the one-line
    /// reason to <paramref name="error"/> and returns null with the exit code in <paramref name="exitCode"/>.
    /// </summary>
    public static RunDirectory? Open(TrainSettings settings, Dictionary<string, string> metadata, TextWriter error, out int exitCode)
    {
        string directory = settings.OutputDirectory;
        exitCode = ExitCodes.Failed;
        try
        {
            CheckpointMode mode = settings.Resume ? CheckpointMode.Resume : settings.Overwrite ? CheckpointMode.Overwrite : CheckpointMode.New;
            var checkpoints = (settings.OpenCheckpoints ?? CheckpointDirectory.Open)(directory, mode);
            return new RunDirectory(directory, metadata, checkpoints, settings.Overwrite);
        }
        catch (ExistingRunException)
        {
            error.WriteLine($"recur train: --out {directory} holds an earlier run; pass --overwrite to replace it (its checkpoints are deleted once this run writes its first), or choose another --out.");
            exitCode = ExitCodes.Usage;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            error.WriteLine($"recur train: {e.Message}");
        }

        return null;
    }

    /// <summary>
    /// The run directory as a rank other than 0 of an MPI run sees it: where rank 0 writes; this process opens, locks and
    /// writes nothing in it (its callbacks that write do not run there, <see cref="Recur.Training.Callback.OnEveryReplica"/>).
    /// </summary>
    public static RunDirectory Unwritten(TrainSettings settings, Dictionary<string, string> metadata) =>
        new(settings.OutputDirectory, metadata, null, settings.Overwrite);

    private CheckpointDirectory Checkpoints =>
        _checkpoints ?? throw new InvalidOperationException($"{Directory} is written by rank 0 of the MPI run alone.");

    /// <summary>
    /// Checks, before training, that there is room for two checkpoints of <paramref name="model"/> (the last one is kept
    /// while the next is written), or writes the one-line reason to <paramref name="error"/> and returns false.
    /// </summary>
    public bool TryCheckRoom(Sequential model, TextWriter error)
    {
        try
        {
            Checkpoints.CheckWritable(2 * ModelFile.Serialize(model, Metadata).Values.Sum(b => (long)b.Length));
            return true;
        }
        catch (IOException e)
        {
            error.WriteLine($"recur train: {e.Message}");
            return false;
        }
    }

    public void Record(MetricsRow row) => _rows.Add(row);

    /// <summary>The file of the training loop's state in each checkpoint, for <c>--resume</c>.</summary>
    public const string TrainerStateFileName = "trainer_state.json";

    /// <summary>Starts a new run: records the run's options in <c>run.json</c>.</summary>
    public void Begin(IReadOnlyDictionary<string, string[]> options) => RunOptions.Write(Directory, options, "running");

    /// <summary>Marks the run finished in <c>run.json</c>: <c>--resume</c> then refuses it.</summary>
    public void Finish(IReadOnlyDictionary<string, string[]> options) => RunOptions.Write(Directory, options, "finished");

    /// <summary>The folder and the loop's state of the last checkpoint, for <c>--resume</c> (the directory was opened to resume).</summary>
    /// <exception cref="InvalidDataException">No checkpoint was saved, or it is incomplete or damaged.</exception>
    public (string ModelDirectory, System.Text.Json.Nodes.JsonObject TrainerState) LastCheckpoint()
    {
        string folder = Checkpoints.LastPath
            ?? throw new InvalidDataException($"{Directory} holds no checkpoint to resume from (the run stopped before its first validation step). Start it again as a new run.");
        string path = Path.Combine(folder, TrainerStateFileName);
        if (!File.Exists(path))
        {
            throw new InvalidDataException($"{folder} holds no {TrainerStateFileName}; the run cannot be resumed from it.");
        }

        try
        {
            return (folder, Recur.IO.JsonFiles.Read(path) as System.Text.Json.Nodes.JsonObject
                ?? throw new System.Text.Json.JsonException("the top level is not an object"));
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"{path} is damaged ({e.Message}); the run cannot be resumed from it.", e);
        }
    }

    /// <summary>Forgets the rows recorded so far (a resumed run puts back those of its checkpoint).</summary>
    public void ClearRows() => _rows.Clear();

    /// <summary>
    /// Saves the model (as of <paramref name="step"/>) and the loop's state as a checkpoint — the best one when
    /// <paramref name="validationAccuracy"/> is above every earlier one in the metrics —, then the chart.
    /// </summary>
    /// <exception cref="IOException">A file could not be written; the message, one line, names it and the checkpoint kept.</exception>
    public void Save(Sequential model, int step, double validationAccuracy, System.Text.Json.Nodes.JsonObject? trainerState = null)
    {
        var meta = new Dictionary<string, string>(Metadata) { ["trained_steps"] = step.ToString(Inv) };
        foreach (var (key, value) in Summary)
        {
            meta[key] = value;
        }

        var files = new Dictionary<string, byte[]>(ModelFile.Serialize(model, meta));
        if (trainerState is not null)
        {
            files.Add(TrainerStateFileName, Encoding.UTF8.GetBytes(trainerState.ToJsonString() + "\n"));
        }

        // The best so far, from the metrics (which a resumed run restores); saving a step again keeps its standing.
        double sign = Monitored == "accuracy" ? 1 : -1; // rmse: lower is better
        double earlier = _rows.Where(r => r.Step < step && !double.IsNaN(r.ValidationAccuracy)).Select(r => sign * r.ValidationAccuracy).DefaultIfEmpty(double.NegativeInfinity).Max();
        Checkpoints.Write(string.Create(Inv, $"step-{step:D8}"), files, best: sign * validationAccuracy > earlier);
        if (LastSavedStep is null && _overwrite)
        {
            DeleteTopLevelModel();
        }

        LastSavedStep = step;
        try
        {
            SaveChart();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{e.Message.TrimEnd('.')}; the checkpoint of step {step} is kept in {Directory}.", e);
        }
    }

    /// <summary>Releases the run directory's lock.</summary>
    public void Dispose() => _checkpoints?.Dispose();

    /// <summary>Writes the chart, or on failure the one-line reason to <paramref name="error"/>; for a run that is ending anyway.</summary>
    public void TrySaveChart(TextWriter error)
    {
        try
        {
            SaveChart();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"recur train: {e.Message}");
        }
    }

    /// <summary>An overwritten run directory of an earlier Recur had its model at the top; once this run has a checkpoint, that model goes.</summary>
    private void DeleteTopLevelModel()
    {
        foreach (string name in new[] { ModelFile.ConfigFileName, ModelFile.WeightsFileName, ModelFile.OptimizerFileName, TrainerStateFileName })
        {
            File.Delete(Path.Combine(Directory, name));
        }
    }

    /// <summary><c>metrics.csv</c> of the run, written by a <see cref="Recur.Training.CsvLogger"/> with <see cref="MetricsColumns"/>.</summary>
    public string MetricsPath => Path.Combine(Directory, "metrics.csv");

    /// <summary>
    /// The columns of <c>metrics.csv</c>: the step, the step's own minibatch loss and training accuracy (the tutorial's
    /// figures, not Keras's running means), and the validation accuracy where it was measured (empty elsewhere).
    /// </summary>
    public static readonly Recur.Training.CsvColumn[] MetricsColumns = Columns("accuracy");

    /// <summary>The columns of <c>metrics.csv</c> for a run that monitors <paramref name="metric"/> (accuracy, or rmse for regression).</summary>
    public static Recur.Training.CsvColumn[] Columns(string metric) =>
    [
        new("step", (t, _) => t.Step),
        new("loss", (t, _) => t.LastBatch.Loss),
        new("train_" + metric, (t, _) => metric == "accuracy" ? t.LastBatch.Accuracy : TrainRun.Metric(t.LastBatch, metric)),
        new("validation_" + metric, (_, logs) => logs.TryGetValue("val_" + metric, out double v) ? v : double.NaN),
    ];

    /// <summary>The metric the run monitors: accuracy (higher is better, the default) or rmse (lower is better).</summary>
    public string Monitored { get; set; } = "accuracy";

    /// <summary>Writes <c>accuracy.svg</c> from the rows so far.</summary>
    public void SaveChart()
    {
        string data = Metadata.TryGetValue("data", out string? file) ? Path.GetFileName(file) : "MNIST";
        AccuracyChart(_rows, data, Monitored).Save(Path.Combine(Directory, "accuracy.svg"));
    }

    /// <summary>The tutorial's chart: accuracy per step on top, loss below; <paramref name="data"/> names what was learnt.</summary>
    internal static LineChart AccuracyChart(IReadOnlyList<MetricsRow> rows, string data = "MNIST", string metric = "accuracy")
    {
        var train = new ChartSeries($"training {metric} (minibatch)");
        var validation = new ChartSeries($"validation {metric}");
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

        bool accuracy = metric == "accuracy";
        return new LineChart($"LSTM on {data}: {metric} per training step")
        {
            Panels =
            {
                new ChartPanel(accuracy ? "Accuracy" : metric.ToUpperInvariant(), metric, "step") { Series = { train, validation } },
                new ChartPanel("Loss", accuracy ? "softmax cross-entropy" : "mean squared error", "step") { Series = { loss } },
            },
        };
    }
}
