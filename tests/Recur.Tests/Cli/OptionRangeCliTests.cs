using Recur.Cli;
using Xunit.Abstractions;

namespace Recur.Tests.Cli;

/// <summary>
/// Every numeric option is checked against its range in <see cref="OptionLimits"/> when the command line is parsed:
/// one line naming the option, the value and the range, exit code 2, and nothing read or written first.
/// </summary>
public sealed class OptionRangeCliTests(ITestOutputHelper log) : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>Runs <paramref name="args"/> with an empty --data-dir (train) and asserts the one-line usage error, exactly.</summary>
    private void AssertRefused(string[] args, string expected)
    {
        string command = args[0];
        string[] where = command == "train" ? ["--data-dir", _dir.File("empty"), "--out", _dir.File("run")] : [];
        Directory.CreateDirectory(_dir.File("empty"));
        var (code, output, error) = CliRun.Command(log, [.. args, .. where]);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"recur {command}: {expected} Run 'recur {command} --help' for the options.", line);
        Assert.False(Directory.Exists(_dir.File("run")), "the run directory was created before the options were checked");
        Assert.Empty(Directory.GetFileSystemEntries(_dir.File("empty")));
    }

    [Theory]
    [InlineData("--hidden", "1000000000", "out of range; give a whole number from 1 to 8,192.")]
    [InlineData("--hidden", "-128", "out of range; give a whole number from 1 to 8,192.")]
    [InlineData("--hidden", "0", "out of range; give a whole number from 1 to 8,192.")]
    [InlineData("--hidden", "12.5", "out of range; give a whole number from 1 to 8,192.")]
    [InlineData("--hidden", "99999999999999999999", "out of range; give a whole number from 1 to 8,192.")]
    [InlineData("--hidden", "abc", "not a number; give a whole number from 1 to 8,192.")]
    [InlineData("--gradient-shards", "0", "out of range; give a whole number from 1 to 1,024.")]
    [InlineData("--gradient-shards", "5000", "out of range; give a whole number from 1 to 1,024.")]
    [InlineData("--batch-size", "100000000", "out of range; give a whole number from 1 to 65,536.")]
    [InlineData("--batch-size", "-1", "out of range; give a whole number from 1 to 65,536.")]
    [InlineData("--layers", "100000", "out of range; give a whole number from 1 to 64.")]
    [InlineData("--threads", "100000", "out of range; give a whole number from 1 to 256.")]
    [InlineData("--threads", "0", "out of range; give a whole number from 1 to 256.")]
    [InlineData("--epochs", "1e12", "out of range; give a number above 0 and at most 10,000.")]
    [InlineData("--epochs", "0", "out of range; give a number above 0 and at most 10,000.")]
    [InlineData("--steps", "0", "out of range; give a whole number from 1 to 2,147,483,647.")]
    [InlineData("--steps", "3000000000", "out of range; give a whole number from 1 to 2,147,483,647.")]
    [InlineData("--display-step", "-5", "out of range; give a whole number from 1 to 2,147,483,647.")]
    [InlineData("--validation-step", "0", "out of range; give a whole number from 1 to 2,147,483,647.")]
    [InlineData("--dropout", "1", "out of range; give a number at least 0 and below 1.")]
    [InlineData("--dropout", "-0.1", "out of range; give a number at least 0 and below 1.")]
    [InlineData("--recurrent-dropout", "NaN", "not a number; give a number at least 0 and below 1.")]
    [InlineData("--lr", "0", "out of range; give a number above 0 and at most 100.")]
    [InlineData("--lr", "-0.001", "out of range; give a number above 0 and at most 100.")]
    [InlineData("--lr", "Infinity", "out of range; give a number above 0 and at most 100.")]
    [InlineData("--lr", "nan", "not a number; give a number above 0 and at most 100.")]
    [InlineData("--lr", "0,001", "not a number; give a number above 0 and at most 100.")]
    [InlineData("--clip-norm", "0", "out of range; give a number above 0 and at most 1,000,000.")]
    [InlineData("--forget-bias", "1e9", "out of range; give a number at least -100 and at most 100.")]
    [InlineData("--seed", "-1", "out of range; give a whole number from 0 to 18,446,744,073,709,551,615.")]
    [InlineData("--order", "0", "out of range; give a whole number from 1 to 8,192.")]
    [InlineData("--order", "-3", "out of range; give a whole number from 1 to 8,192.")]
    [InlineData("--theta", "0", "out of range; give a number above 0 and at most 1,000,000,000.")]
    [InlineData("--theta", "-784", "out of range; give a number above 0 and at most 1,000,000,000.")]
    public void TrainOptionsOutOfRangeAreRefusedBeforeAnyData(string option, string value, string expected) =>
        AssertRefused(["train", option, value], $"{option} {value}: {expected}");

    [Fact]
    public void MoreGradientShardsThanRowsAreRefused() =>
        AssertRefused(["train", "--batch-size", "8", "--gradient-shards", "9"],
            "--gradient-shards 9 is more than --batch-size 8; every shard needs a row: give at most 8.");

    [Theory]
    [InlineData(new[] { "--memory-only" }, "--memory-only is an option of the LMU; add --model lmu or drop --memory-only.")]
    [InlineData(new[] { "--model", "lmu", "--bidirectional" }, "--bidirectional needs a recurrent layer that runs both ways, and the LMU does not; drop --bidirectional or use --model lstm, gru or rnn.")]
    [InlineData(new[] { "--model", "lmu", "--chrono-init" }, "--chrono-init sets gate biases, and an LMU has no gates; use it with --model lstm or gru.")]
    public void LmuOptionsThatDoNotGoTogetherAreRefused(string[] args, string expected) =>
        AssertRefused(["train", .. args], expected);

    [Theory]
    [InlineData("--features", "0", "out of range; give a whole number from 1 to 65,536.")]
    [InlineData("--classes", "1", "out of range; give a whole number from 2 to 65,536.")]
    [InlineData("--validation-split", "1", "out of range; give a number above 0 and below 1.")]
    [InlineData("--mask-value", "nan", "not a number; give a number.")]
    public void DataOptionsOutOfRangeComeBeforeTheMissingFile(string option, string value, string expected) =>
        AssertRefused(["train", "--data", _dir.File("missing.csv"), option, value], $"{option} {value}: {expected}");

    [Theory]
    [InlineData("--vocabulary-size", "2", "out of range; give a whole number from 3 to 1,000,000.")]
    [InlineData("--embedding-dim", "1000000000", "out of range; give a whole number from 1 to 8,192.")]
    [InlineData("--max-length", "0", "out of range; give a whole number from 1 to 1,000,000.")]
    public void TextOptionsOutOfRange(string option, string value, string expected) =>
        AssertRefused(["train", "--text", _dir.File("missing.txt"), option, value], $"{option} {value}: {expected}");

    [Theory]
    [InlineData("--window", "0", "out of range; give a whole number from 1 to 1,000,000.")]
    [InlineData("--horizon", "10000000", "out of range; give a whole number from 1 to 1,000,000.")]
    public void SeriesOptionsOutOfRange(string option, string value, string expected) =>
        AssertRefused(["train", "--series", _dir.File("missing.csv"), "--target", "y", .. option == "--window" ? [] : (string[])["--window", "5"], option, value], $"{option} {value}: {expected}");

    [Theory]
    [InlineData(new[] { "evaluate", "--model", "nowhere", "--threads", "100000" }, "--threads 100000: out of range; give a whole number from 1 to 256.")]
    [InlineData(new[] { "predict", "--model", "nowhere", "--input", "x.pgm", "--threads", "-2" }, "--threads -2: out of range; give a whole number from 1 to 256.")]
    [InlineData(new[] { "predict", "--model", "nowhere", "--input", "x.pgm", "--limit", "-1" }, "--limit -1: out of range; give a whole number from 0 to 2,147,483,647.")]
    [InlineData(new[] { "bench", "--batches", "0" }, "--batches 0: out of range; give a whole number from 1 to 1,000,000.")]
    [InlineData(new[] { "bench", "--warmup", "-1" }, "--warmup -1: out of range; give a whole number from 0 to 1,000,000.")]
    [InlineData(new[] { "bench", "--threads", "100000" }, "--threads 100000: out of range; give a whole number from 1 to 256.")]
    [InlineData(new[] { "bench", "--seed", "x" }, "--seed x: not a number; give a whole number from 0 to 2,147,483,647.")]
    public void OtherCommandsCheckTheirOptionsBeforeLoadingTheModel(string[] args, string expected) => AssertRefused(args, expected);

    [Fact]
    public void EpochsThatCountMoreStepsThanARunCanAreRefused()
    {
        Assert.Equal((550_000_000, null), TrainSettings.StepsOfEpochs(10_000, 55_000, 1));
        Assert.Equal((430, null), TrainSettings.StepsOfEpochs(1, 55_000, 128));
        var (steps, problem) = TrainSettings.StepsOfEpochs(10_000, 1_000_000, 1);
        Assert.Null(steps);
        Assert.Equal("--epochs 10000 over 1,000,000 training sequences in batches of 1 is 10,000,000,000 steps, more than 2,147,483,647; lower --epochs or raise --batch-size.", problem);
    }

    [Fact]
    public void AnMnistRunTooBigForTheMachineIsRefusedBeforeTheImagesAreRead()
    {
        // Every option in range; together about 39,767 GiB.
        string[] args = ["train", "--hidden", "8192", "--layers", "64", "--batch-size", "65536"];
        Directory.CreateDirectory(_dir.File("empty"));
        var (code, output, error) = CliRun.Command(log, [.. args, "--data-dir", _dir.File("empty"), "--out", _dir.File("run")]);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("recur train: the model (34,094,399,498 parameters) trained on batches of 65,536 sequences of 28 steps needs about ", line);
        Assert.Contains("this process may use; lower --batch-size, --hidden or --layers.", line);
        Assert.False(Directory.Exists(_dir.File("run")));
    }

    [Fact]
    public void TheHelpShowsTheRanges()
    {
        string help = CliRun.Command(log, "train", "--help").Out;
        Assert.Contains("Allowed: a whole number from 1 to 8,192.", help);
        Assert.Contains("Allowed: a number above 0 and at most 100.", help);
        Assert.Contains("Allowed: a whole number from 1 to 256.", CliRun.Command(log, "bench", "--help").Out);
    }

    [Fact]
    public void ValuesInRangeParseWithTheInvariantCulture()
    {
        var parse = Program.CreateRootCommand().Parse(["train", "--hidden", "1e2", "--lr", "0.5", "--dropout", "0.25", "--seed", "18446744073709551615", "--mask-value", "-1e30"]);
        Assert.Empty(parse.Errors);
        Assert.Equal(100, parse.GetValue<int>("--hidden"));
        Assert.Equal(0.5, parse.GetValue<double?>("--lr"));
        Assert.Equal(0.25f, parse.GetValue<float>("--dropout"));
        Assert.Equal(ulong.MaxValue, parse.GetValue<ulong>("--seed"));
        Assert.Equal(-1e30f, parse.GetValue<float?>("--mask-value"));
        Assert.Equal(128, Program.CreateRootCommand().Parse(["train"]).GetValue<int>("--hidden")); // the default stays
    }
}
