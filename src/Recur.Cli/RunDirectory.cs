using System.Globalization;
using System.Text;
using Recur.IO;
using Recur.Models;
using Recur.Plotting;

namespace Recur.Cli;

/// <summary>One row of <c>metrics.csv</c>; <see cref="ValidationAccuracy"/> is NaN where it was not measured.</summary>
internal readonly record struct MetricsRow(int Step, double Loss, double TrainAccuracy, double ValidationAccuracy);

/// <summary>
/// A run's directory (<see cref="CheckpointDirectory"/>): locked while the run writes it; at every checkpoint the model
/// (<c>config.json</c>, <c>model.safetensors</c>, <c>optimizer.safetensors</c>) goes into a new folder
/// <c>checkpoints/step-NNNNNNNN/</c>, written as one unit, and the <c>checkpoint</c> pointer names it as the last (and,
/// when its validation accuracy is the best so far, as the best); then <c>metrics.csv</c> and <c>accuracy.svg</c> are
/// rewritten beside it, each atomically. An interrupted, diverged or failed run keeps its last good checkpoint.
/// </summary>
internal sealed class RunDirectory : IDisposable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly List<MetricsRow> _rows = [];
    private readonly CheckpointDirectory _checkpoints;
    private readonly bool _overwrite;
    private double _bestValidation = double.NegativeInfinity;
    private int? _bestStep;

    private RunDirectory(string directory, Dictionary<string, string> metadata, CheckpointDirectory checkpoints, bool overwrite)
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
            CheckpointMode mode = settings.Overwrite ? CheckpointMode.Overwrite : CheckpointMode.New;
            var checkpoints = (settings.OpenCheckpoints ?? CheckpointDirectory.Open)(directory, mode);
            return new RunDirectory(directory, metadata, checkpoints, settings.Overwrite);
        }
        catch (ExistingRunException)
        {
            error.WriteLine($"recur train: --out {directory} holds an earlier run; pass --overwrite to replace it (its checkpoints are deleted once this run writes its first), or choose another --out.");
            exitCode = ExitCodes.Usage;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"recur train: {e.Message}");
        }

        return null;
    }

    /// <summary>
    /// Checks, before training, that there is room for two checkpoints of <paramref name="model"/> (the last one is kept
    /// while the next is written), or writes the one-line reason to <paramref name="error"/> and returns false.
    /// </summary>
    public bool TryCheckRoom(Sequential model, TextWriter error)
    {
        try
        {
            _checkpoints.CheckWritable(2 * ModelFile.Serialize(model, Metadata).Values.Sum(b => (long)b.Length));
            return true;
        }
        catch (IOException e)
        {
            error.WriteLine($"recur train: {e.Message}");
            return false;
        }
    }

    public void Record(MetricsRow row) => _rows.Add(row);

    /// <summary>
    /// Saves the model (as of <paramref name="step"/>) as a checkpoint — the best one when <paramref name="validationAccuracy"/>
    /// is the highest so far —, then the metrics and the chart. <paramref name="extraFiles"/> go into the checkpoint too.
    /// </summary>
    /// <exception cref="IOException">A file could not be written; the message, one line, names it and the checkpoint kept.</exception>
    public void Save(Sequential model, int step, double validationAccuracy, IReadOnlyDictionary<string, byte[]>? extraFiles = null)
    {
        var meta = new Dictionary<string, string>(Metadata) { ["trained_steps"] = step.ToString(Inv) };
        foreach (var (key, value) in Summary)
        {
            meta[key] = value;
        }

        var files = new Dictionary<string, byte[]>(ModelFile.Serialize(model, meta));
        foreach (var (name, bytes) in extraFiles ?? new Dictionary<string, byte[]>())
        {
            files.Add(name, bytes);
        }

        // Saving the same step again (the final save adds the test results) keeps its standing as the best.
        bool best = validationAccuracy > _bestValidation || step == _bestStep;
        _checkpoints.Write(string.Create(Inv, $"step-{step:D8}"), files, best);
        if (best)
        {
            (_bestValidation, _bestStep) = (Math.Max(validationAccuracy, _bestValidation), step);
        }

        if (LastSavedStep is null && _overwrite)
        {
            DeleteTopLevelModel();
        }

        LastSavedStep = step;
        try
        {
            SaveMetrics();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"{e.Message.TrimEnd('.')}; the checkpoint of step {step} is kept in {Directory}.", e);
        }
    }

    /// <summary>Releases the run directory's lock.</summary>
    public void Dispose() => _checkpoints.Dispose();

    /// <summary>Writes the metrics and chart, or on failure the one-line reason to <paramref name="error"/>; for a run that is ending anyway.</summary>
    public void TrySaveMetrics(TextWriter error)
    {
        try
        {
            SaveMetrics();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"recur train: {e.Message}");
        }
    }

    /// <summary>An overwritten run directory of an earlier Recur had its model at the top; once this run has a checkpoint, that model goes.</summary>
    private void DeleteTopLevelModel()
    {
        foreach (string name in new[] { ModelFile.ConfigFileName, ModelFile.WeightsFileName, ModelFile.OptimizerFileName })
        {
            File.Delete(Path.Combine(Directory, name));
        }
    }

    /// <summary>Writes <c>metrics.csv</c> and <c>accuracy.svg</c>.</summary>
    public void SaveMetrics()
    {
        var csv = new StringBuilder("step,loss,train_accuracy,validation_accuracy\n");
        foreach (MetricsRow r in _rows)
        {
            csv.Append(Inv, $"{r.Step},{r.Loss:R},{r.TrainAccuracy:R},{(double.IsNaN(r.ValidationAccuracy) ? "" : r.ValidationAccuracy.ToString("R", Inv))}\n");
        }

        AtomicFile.WriteAllText(Path.Combine(Directory, "metrics.csv"), csv.ToString());
        string data = Metadata.TryGetValue("data", out string? file) ? Path.GetFileName(file) : "MNIST";
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
