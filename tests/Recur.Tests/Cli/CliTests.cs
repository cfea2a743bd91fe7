using Recur.Cli;
using Recur.Data;
using Recur.Layers;
using Recur.Models;
using Recur.Tests.Data;
using Xunit;
using Xunit.Abstractions;

namespace Recur.Tests.Cli;

public sealed class CliTests(ITestOutputHelper log) : IDisposable
{
    private readonly string _dir = System.IO.Directory.CreateTempSubdirectory("recur-cli-").FullName;

    public void Dispose() => System.IO.Directory.Delete(_dir, recursive: true);

    private static (int Code, string Out, string Err) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = Program.Run(args, output, error);
        return (code, output.ToString(), error.ToString());
    }

    [Theory]
    [InlineData(new[] { "train", "--hidden", "0" }, "--hidden 0: out of range; give a whole number from 1 to 8,192.")]
    [InlineData(new[] { "train", "--sequence", "diagonal" }, "diagonal")]
    [InlineData(new[] { "train", "--bogus" }, "--bogus")]
    [InlineData(new[] { "train", "--steps", "10", "--epochs", "1" }, "either --steps or --epochs")]
    [InlineData(new[] { "train", "--lr", "-1" }, "--lr -1: out of range; give a number above 0 and at most 100.")]
    [InlineData(new[] { "train", "--batch-size", "many" }, "--batch-size many: not a number; give a whole number from 1 to 65,536.")]
    [InlineData(new[] { "predict", "--input", "x.pgm" }, "--model")]
    [InlineData(new[] { "frobnicate" }, "frobnicate")]
    [InlineData(new[] { "train", "--model", "transformer" }, "transformer")]
    [InlineData(new[] { "train", "--layers", "0" }, "--layers 0: out of range; give a whole number from 1 to 64.")]
    [InlineData(new[] { "train", "--dropout", "1" }, "--dropout 1: out of range; give a number at least 0 and below 1.")]
    [InlineData(new[] { "train", "--recurrent-dropout", "1" }, "--recurrent-dropout 1: out of range")]
    [InlineData(new[] { "train", "--recurrent-dropout", "1.5" }, "--recurrent-dropout 1.5: out of range")]
    [InlineData(new[] { "train", "--recurrent-dropout", "half" }, "--recurrent-dropout half: not a number")]
    [InlineData(new[] { "train", "--model", "rnn", "--chrono-init" }, "a simple RNN has no gates")]
    [InlineData(new[] { "train", "--model", "rnn", "--layer-norm" }, "--layer-norm normalises an LSTM's or a GRU's gate products")]
    [InlineData(new[] { "train", "--model", "lmu", "--layer-norm" }, "the LMU has no layer-normalised form here; use it with --model lstm or gru.")]
    [InlineData(new[] { "train", "--layer-norm-epsilon", "0.01" }, "--layer-norm-epsilon sets the ε of --layer-norm's normalisations; add --layer-norm or drop --layer-norm-epsilon.")]
    [InlineData(new[] { "train", "--layer-norm", "--layer-norm-epsilon", "0" }, "--layer-norm-epsilon 0: out of range; give a number above 0 and at most 1.")]
    [InlineData(new[] { "train", "--layer-norm-epsilon", "-1e-5" }, "--layer-norm-epsilon -1e-5: out of range")]
    public void BadUsageIsOneLineAndExitCodeTwo(string[] args, string expected)
    {
        var (code, output, error) = Run(args);
        Assert.Equal(2, code);
        Assert.Equal("", output);
        string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains(expected, line);
        Assert.Contains("--help", line);
    }

    [Fact]
    public void EveryCommandHasHelp()
    {
        foreach (string command in new[] { "train", "evaluate", "predict", "bench" })
        {
            var (code, output, _) = Run(command, "--help");
            Assert.Equal(0, code);
            Assert.Contains("Usage:", output);
        }

        Assert.Contains("--input-projection", Run("train", "--help").Out);
        Assert.Contains("--recurrent-dropout", Run("train", "--help").Out);
        Assert.Contains("--layer-norm", Run("train", "--help").Out);
        Assert.Contains("--overwrite", Run("train", "--help").Out);
        Assert.Contains("--checkpoint", Run("evaluate", "--help").Out);
        Assert.Contains("--checkpoint", Run("predict", "--help").Out);
    }

    [Fact]
    public void TrainOnTheSliceThenPredictKnownTestDigits()
    {
        string run = Path.Combine(_dir, "run");
        var settings = new TrainSettings
        {
            Steps = 400,
            BatchSize = 32,
            DisplayStep = 100,
            LearningRate = 0.005,
            Hidden = 64,
            OutputDirectory = run,
            DataOptions = MnistSlice.Options(validationSize: 300),
            Threads = 2,
        };
        var output = new StringWriter();
        var error = new StringWriter();
        int code = new TrainRun(settings, output, error).Run();
        log.WriteLine(output.ToString());
        Assert.True(code == 0, error.ToString());

        string text = output.ToString();
        Assert.Contains("Step 1, Minibatch Loss= ", text);
        Assert.Contains("Step 400, Minibatch Loss= ", text);
        Assert.Contains("Optimization Finished!", text);
        Assert.Contains("Testing Accuracy: ", text);
        Assert.Contains("Test accuracy (all 500 images): ", text);
        // The layout of a run directory: the pointer and the metrics at the top, each checkpoint in a folder of its own;
        // the final save rewrites step 400's checkpoint with the test results, as step-00000400.
        Assert.Equal(["accuracy.svg", "checkpoint", "metrics.csv", "run.json"], Directory.GetFiles(run).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Equal(["checkpoints"], Directory.GetDirectories(run).Select(Path.GetFileName));
        Assert.Equal(["step-00000400"], Directory.GetDirectories(Path.Combine(run, "checkpoints")).Select(Path.GetFileName));
        Assert.Equal(
            ["config.json", "model.safetensors", "optimizer.safetensors", "trainer_state.json"],
            Directory.GetFiles(Path.Combine(run, "checkpoints", "step-00000400")).Select(Path.GetFileName).Order(StringComparer.Ordinal));

        string[] csv = File.ReadAllLines(Path.Combine(run, "metrics.csv"));
        Assert.Equal("step,loss,train_accuracy,validation_accuracy", csv[0]);
        Assert.Equal(6, csv.Length); // steps 1, 100, 200, 300, 400
        Assert.EndsWith(",", csv[1]);     // no validation at step 1
        Assert.False(csv[^1].EndsWith(',')); // validation at the last step

        var (_, metadata) = ModelFile.Load(run);
        float test = float.Parse(metadata["test_accuracy"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(test >= 0.75f, $"slice test accuracy {test}"); // 0.82 observed with these settings

        var evaluation = new StringWriter();
        Assert.Equal(0, EvaluateCommand.Run(run, MnistSlice.Options(validationSize: 300), evaluation, new StringWriter()));
        log.WriteLine(evaluation.ToString());
        string[] matrix = evaluation.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"Test accuracy: {test:F4} ("), matrix[0]);
        Assert.Contains("of 500 images", matrix[0]);
        int counted = 0;
        for (int row = 0; row < 10; row++)
        {
            string[] cells = matrix[3 + row].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            Assert.Equal(row.ToString(System.Globalization.CultureInfo.InvariantCulture), cells[0]);
            counted += cells.Skip(1).Sum(int.Parse);
        }

        Assert.Equal(500, counted); // every test image in exactly one cell

        // The first eight test digits, as PGM files, through 'recur predict'.
        MnistDataSets slice = MnistSlice.Load(validationSize: 300);
        var args = new List<string> { "predict", "--model", run };
        for (int i = 0; i < 8; i++)
        {
            string pgm = Path.Combine(_dir, $"digit{i}.pgm");
            byte[] pixels = new byte[784];
            for (int p = 0; p < 784; p++)
            {
                pixels[p] = (byte)MathF.Round(slice.Test.Images.Data[i * 784 + p] * 255f);
            }

            Pgm.Write(pgm, 28, 28, pixels);
            args.AddRange(["--input", pgm]);
        }

        var (predictCode, predicted, predictError) = Run([.. args]);
        log.WriteLine(predicted);
        Assert.True(predictCode == 0, predictError);
        string[] lines = predicted.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(8, lines.Length);
        int correct = 0;
        for (int i = 0; i < 8; i++)
        {
            Assert.Contains($"digit{i}.pgm: ", lines[i]);
            Assert.Contains("(probability ", lines[i]);
            correct += lines[i].Contains($".pgm: {slice.Test.Labels[i]} (") ? 1 : 0;
        }

        Assert.True(correct >= 7, $"{correct} of the first 8 test digits (7 2 1 0 4 1 4 9) right:\n{predicted}");
    }

    /// <summary>A short run on the MNIST slice with 16 units and batches of 32; asserts it succeeds and returns its output.</summary>
    private string TrainOnSlice(TrainSettings settings)
    {
        settings = settings with { Hidden = 16, BatchSize = 32, DisplayStep = 50, DataOptions = MnistSlice.Options(validationSize: 300) };
        var output = new StringWriter();
        var error = new StringWriter();
        Assert.True(new TrainRun(settings, output, error).Run() == 0, error.ToString());
        log.WriteLine(output.ToString());
        return output.ToString();
    }

    [Fact]
    public void TrainsAStackedBidirectionalModelWithDropoutAndEvaluatesIt()
    {
        string run = Path.Combine(_dir, "stacked");
        string output = TrainOnSlice(new TrainSettings { Layers = 2, Bidirectional = true, Dropout = 0.2f, Steps = 60, LearningRate = 0.005, OutputDirectory = run });
        Assert.Contains(
            "Training Bidirectional(LSTM(16)) → Dropout(0.2) → Bidirectional(LSTM(16)) → Dropout(0.2) → Dense(10) on mnist 28×28 rows",
            output);

        var (model, metadata) = ModelFile.Load(run);
        Assert.Equal(5, model.Layers.Count);
        var second = Assert.IsType<Recur.Layers.Bidirectional>(model.Layers[2]);
        Assert.Equal(32, second.InputSize);
        Assert.False(second.ReturnSequences);
        var evaluation = new StringWriter();
        Assert.Equal(0, EvaluateCommand.Run(run, MnistSlice.Options(validationSize: 300), evaluation, new StringWriter()));
        Assert.StartsWith("Test accuracy: " + metadata["test_accuracy"][..3], evaluation.ToString());
    }

    [Theory]
    [InlineData("gru", "GRU(16) → Dense(10)", typeof(Recur.Layers.Gru))]
    [InlineData("rnn", "SimpleRNN(16) → Dense(10)", typeof(Recur.Layers.SimpleRnn))]
    public void TrainsTheOtherRecurrentLayers(string kind, string description, Type layerType)
    {
        string run = Path.Combine(_dir, kind);
        string output = TrainOnSlice(new TrainSettings { Model = kind, Steps = 150, LearningRate = 0.01, ClipNorm = 5f, OutputDirectory = run });
        Assert.Contains($"Training {description} on mnist 28×28 rows", output);
        var (model, metadata) = ModelFile.Load(run);
        Assert.IsType(layerType, model.Layers[0]);
        float test = float.Parse(metadata["test_accuracy"], System.Globalization.CultureInfo.InvariantCulture);
        Assert.True(test > 0.3f, $"{kind}: slice test accuracy {test} after 150 steps"); // chance is 0.1
    }

    [Fact]
    public void RecurrentDropoutReachesEveryDirectionOfEveryLayerAndDrawsNoWeights()
    {
        var settings = new TrainSettings { Model = "lstm", Layers = 2, Bidirectional = true, Dropout = 0.1f, Hidden = 8 };
        Sequential plain = TrainRun.BuildModel(settings, new SequenceLayout(SequenceView.Rows));
        Sequential dropped = TrainRun.BuildModel(settings with { RecurrentDropout = 0.3f }, new SequenceLayout(SequenceView.Rows));
        var directions = dropped.Layers.OfType<Recur.Layers.Bidirectional>()
            .SelectMany(b => new[] { b.ForwardLayer, b.BackwardLayer }).Cast<Recur.Layers.Lstm>().ToList();
        Assert.Equal(4, directions.Count);
        Assert.All(directions, l => Assert.Equal((0f, 0.3f), (l.Dropout, l.RecurrentDropout)));
        Assert.All(plain.Layers.OfType<Recur.Layers.Bidirectional>(), b => Assert.Equal(0f, ((Recur.Layers.Lstm)b.ForwardLayer).RecurrentDropout));

        // The option draws nothing while the model is built: every weight as without it.
        var weights = plain.Layers.SelectMany(l => l.Parameters).Zip(dropped.Layers.SelectMany(l => l.Parameters));
        Assert.All(weights, pair => Assert.Equal(pair.First.Value.Data, pair.Second.Value.Data));
    }

    [Fact]
    public void TrainsWithRecurrentDropoutAndSavesIt()
    {
        string run = Path.Combine(_dir, "recurrent-dropout");
        string output = TrainOnSlice(new TrainSettings { Model = "gru", RecurrentDropout = 0.2f, Steps = 40, LearningRate = 0.01, OutputDirectory = run });
        Assert.Contains("Training GRU(16, recurrent_dropout=0.2) → Dense(10) on mnist 28×28 rows", output);
        var (model, _) = ModelFile.Load(run);
        Assert.Equal(0.2f, Assert.IsType<Recur.Layers.Gru>(model.Layers[0]).RecurrentDropout);
    }

    [Fact]
    public void TheModelIsBuiltFromRecordsWithTheTutorialsDraws()
    {
        // What recur train built by hand before its records: the engine layers, one Rng for all of them, in order.
        var rng = new Rng(1);
        Recur.Layers.ILayer[] byHand =
        [
            new Recur.Layers.Dense(28, 16, weightInitializer: new Recur.Initializers.RandomNormal(), biasInitializer: new Recur.Initializers.Constant(0.1f), rng: rng, name: "projection"),
            new Recur.Layers.Lstm(16, 16, forgetBias: 1f, rng: rng),
            new Recur.Layers.Dense(16, 10, rng: rng),
        ];
        Sequential model = TrainRun.BuildModel(new TrainSettings { InputProjection = true, Hidden = 16 }, new SequenceLayout(SequenceView.Rows));
        Assert.Equal(byHand.Select(l => l.Name), model.Layers.Select(l => l.Name));
        Assert.Equal(byHand.SelectMany(l => l.Parameters).Select(p => p.Value.Data), model.Parameters.Select(p => p.Value.Data));

        // The options say so: TensorFlow 1's constant forget bias, PyTorch's uniform output layer.
        var lstm = Assert.IsType<LstmLayer>(model.Configs[1]);
        Assert.Equal((1f, false), (lstm.ForgetBias, lstm.UnitForgetBias));
        Assert.Equal(new Recur.Initializers.TorchUniform(), Assert.IsType<DenseLayer>(model.Configs[2]).KernelInitializer);
    }

    [Fact]
    public void ChronoInitReachesEveryDirectionOfEveryLayer()
    {
        var settings = new TrainSettings { Model = "gru", Layers = 2, Bidirectional = true, ChronoInit = true, Hidden = 8 };
        Sequential model = TrainRun.BuildModel(settings, new SequenceLayout(SequenceView.Pixels));
        var directions = model.Layers.OfType<Recur.Layers.Bidirectional>()
            .SelectMany(b => new[] { b.ForwardLayer, b.BackwardLayer }).Cast<Recur.Layers.Gru>().ToList();
        Assert.Equal(4, directions.Count);
        Assert.All(directions, g => Assert.True(g.BiasIh.Value.Span.Slice(8, 8).ToArray().All(v => v > 0f && v <= MathF.Log(783f))));
        Sequential plain = TrainRun.BuildModel(settings with { ChronoInit = false }, new SequenceLayout(SequenceView.Pixels));
        Assert.All(plain.Layers.OfType<Recur.Layers.Bidirectional>(), b => Assert.All(((Recur.Layers.Gru)b.ForwardLayer).BiasIh.Value.Data, v => Assert.Equal(0f, v)));
    }

    [Fact]
    public void LayerNormReachesEveryDirectionOfEveryLayer()
    {
        var settings = new TrainSettings { Model = "lstm", Layers = 2, Bidirectional = true, LayerNorm = true, LayerNormEpsilon = 1e-3f, Hidden = 8 };
        Sequential model = TrainRun.BuildModel(settings, new SequenceLayout(SequenceView.Rows));
        var directions = model.Layers.OfType<Recur.Layers.Bidirectional>().SelectMany(b => new[] { b.ForwardLayer, b.BackwardLayer }).Cast<Recur.Layers.Lstm>().ToList();
        Assert.Equal(4, directions.Count);
        Assert.All(directions, l => Assert.Equal((true, 1e-3f), (l.LayerNorm, l.LayerNormEpsilon)));
        Sequential gru = TrainRun.BuildModel(settings with { Model = "gru", Bidirectional = false }, new SequenceLayout(SequenceView.Rows));
        Assert.All(gru.Layers.OfType<Recur.Layers.Gru>(), g => Assert.True(g.LayerNorm));
        Assert.All(TrainRun.BuildModel(settings with { LayerNorm = false }, new SequenceLayout(SequenceView.Rows)).Layers.OfType<Recur.Layers.Bidirectional>(),
            b => Assert.False(((Recur.Layers.Lstm)b.ForwardLayer).LayerNorm));
    }

    [Fact]
    public void ADivergingRunStopsWithTheStepAndAHint()
    {
        string run = Path.Combine(_dir, "diverge");
        var settings = new TrainSettings
        {
            Steps = 50,
            BatchSize = 16,
            DisplayStep = 5,
            ValidationStep = 5,
            Optimizer = "sgd",
            LearningRate = 1e9,
            Schedule = "constant",
            Hidden = 8,
            OutputDirectory = run,
            DataOptions = MnistSlice.Options(validationSize: 100),
        };
        var error = new StringWriter();
        int code = new TrainRun(settings, new StringWriter(), error).Run();
        log.WriteLine(error.ToString());
        Assert.Equal(1, code);
        Assert.Contains("diverged at step", error.ToString());
        Assert.Contains("--lr", error.ToString());
        Assert.Contains("--clip-norm", error.ToString());
        Assert.True(File.Exists(Path.Combine(run, "metrics.csv")));
    }

    [Fact]
    public void PredictExplainsAMissingModelAndABadImage()
    {
        var (code, _, error) = Run("predict", "--model", Path.Combine(_dir, "nothing"), "--input", "x.pgm");
        Assert.Equal(1, code);
        Assert.Contains($"'{Path.Combine(_dir, "nothing")}' does not exist", error);

        var rng = new Rng(1);
        var model = new Sequential { new Recur.Layers.Lstm(28, 4, rng: rng), new Recur.Layers.Dense(4, 10, rng: rng) };
        ModelFile.Save(model, _dir, new Dictionary<string, string> { ["dataset"] = "mnist", ["sequence"] = "rows" });
        string bad = Path.Combine(_dir, "bad.pgm");
        File.WriteAllText(bad, "P5\n28 28\n255\nshort");
        (code, _, error) = Run("predict", "--model", _dir, "--input", bad);
        Assert.Equal(1, code);
        Assert.Contains("truncated", error);

        string wrongSize = Path.Combine(_dir, "big.pgm");
        Pgm.Write(wrongSize, 30, 28, new byte[30 * 28]);
        (code, _, error) = Run("predict", "--model", _dir, "--input", wrongSize);
        Assert.Equal(1, code);
        Assert.Contains("30×28", error);
    }
}
