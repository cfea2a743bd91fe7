using System.Globalization;
using System.Text;
using Recur.Data;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Cli;

/// <summary>
/// <c>recur train --task</c>, ragged CSV, <c>--text</c>, <c>--series</c> and <c>--mask-value</c>, with <c>evaluate</c> and
/// <c>predict</c> on what they saved: each on a small task it must learn, and the errors of each, one line each.
/// </summary>
public sealed class TaskCliTests(ITestOutputHelper log) : IDisposable
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private static readonly string[] Small = ["--batch-size", "16", "--hidden", "16", "--lr", "0.01", "--display-step", "50"];
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private (int Code, string Out, string Err) Run(params string[] args) => CliRun.Command(log, args);

    /// <summary>The number after <paramref name="prefix"/> on the output line that holds it.</summary>
    private static double Number(string text, string prefix)
    {
        string line = text.Split('\n').First(l => l.Contains(prefix, StringComparison.Ordinal));
        string rest = line[(line.IndexOf(prefix, StringComparison.Ordinal) + prefix.Length)..];
        return double.Parse(rest.Split(' ', ',', '(', ';')[0], Inv);
    }

    /// <summary>Asserts a failure: the exit code, nothing on stdout, one line on stderr holding each fragment.</summary>
    private static void AssertFails((int Code, string Out, string Err) result, int code, params string[] fragments)
    {
        Assert.Equal(code, result.Code);
        Assert.Equal("", result.Out);
        string line = Assert.Single(result.Err.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.DoesNotContain("   at ", line);
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, line);
        }
    }

    /// <summary>Rows <c>label,v1,…,vT</c> of 2 … 10 values whose label says whether the last value is positive: only a masked model reads it right.</summary>
    private string RaggedCsv(string name, int rows, int seed)
    {
        var rng = new Random(seed);
        var text = new StringBuilder();
        for (int i = 0; i < rows; i++)
        {
            double[] v = Enumerable.Range(0, rng.Next(2, 11)).Select(_ => Math.Round(rng.NextDouble() * 2 - 1, 3)).ToArray();
            text.Append(v[^1] > 0 ? '1' : '0').Append(',').AppendJoin(',', v.Select(x => x.ToString(Inv))).Append('\n');
        }

        string path = _dir.File(name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    [Fact]
    public void RaggedCsvIsMaskedInTrainEvaluateAndPredict()
    {
        string train = RaggedCsv("ragged.csv", 200, 1), test = RaggedCsv("ragged-test.csv", 60, 2), run = _dir.File("ragged-run");
        var (code, output, error) = Run(["train", "--data", train, "--test-data", test, "--steps", "150", .. Small, "--out", run]);
        Assert.True(code == 0, error);
        Assert.StartsWith("Task: classify, inferred from the whole-number labels of ", output);
        Assert.Contains("lengths 2…10, padded at the end and masked", output);
        Assert.True(Number(output, "Test accuracy (all 60 sequences): ") >= 0.9, output); // 1.0 observed; unmasked, the padding hides the last value

        (code, output, error) = Run("evaluate", "--model", run, "--data", test, "--threads", "2");
        Assert.True(code == 0, error);
        Assert.True(Number(output, "Test accuracy: ") >= 0.9, output);

        (code, output, error) = Run("predict", "--model", run, "--input", test, "--limit", "3");
        Assert.True(code == 0, error);
        string[] lines = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(4, lines.Length);
        Assert.Matches(@"\[0\]: [01] \(probability 0\.\d{4}\)", lines[0]);
    }

    [Fact]
    public void FloatLabelsRegressAndEvaluateAndPredictPrintValues()
    {
        var rng = new Random(3);
        var text = new StringBuilder();
        for (int i = 0; i < 200; i++)
        {
            double[] v = Enumerable.Range(0, 6).Select(_ => Math.Round(rng.NextDouble() * 2 - 1, 3)).ToArray();
            text.Append((v.Sum() / 2).ToString("0.0000", Inv)).Append(',').AppendJoin(',', v.Select(x => x.ToString(Inv))).Append('\n');
        }

        string data = _dir.File("sum.csv"), run = _dir.File("sum-run");
        File.WriteAllText(data, text.ToString());
        var (code, output, error) = Run(["train", "--data", data, "--steps", "150", .. Small, "--out", run]);
        Assert.True(code == 0, error);
        Assert.StartsWith("Task: regress, inferred from the float labels of ", output);
        Assert.Contains("→ Dense(1) on sum.csv", output);
        Assert.Contains("Training RMSE= ", output);
        double validation = Number(output, "Validation RMSE (20 sequences): ");
        Assert.True(validation < 0.2, output); // the targets' deviation is 0.7; 0.03 observed

        (code, output, error) = Run("evaluate", "--model", run, "--data", data);
        Assert.True(code == 0, error);
        double rmse = Number(output, "Test RMSE: ");
        Assert.True(double.IsFinite(rmse) && rmse < 0.2, output);
        Assert.Contains("MAE: ", output);

        (code, output, error) = Run("predict", "--model", run, "--input", data, "--limit", "1");
        Assert.True(code == 0, error);
        double first = Number(output, "[0]: ");
        double truth = double.Parse(text.ToString().Split(',')[0], Inv);
        Assert.True(Math.Abs(first - truth) < 0.3, $"predicted {first} for {truth}");
    }

    [Fact]
    public void PerStepLabelsFromNpyTrainMasked()
    {
        const int N = 120, T = 10;
        var rng = new Random(4);
        var x = new Tensor(N, T, 2);
        var y = new Tensor(N, T);
        for (int i = 0; i < N; i++)
        {
            int length = rng.Next(3, T + 1);
            for (int t = 0; t < T; t++)
            {
                float a = t < length ? (float)(rng.NextDouble() * 2 - 1) : 0;
                x.Data[(i * T + t) * 2] = a;
                y.Data[i * T + t] = t < length ? (a > 0 ? 1 : 0) : -1;
            }
        }

        string xs = _dir.File("steps_x.npy"), ys = _dir.File("steps_y.npy"), run = _dir.File("steps-run");
        Npy.Write(xs, x);
        Npy.Write(ys, y);
        var (code, output, error) = Run(["train", "--data", xs, "--labels", ys, "--steps", "100", .. Small, "--out", run]);
        Assert.True(code == 0, error);
        Assert.StartsWith("Task: label, inferred from the labels of ", output);
        Assert.True(Number(output, "Validation accuracy (12 sequences, per step): ") >= 0.9, output);

        (code, output, error) = Run("evaluate", "--model", run, "--data", xs, "--labels", ys);
        Assert.True(code == 0, error);
        Assert.True(Number(output, "Test accuracy per step: ") >= 0.9, output);

        // A label after the −1 that ends a sequence.
        y.Data[5] = -1;
        Npy.Write(ys, y);
        AssertFails(Run(["train", "--data", xs, "--labels", ys, "--steps", "1", "--out", _dir.File("bad")]), 1, "steps_y.npy' sequence 0: step 6 has label", "after −1 at step 5");
    }

    /// <summary>label&lt;TAB&gt;word lines of three of the repository's word lists, shuffled.</summary>
    private string Words(string name)
    {
        var rows = new List<string>();
        foreach (string language in new[] { "french", "ngerman", "italian" })
        {
            rows.AddRange(File.ReadLines(CliRun.Fixture("words", language)).Where(w => w.Length > 0).Select(w => $"{language}\t{w}"));
        }

        var rng = new Random(5);
        string path = _dir.File(name);
        File.WriteAllLines(path, rows.OrderBy(_ => rng.Next()));
        return path;
    }

    [Fact]
    public void TextTrainsAndPredictsRawStringsThroughTheSavedVocabulary()
    {
        string words = Words("words.txt"), run = _dir.File("text-run");
        var (code, output, error) = Run(["train", "--text", words, "--steps", "300", "--batch-size", "32", "--hidden", "32", "--lr", "0.01", "--display-step", "100", "--embedding-dim", "16", "--out", run]);
        Assert.True(code == 0, error);
        Assert.StartsWith("Task: classify, one class per text", output);
        Assert.Contains("900 texts of 1…", output);
        Assert.Contains("3 classes (french, italian, ngerman)", output);
        Assert.Contains("Training Embedding(", output);
        Assert.True(Number(output, "Validation accuracy (90 texts): ") >= 0.7, output); // 0.93 observed; a third by chance

        (code, output, error) = Run("evaluate", "--model", run, "--text", words);
        Assert.True(code == 0, error);
        Assert.True(Number(output, "Test accuracy: ") >= 0.8, output);
        Assert.Contains("Classes: 0 french, 1 italian, 2 ngerman", output);

        // Raw strings: the first 40 training words, given one by one and as a file, read through the saved vocabulary.
        string[] lines = File.ReadLines(words).Take(40).ToArray();
        string[] args = ["predict", "--model", run, .. lines.SelectMany(l => new[] { "--text", l.Split('\t')[1] })];
        (code, output, error) = Run(args);
        Assert.True(code == 0, error);
        string[] predicted = output.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(40, predicted.Length);
        int right = lines.Zip(predicted).Count(p => p.Second.StartsWith($"\"{p.First.Split('\t')[1]}\": {p.First.Split('\t')[0]} (probability ", StringComparison.Ordinal));
        Assert.True(right >= 30, $"{right} of 40 training words predicted as their language");

        string file = _dir.File("some.txt");
        File.WriteAllLines(file, lines);
        (code, string fromFile, error) = Run("predict", "--model", run, "--text-file", file, "--checkpoint", "best");
        Assert.True(code == 0, error);
        Assert.Equal(40, fromFile.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
    }

    /// <summary>A noisy sine (period 20 rows) of 400 rows: an LSTM on 8 rows beats "tomorrow = today" by far.</summary>
    private string Sine(string name)
    {
        var rng = new Random(6);
        var text = new StringBuilder("day,level\n");
        for (int i = 0; i < 400; i++)
        {
            text.Append(i.ToString(Inv)).Append(',').Append((20 + 10 * Math.Sin(2 * Math.PI * i / 20) + (rng.NextDouble() - 0.5)).ToString("0.000", Inv)).Append('\n');
        }

        string path = _dir.File(name);
        File.WriteAllText(path, text.ToString());
        return path;
    }

    [Fact]
    public void SeriesForecastBeatsPersistenceAndEvaluateAndPredictUseTheSavedScaler()
    {
        string series = Sine("sine.csv"), run = _dir.File("series-run");
        var (code, output, error) = Run(["train", "--series", series, "--target", "level", "--inputs", "level", "--window", "8", "--steps", "200", .. Small, "--out", run]);
        Assert.True(code == 0, error);
        Assert.StartsWith("Task: regress, a forecast of level 1 row after each window of 8 rows of level.", output);
        double rmse = Number(output, "in level's units): ");
        double persistence = Number(output, "persistence ");
        Assert.True(double.IsFinite(rmse) && rmse < persistence, output); // 0.6 against 3.1 observed

        (code, output, error) = Run("evaluate", "--model", run);
        Assert.True(code == 0, error);
        Assert.Equal(rmse, Number(output, "Test RMSE: "), 3);
        Assert.True(Number(output, "Persistence baseline (the last value of each window): RMSE ") > rmse, output);

        (code, output, error) = Run("predict", "--model", run, "--series", series);
        Assert.True(code == 0, error);
        double forecast = Number(output, "from its last 8 rows: ");
        double expected = 20 + 10 * Math.Sin(2 * Math.PI * 400 / 20);
        Assert.True(Math.Abs(forecast - expected) < 3, $"forecast {forecast}, the sine gives {expected}");
    }

    [Fact]
    public void SeattleWeatherWithSeasonTrains()
    {
        string weather = CliRun.Fixture("vega", "seattle-weather.csv");
        var (code, output, error) = Run(["train", "--series", weather, "--target", "temp_max", "--window", "7", "--season-column", "date", "--steps", "40", .. Small, "--out", _dir.File("weather")]);
        Assert.True(code == 0, error);
        Assert.Contains("of precipitation, temp_max, temp_min, wind, season_sin, season_cos.", output);
        double rmse = Number(output, "in temp_max's units): ");
        Assert.True(double.IsFinite(rmse) && rmse > 0, output);
    }

    [Fact]
    public void MaskValueThatNeverOccursWarnsInOneLine()
    {
        string data = RaggedCsv("mask.csv", 100, 7);
        var (code, output, error) = Run(["train", "--data", data, "--mask-value", "7", "--steps", "2", .. Small, "--out", _dir.File("mask")]);
        Assert.True(code == 0, error);
        Assert.Contains("Training Masking(7) → LSTM(16)", output);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("recur train: warning: --mask-value 7 never occurs in the training data", line);

        (code, _, error) = Run(["train", "--data", data, "--mask-value", "0", "--steps", "2", .. Small, "--out", _dir.File("mask0")]);
        Assert.True(code == 0, error);
        Assert.Equal("", error); // the ragged rows' padding is 0
    }

    [Fact]
    public void BadUsageAndBadDataAreOneLine()
    {
        string words = Words("w.txt"), weather = CliRun.Fixture("vega", "seattle-weather.csv");
        AssertFails(Run("train", "--text", words, "--data", "x.csv"), 2, "--data and --text cannot be combined");
        AssertFails(Run("train", "--series", weather, "--window", "3"), 2, "--series needs --target COLUMN");
        AssertFails(Run("train", "--text", words, "--window", "3"), 2, "--window is for --series and cannot be combined with --text");
        AssertFails(Run("train", "--series", weather, "--target", "t", "--window", "3", "--dataset", "mnist"), 2, "--dataset is for MNIST and cannot be combined with --series");
        AssertFails(Run("train", "--tokens", "words"), 2, "--tokens is for your own data");
        AssertFails(Run("train", "--text", words, "--task", "regress"), 2, "--task regress does not fit --text");
        AssertFails(Run("train", "--text", words, "--mask-value", "0"), 2, "--mask-value is for float data");
        AssertFails(Run("train", "--series", weather, "--target", "temp_max", "--window", "400", "--out", _dir.File("a")), 1, "seattle-weather.csv' holds a series of 300 rows, too short for a window of 400 rows");
        AssertFails(Run("train", "--series", weather, "--target", "tmax", "--window", "3", "--out", _dir.File("b")), 1, "has no column 'tmax'; its columns are date, precipitation, temp_max");
        AssertFails(Run("evaluate", "--model", "m", "--text", words, "--series", weather), 2, "--text and --series cannot be combined");
        AssertFails(Run("evaluate", "--model", "m", "--threads", "0"), 2, "--threads 0: out of range; give a whole number from 1 to 256.");
        AssertFails(Run("predict", "--model", "m"), 2, "give what to predict");

        string noTab = _dir.File("notab.txt");
        File.WriteAllText(noTab, "french\tbonjour\nitalian ciao\n");
        AssertFails(Run("train", "--text", noTab, "--out", _dir.File("c")), 1, "notab.txt' line 2 has no tab");
    }

    [Fact]
    public void ModelsRefuseTheOtherKindsOfInput()
    {
        string data = RaggedCsv("kind.csv", 40, 8), run = _dir.File("kind");
        Assert.Equal(0, Run(["train", "--data", data, "--steps", "2", .. Small, "--out", run]).Code);
        AssertFails(Run("predict", "--model", run, "--text", "bonjour"), 2, "was not trained on texts");
        AssertFails(Run("evaluate", "--model", run, "--series", data), 2, "was not trained on a series");
    }
}
