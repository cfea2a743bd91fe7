using System.Globalization;
using Recur.Cli;
using Recur.Models;
using Xunit.Abstractions;

namespace Recur.Tests.Cli;

/// <summary><c>recur train --data</c>, <c>evaluate --data</c> and <c>predict</c> on the small sequence task of tools/make_npy_fixtures.py.</summary>
public sealed class DataCliTests(ITestOutputHelper log) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Npy(string name) => CliRun.Fixture("npy", name);

    private static string Csv(string name) => CliRun.Fixture("csv", name);

    private (int Code, string Out, string Err) Run(params string[] args) => CliRun.Command(log, args);

    /// <summary>Asserts a failure: the exit code, nothing on stdout, and one line on stderr holding each fragment.</summary>
    private static string AssertFails((int Code, string Out, string Err) result, int code, params string[] fragments)
    {
        Assert.Equal(code, result.Code);
        Assert.Equal("", result.Out);
        string line = Assert.Single(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, line);
        }

        return line;
    }

    private static double Number(string text, string prefix)
    {
        string line = text.Split('\n').Single(l => l.StartsWith(prefix, StringComparison.Ordinal));
        return double.Parse(line[prefix.Length..].Split(' ', '(')[0], CultureInfo.InvariantCulture);
    }

    private static readonly string[] Small = ["--batch-size", "16", "--hidden", "16", "--lr", "0.01", "--display-step", "40"];

    [Fact]
    public void TrainOnNpyThenEvaluateAndPredict()
    {
        string run = _dir.File("npy-run");
        var (code, output, error) = Run(["train", "--data", Npy("task_train_x.npy"), "--labels", Npy("task_train_y.npy"), "--steps", "120", .. Small, "--out", run]);
        Assert.True(code == 0, error);
        Assert.Equal("", error);
        Assert.Contains("150 sequences of 12 steps × 2 features, 3 classes; training on the first 135, validating on the last 15 (--validation-split 0.1).", output);
        Assert.Contains("Training LSTM(16) → Dense(3) on task_train_x.npy 12×2: 120 steps of 16, adam", output);
        Assert.Contains("Step 120, Minibatch Loss= ", output);
        Assert.Contains("No test accuracy: no test data was given (--test-data)", output);
        Assert.DoesNotContain("Test accuracy", output);
        Assert.DoesNotContain("Testing Accuracy", output); // the MNIST tutorial's first-128 score
        double validation = Number(output, "Validation accuracy (15 sequences): ");
        Assert.True(validation >= 0.9, $"validation accuracy {validation}"); // 1.0 observed: the task is easy

        Assert.Equal(["accuracy.svg", "checkpoint", "metrics.csv", "run.json"], _dir.FileNames("npy-run"));
        Assert.Equal(["config.json", "model.safetensors", "optimizer.safetensors", "trainer_state.json"], _dir.FileNames("npy-run/checkpoints/step-00000120"));
        Assert.Equal(5, File.ReadAllLines(Path.Combine(run, "metrics.csv")).Length); // header, steps 1, 40, 80, 120
        Assert.Contains("LSTM on task_train_x.npy", File.ReadAllText(Path.Combine(run, "accuracy.svg")));
        var (model, metadata) = ModelFile.Load(run);
        Assert.Equal(3, ((Recur.Layers.Dense)model.Layers[^1]).OutFeatures);
        Assert.Equal(("file", "12", "2", "3"), (metadata["dataset"], metadata["steps"], metadata["features"], metadata["classes"]));
        Assert.Equal(Npy("task_train_x.npy"), metadata["data"]);
        Assert.False(metadata.ContainsKey("test_accuracy"));

        // evaluate needs test sequences for such a model; the .npy and .csv test files are the same data.
        AssertFails(Run("evaluate", "--model", run), 2, "was trained on", "give test sequences with --data FILE", "--help");
        var (npyCode, npyText, _) = Run("evaluate", "--model", run, "--data", Npy("task_test_x.npy"), "--labels", Npy("task_test_y.npy"));
        var (csvCode, csvText, _) = Run("evaluate", "--model", run, "--data", Csv("task_test.csv"));
        Assert.Equal((0, 0), (npyCode, csvCode));
        Assert.Equal(npyText, csvText);
        double test = Number(npyText, "Test accuracy: ");
        Assert.True(test >= 0.9, $"test accuracy {test}"); // 1.0 observed
        Assert.Contains("of 60 sequences)", npyText);
        string[] matrix = npyText.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(6, matrix.Length); // accuracy, title, header, one row per class
        Assert.Equal(60, matrix[3..].Sum(row => row.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Sum(int.Parse)));

        // predict prints one class per sequence, from either file; a training CSV's label column is ignored.
        var (predictCode, predicted, _) = Run("predict", "--model", run, "--input", Csv("task_test.csv"), "--input", Npy("task_test_x.npy"), "--limit", "60");
        Assert.Equal(0, predictCode);
        string[] lines = predicted.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(120, lines.Length);
        Assert.Equal(lines[..60].Select(l => l[(l.IndexOf(':') + 1)..]), lines[60..].Select(l => l[(l.IndexOf(':') + 1)..]));
        Assert.StartsWith(Csv("task_test.csv") + "[0]: ", lines[0]);
        Assert.Contains(" (probability ", lines[0]);
        int[] truth = File.ReadAllLines(Csv("task_test.csv")).Select(l => int.Parse(l.Split(',')[0], CultureInfo.InvariantCulture)).ToArray();
        int right = Enumerable.Range(0, 60).Count(i => lines[i].Contains($"]: {truth[i]} (", StringComparison.Ordinal));
        Assert.Contains($"({right} of 60 sequences)", npyText); // the same predictions as evaluate's
        string[] train = Run("predict", "--model", run, "--input", Csv("task_train.csv"), "--limit", "60").Out.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(61, train.Length);
        Assert.Equal($"… 90 more sequences in {Csv("task_train.csv")} (raise --limit to see them).", train[^1]);

        AssertFails(Run("predict", "--model", run, "--input", _dir.File("digit.pgm")), 1, "reads sequences of 12 steps × 2 features", ".npy");
        AssertFails(Run("predict", "--model", run, "--input", Npy("x_f4_v1.npy")), 1, "holds sequences of 3 steps × 2 features, but the model reads 12 × 2");
        AssertFails(Run("evaluate", "--model", run, "--data", Npy("task_test_x.npy"), "--labels", Npy("bad_y_negative.npy")), 1, "holds 4 labels but", "holds 60 sequences");
    }

    [Fact]
    public void TrainOnCsvWithTestDataForEpochs()
    {
        string run = _dir.File("csv-run");
        var (code, output, error) = Run(["train", "--data", Csv("task_train.csv"), "--features", "2", "--test-data", Csv("task_test.csv"), "--epochs", "15", .. Small, "--out", run]);
        Assert.True(code == 0, error);
        Assert.Contains($"Test data: {Csv("task_test.csv")}: 60 sequences.", output);
        Assert.Contains("on task_train.csv 12×2: 127 steps of 16", output); // ⌈15 · 135 / 16⌉: epochs over the training sequences
        double test = Number(output, "Test accuracy (all 60 sequences): ");
        Assert.True(test >= 0.9, $"test accuracy {test}"); // 1.0 observed
        Assert.DoesNotContain("No test accuracy", output);
        var (_, metadata) = ModelFile.Load(run);
        Assert.Equal(test, double.Parse(metadata["test_accuracy"], CultureInfo.InvariantCulture), 4);
        Assert.Equal("127", metadata["trained_steps"]);
    }

    [Theory]
    [InlineData("--data", "x.npy", "holds only the features; give their labels with --labels FILE.npy")]
    [InlineData("--data", "x.npy", "--labels", "y.npy", "--sequence", "pixels", "--sequence is for MNIST and cannot be combined with --data")]
    [InlineData("--data", "x.csv", "--dataset", "mnist", "--dataset is for MNIST")]
    [InlineData("--data", "x.csv", "--data-dir", "somewhere", "--data-dir is for MNIST")]
    [InlineData("--labels", "y.npy", "--labels is for your own data; give the sequences with --data FILE")]
    [InlineData("--validation-split", "0.2", "--validation-split is for your own data")]
    [InlineData("--test-data", "t.csv", "--test-data is for your own data")]
    [InlineData("--data", "x.txt", "--data must be a .npy file (with --labels) or a .csv file (labels in column 1); got 'x.txt'")]
    [InlineData("--data", "x.csv", "--labels", "y.npy", "holds its labels in its first column; --labels is for .npy features")]
    [InlineData("--data", "x.npy", "--labels", "y.csv", "--labels must be a .npy file of integer labels")]
    [InlineData("--data", "x.npy", "--labels", "y.npy", "--features", "2", "--features is for CSV files")]
    [InlineData("--data", "x.csv", "--features", "0", "--features 0: out of range; give a whole number from 1 to 65,536.")]
    [InlineData("--data", "x.csv", "--validation-split", "0", "--validation-split 0: out of range; give a number above 0 and below 1.")]
    [InlineData("--data", "x.csv", "--validation-split", "1", "--validation-split 1: out of range")]
    [InlineData("--data", "x.csv", "--test-labels", "t.npy", "--test-labels needs --test-data")]
    [InlineData("--data", "x.csv", "--test-data", "t.npy", "--test-data t.npy holds only the features; give their labels with --test-labels")]
    [InlineData("--data", "x.csv", "--classes", "1", "--classes 1: out of range; give a whole number from 2 to 65,536.")]
    [InlineData("--data", "x.csv", "--csv-header", "maybe", "maybe")]
    public void BadDataOptionsAreUsageErrors(params string[] argsThenMessage)
    {
        string[] args = ["train", .. argsThenMessage[..^1], "--out", _dir.File("never")];
        AssertFails(Run(args), 2, argsThenMessage[^1], "Run 'recur train --help' for the options.");
        Assert.False(Directory.Exists(_dir.File("never")));
    }

    [Fact]
    public void OptionsThatDoNotFitTheDataAreUsageErrors()
    {
        string[] data = ["train", "--data", Npy("x_f4_v1.npy"), "--labels", Npy("y_i8.npy"), "--out", _dir.File("never")];
        AssertFails(Run([.. data, "--validation-split", "0.1"]), 2, "--validation-split 0.1 of the 4 sequences", "holds out none", "at least 0.25");
        AssertFails(Run([.. data, "--validation-split", "0.25", "--batch-size", "4"]), 2, "--batch-size 4 is more than the 3 training sequences", "--batch-size 3 or less");
        Assert.False(Directory.Exists(_dir.File("never")));
        AssertFails(Run("evaluate", "--model", "m", "--labels", "y.npy"), 2, "--labels needs --data");
        AssertFails(Run("evaluate", "--model", "m", "--data", "x.npy"), 2, "--labels FILE.npy");
        AssertFails(Run("evaluate", "--model", "m", "--data", "x.csv", "--data-dir", "d"), 2, "--data-dir is for MNIST");
    }

    [Fact]
    public void BadDataFilesFailWithTheFileAndLoseNothing()
    {
        // A run directory from before must come out of failed runs unchanged.
        string run = _dir.File("earlier-run");
        Directory.CreateDirectory(run);
        File.WriteAllText(Path.Combine(run, "config.json"), "the earlier model");

        string labelOnly = _dir.File("label-only.csv");
        File.WriteAllText(labelOnly, "label,a,b\n0,1,2\n1\n");
        string words = _dir.File("words.csv");
        File.WriteAllText(words, "0,1,2\n1,3,four\n");
        var cases = new (string[] Args, string[] Fragments)[]
        {
            (["--data", Npy("bad_x_f8.npy"), "--labels", Npy("y_i8.npy")], ["bad_x_f8.npy' holds float64", "bad_x_f8.astype(np.float32)"]),
            (["--data", Npy("bad_x_fortran.npy"), "--labels", Npy("y_i8.npy")], ["Fortran"]),
            (["--data", Npy("x_f4_v1.npy"), "--labels", Npy("bad_y_short.npy")], ["3 labels", "4 sequences"]),
            (["--data", Npy("task_train_x.npy"), "--labels", Npy("task_train_y.npy"), "--classes", "2"], ["label 2 at index 0, but there are 2 classes"]),
            (["--data", _dir.File("missing.npy"), "--labels", Npy("y_i8.npy")], ["missing.npy' does not exist"]),
            (["--data", labelOnly], ["label-only.csv' line 3 holds only a label"]),
            (["--data", words], ["words.csv' line 2, column 3: 'four' is not a number"]),
            (["--data", Csv("task_train.csv"), "--features", "5"], ["24 values after the label, which is not a multiple of 5 features per step"]),
            (["--data", Csv("task_train.csv"), "--features", "2", "--test-data", Npy("x_f4_v1.npy"), "--test-labels", Npy("y_i8.npy")],
                ["x_f4_v1.npy' holds sequences of 3 steps × 2 features", "holds 12 × 2"]),
            (["--data", Csv("task_train.csv"), "--features", "2", "--csv-header", "no"], ["task_train.csv' line 1, column 1: 'label' is not a number"]),
        };
        foreach (var (args, fragments) in cases)
        {
            AssertFails(Run(["train", .. args, "--out", run, "--steps", "1"]), 1, ["recur train: ", .. fragments]);
        }

        Assert.Equal(["config.json"], _dir.FileNames("earlier-run"));
        Assert.Equal("the earlier model", File.ReadAllText(Path.Combine(run, "config.json")));
    }

    [Fact]
    public void DataSortedByLabelIsWarnedAbout()
    {
        string sorted = _dir.File("sorted.csv");
        File.WriteAllLines(sorted, Enumerable.Range(0, 20).Select(i => $"{i / 10},{i % 3},{i % 5}"));
        var (code, _, error) = Run("train", "--data", sorted, "--steps", "2", "--batch-size", "4", "--hidden", "4", "--out", _dir.File("run"));
        Assert.Equal(0, code);
        Assert.Contains("warning: the validation split (the last 2 sequences of", error);
        Assert.Contains("holds only class 1; the rows look sorted by label", error);
    }

    [Fact]
    public void HelpListsTheDataOptions()
    {
        string help = Run("train", "--help").Out;
        foreach (string option in new[] { "--data", "--labels", "--test-data", "--test-labels", "--features", "--validation-split", "--classes", "--csv-header" })
        {
            Assert.Contains(option, help);
        }

        Assert.Contains("--labels", Run("evaluate", "--help").Out);
        Assert.Contains(".npy", Run("predict", "--help").Out);
    }
}
