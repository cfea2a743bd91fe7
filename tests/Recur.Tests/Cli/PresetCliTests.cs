using Recur.Cli;
using Recur.Training;
using Xunit.Abstractions;

namespace Recur.Tests.Cli;

/// <summary><c>recur train --preset</c>: what a preset expands to, and that options given explicitly win over it.</summary>
public sealed class PresetCliTests(ITestOutputHelper log) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private (int Code, string Out, string Err) Run(params string[] args) => CliRun.Command(log, args);

    private static string Csv(string name) => CliRun.Fixture("csv", name);

    [Fact]
    public void FastExpandsToTheDocumentedSettings()
    {
        // README's options table and Speed section document these values.
        TrainSettings fast = TrainPreset.Fast.Apply(new TrainSettings(), []);
        Assert.Equal(PresetBatch, fast.BatchSize);
        Assert.Equal(PresetLr, fast.LearningRate);
        Assert.Equal(PresetSchedule, fast.Schedule);
        Assert.Equal(PresetSteps, fast.Steps);
        Assert.Equal(PresetSteps, fast.TotalSteps);
        Assert.Equal(500, fast.DisplayStep);
        Assert.False(fast.IsValidationStep(PresetSteps - 1)); // one validation, at the last step
        Assert.True(fast.IsValidationStep(PresetSteps));
        Assert.Equal(1, Enumerable.Range(1, PresetSteps).Count(fast.IsValidationStep));
        Assert.Equal(PresetBatch * PresetSteps, fast.BatchSize * fast.TotalSteps); // training samples

        // The tutorial's model and everything else stay as they are.
        var tutorial = new TrainSettings();
        Assert.Equal(tutorial with { BatchSize = fast.BatchSize, LearningRate = fast.LearningRate, Schedule = fast.Schedule, Steps = fast.Steps, DisplayStep = fast.DisplayStep, ValidationStep = fast.ValidationStep }, fast);
        Assert.Equal(("lstm", 1, 128, 1f, "adam"), (fast.Model, fast.Layers, fast.Hidden, fast.ForgetBias, fast.Optimizer));
        Assert.Equal(new OneCycle(PresetLr, PresetSteps), fast.LearningRates(fast.TotalSteps));
        Assert.Equal(new CosineDecay(0.002, 10_000), (tutorial with { LearningRate = 0.002 }).LearningRates(tutorial.TotalSteps)); // the default run's, as before
    }

    [Fact]
    public void ExplicitOptionsWinOverThePreset()
    {
        var given = new TrainSettings { BatchSize = 64, LearningRate = 0.01, Schedule = "constant", Steps = 7, DisplayStep = 3, ValidationStep = 2 };
        Assert.Equal(["--batch-size", "--lr", "--lr-schedule", "--steps", "--display-step", "--validation-step"], TrainPreset.Options);
        Assert.Equal(given, TrainPreset.Fast.Apply(given, TrainPreset.Options));
        TrainSettings some = TrainPreset.Fast.Apply(given, ["--lr"]);
        Assert.Equal((PresetBatch, 0.01, PresetSchedule, PresetSteps), (some.BatchSize, some.LearningRate, some.Schedule, some.Steps));

        // --epochs replaces the preset's step count (so --steps and --epochs never meet).
        TrainSettings epochs = TrainPreset.Fast.Apply(new TrainSettings { Epochs = 2 }, ["--epochs"]);
        Assert.Null(epochs.Steps);
        Assert.Null(epochs.Validate());
        Assert.Equal((int)Math.Ceiling(2.0 * TrainSettings.TrainImages / PresetBatch), epochs.TotalSteps);
    }

    [Fact]
    public void TheCommandLineAppliesThePresetUnderExplicitOptionsAndRecordsIt()
    {
        string run = _dir.File("run");
        var (code, output, error) = Run("train", "--data", Csv("task_train.csv"), "--features", "2", "--preset", "fast", "--steps", "3", "--hidden", "8", "--out", run);
        Assert.True(code == 0, error);
        Assert.Contains($"3 steps of {PresetBatch}, adam lr {PresetLr.ToString(System.Globalization.CultureInfo.InvariantCulture)} with a one-cycle schedule, seed 1.", output);
        string[] csv = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
        Assert.Equal(3, csv.Length); // the header, steps 1 and 3 (display step 500; the last step is always one)
        Assert.EndsWith(",", csv[1]); // no validation at step 1
        Assert.False(csv[2].EndsWith(','));
        Assert.Contains("\"--preset\"", File.ReadAllText(Path.Combine(run, "run.json"))); // --resume applies it again

        string other = _dir.File("other");
        (code, output, error) = Run("train", "--data", Csv("task_train.csv"), "--features", "2", "--preset", "fast", "--steps", "2", "--batch-size", "16",
            "--lr", "0.01", "--lr-schedule", "constant", "--hidden", "8", "--out", other);
        Assert.True(code == 0, error);
        Assert.Contains("2 steps of 16, adam lr 0.01, seed 1.", output);
    }

    [Fact]
    public void AnUnknownPresetIsRefusedInOneLineAndHelpNamesTheKnownOnes()
    {
        var (code, output, error) = Run("train", "--preset", "slow");
        Assert.Equal(2, code);
        Assert.Equal("", output);
        Assert.Contains("slow", error);
        Assert.Contains("fast", error);
        string help = Run("train", "--help").Out;
        Assert.Contains("--preset", help);
        Assert.Contains(TrainPreset.Fast.Describe(), System.Text.RegularExpressions.Regex.Replace(help, @"\s+", " "), StringComparison.Ordinal);
    }

    private const int PresetBatch = 128;
    private const double PresetLr = 0.016;
    private const string PresetSchedule = "one-cycle";
    private const int PresetSteps = 3000;
}
