using System.Text.Json.Nodes;
using Recur.Data;
using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Training;
using Xunit;

namespace Recur.Tests.Training;

/// <summary>
/// A run stopped at a chosen step and resumed ends bit-identical to one that never stopped: through
/// <see cref="BackupAndRestore"/> (killed by an exception mid-epoch and right after an epoch's last batch), through
/// <see cref="Trainer.CaptureState"/> with a streamed <see cref="DataSetBatches"/> source (as <c>recur train</c> resumes),
/// and through <see cref="Sequential.Load"/> + <c>Fit(initialEpoch)</c> — with dropout, recurrent dropout, a GRU and a
/// bidirectional stack, resumed on another thread count.
/// </summary>
public class ResumeTests : IDisposable
{
    private const int Examples = 40, Steps = 5, Features = 3, Classes = 4, BatchSize = 8;
    private readonly TempDirectory _dir = new();

    public static TheoryData<string> Kinds => ["lstm-dropout", "gru", "bidirectional"];

    public static TheoryData<string, int> KindsAndStops => new()
    {
        { "lstm-dropout", 7 },   // mid-epoch: resumes from the backup of step 6
        { "lstm-dropout", 11 },  // resumes from step 10, saved after epoch 2's last batch and before its end
        { "gru", 7 },
        { "bidirectional", 11 },
    };

    public void Dispose() => _dir.Dispose();

    [Theory]
    [MemberData(nameof(KindsAndStops))]
    public void BackupAndRestoreResumesBitForBit(string kind, int stopAt)
    {
        var (x, y) = Data();
        Sequential reference = Compiled(kind);
        History expected;
        using (new Threads(1))
        {
            expected = reference.Fit(x, y, batchSize: BatchSize, epochs: 3, verbose: 0);
        }

        string backup = _dir.File("backup");
        Sequential first = Compiled(kind);
        using (new Threads(1))
        {
            var e = Assert.Throws<InvalidOperationException>(() =>
                first.Fit(x, y, batchSize: BatchSize, epochs: 3, verbose: 0, callbacks: [new BackupAndRestore(backup, saveFrequency: 2), new StopAt(stopAt)]));
            Assert.Contains("stopped at step", e.Message);
        }

        Sequential resumed = Compiled(kind);
        var restore = new BackupAndRestore(backup, saveFrequency: 2);
        History history;
        using (new Threads(3))
        {
            history = resumed.Fit(x, y, batchSize: BatchSize, epochs: 3, verbose: 0, callbacks: [restore, new StopAt(int.MaxValue)]);
        }

        Assert.Equal(stopAt - 1, restore.RestoredStep);
        AssertSameWeights(reference, resumed);
        Assert.Equal(expected.Epochs, history.Epochs);
        foreach (string key in expected.Values.Keys)
        {
            Assert.Equal(expected[key], history[key]);
        }

        Assert.False(Directory.Exists(backup), "the backup is deleted when training ends normally");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void FitAfterLoadContinuesExactly(string kind)
    {
        var (x, y) = Data();
        Sequential straight = Compiled(kind);
        straight.Fit(x, y, batchSize: BatchSize, epochs: 4, verbose: 0);

        Sequential first = Compiled(kind);
        first.Fit(x, y, batchSize: BatchSize, epochs: 2, verbose: 0);
        first.Save(_dir.File("model"));
        Sequential loaded = Sequential.Load(_dir.File("model"));
        Assert.Equal(2, loaded.Epoch);
        loaded.Fit(x, y, batchSize: BatchSize, epochs: 4, verbose: 0, initialEpoch: loaded.Epoch);
        AssertSameWeights(straight, loaded);
    }

    [Theory]
    [InlineData("lstm-dropout", 5)] // after epoch 0's last batch, before its end
    [InlineData("lstm-dropout", 8)]
    [InlineData("bidirectional", 9)]
    [InlineData("lstm-dropout", 2, true)] // in the one-cycle warm-up (steps 1–3)
    [InlineData("gru", 7, true)]
    public void StreamedRunResumesFromCapturedState(string kind, int captureAt, bool oneCycle = false)
    {
        var (x, y) = Data();
        Sequential reference = Compiled(kind);
        using (new Threads(2))
        {
            StreamTrainer(reference, x, new Capture(-1, null), oneCycle).Run();
        }

        Sequential first = Compiled(kind);
        var capture = new Capture(captureAt, _dir.File("checkpoint"));
        using (new Threads(1))
        {
            StreamTrainer(first, x, capture, oneCycle).Run();
        }

        Sequential resumed = Compiled(kind);
        resumed.Restore(_dir.File("checkpoint"));
        Trainer trainer = StreamTrainer(resumed, x, new Capture(-1, null), oneCycle);
        using (new Threads(3))
        {
            trainer.Run(resume: capture.State);
        }

        Assert.True(trainer.Resumed);
        Assert.Equal(13, trainer.Step);
        AssertSameWeights(reference, resumed);
    }

    [Fact]
    public void PerStepCsvLoggerEndsAsIfTheRunNeverStopped()
    {
        var (x, _) = Data();
        CsvColumn[] columns =
        [
            new("step", (t, _) => t.Step),
            new("loss", (t, _) => t.LastBatch.Loss),
            new("val_accuracy", (_, logs) => logs.TryGetValue("val_accuracy", out double v) ? v : double.NaN),
        ];
        string expected = _dir.File("expected.csv"), actual = _dir.File("actual.csv");
        Trainer Run(Sequential model, string csv, Capture capture) =>
            new(model, Batches(x), [new CsvLogger(csv, columns, t => t.Step % 2 == 1 || t.Step % 4 == 0), capture])
            {
                Steps = 13,
                ValidationData = (x, DataSet(x).OneHotLabels),
                ValidationFrequency = 4,
            };

        Run(Compiled("gru"), expected, new Capture(-1, null)).Run();
        var capture = new Capture(6, _dir.File("checkpoint"));
        Run(Compiled("gru"), actual, capture).Run(); // goes on to write the rows after step 6, as a killed run would have
        Sequential resumed = Compiled("gru");
        resumed.Restore(_dir.File("checkpoint"));
        Run(resumed, actual, new Capture(-1, null)).Run(resume: capture.State);

        string text = File.ReadAllText(expected);
        Assert.StartsWith("step,loss,val_accuracy\n1,", text);
        Assert.Contains("\n4,", text);
        Assert.Matches(@"\n3,[-0-9.E]+,\n", text); // no validation at step 3: an empty cell
        Assert.Equal(text, File.ReadAllText(actual));
    }

    [Fact]
    public void ResumeWithOtherCallbacksIsRefused()
    {
        var (x, _) = Data();
        Sequential first = Compiled("gru");
        var capture = new Capture(3, _dir.File("checkpoint"));
        StreamTrainer(first, x, capture).Run();

        Sequential resumed = Compiled("gru");
        resumed.Restore(_dir.File("checkpoint"));
        var trainer = new Trainer(resumed, Batches(x), [new TerminateOnNaN()]) { Steps = 13 };
        var e = Assert.Throws<InvalidDataException>(() => trainer.Run(resume: capture.State));
        Assert.Contains("resume with the same callbacks", e.Message);
    }

    [Fact]
    public void ResumeFromAnotherBatchSizeIsRefused()
    {
        var (x, _) = Data();
        var capture = new Capture(3, _dir.File("checkpoint"));
        StreamTrainer(Compiled("gru"), x, capture).Run();

        Sequential resumed = Compiled("gru");
        var trainer = new Trainer(resumed, new DataSetBatches(DataSet(x), 4), [new Capture(-1, null)]) { Steps = 13 };
        var e = Assert.Throws<InvalidDataException>(() => trainer.Run(resume: capture.State));
        Assert.Contains("batch size", e.Message);
    }

    [Fact]
    public void DamagedBackupSaysWhereAndHowToStartAfresh()
    {
        var (x, y) = Data();
        string backup = _dir.File("backup");
        Directory.CreateDirectory(Path.Combine(backup, "last"));
        File.WriteAllText(Path.Combine(backup, "last", "trainer_state.json"), "{ not json");
        var e = Assert.Throws<InvalidDataException>(() =>
            Compiled("gru").Fit(x, y, batchSize: BatchSize, epochs: 1, verbose: 0, callbacks: [new BackupAndRestore(backup)]));
        Assert.Contains("trainer_state.json", e.Message);
        Assert.Contains($"delete {backup}", e.Message);
    }

    private static Trainer StreamTrainer(Sequential model, Tensor x, Capture capture, bool oneCycle = false) =>
        new(model, Batches(x), [new ScheduledLearningRate(oneCycle ? new OneCycle(0.02, 13) : new CosineDecay(0.02, 13)), capture])
        {
            Steps = 13,
            ValidationData = (x, DataSet(x).OneHotLabels),
            ValidationFrequency = 4,
        };

    private static DataSetBatches Batches(Tensor x) =>
        new(DataSet(x), BatchSize, images => images.Reshape(images.Dim(0), Steps, Features));

    private static DataSet DataSet(Tensor x) =>
        new(x.Reshape(Examples, Steps * Features).Clone(), Enumerable.Range(0, Examples).Select(i => i % Classes).ToArray(), Classes, seed: 5);

    private static (Tensor X, Tensor Y) Data()
    {
        Tensor x = GradCheck.Values(11, 1f, Examples, Steps, Features);
        var y = new Tensor(Examples, Classes);
        for (int i = 0; i < Examples; i++)
        {
            y.Data[i * Classes + i % Classes] = 1f;
            x.Data[i * Steps * Features + i % Classes] += 1.5f; // something to learn
        }

        return (x, y);
    }

    private static Sequential Compiled(string kind)
    {
        Sequential model = kind switch
        {
            "lstm-dropout" => new Sequential(seed: 7)
            {
                new LstmLayer(12, Dropout: 0.2f, RecurrentDropout: 0.3f) { InputShape = [Steps, Features] },
                new DropoutLayer(0.25f),
                new DenseLayer(Classes),
            },
            "gru" => new Sequential(seed: 7) { new GruLayer(12, RecurrentDropout: 0.2f) { InputShape = [Steps, Features] }, new DenseLayer(Classes) },
            _ => new Sequential(seed: 7)
            {
                new BidirectionalLayer(new LstmLayer(8, ReturnSequences: true, RecurrentDropout: 0.2f)) { InputShape = [Steps, Features] },
                new BidirectionalLayer(new GruLayer(6, Dropout: 0.1f)),
                new DropoutLayer(0.2f),
                new DenseLayer(Classes),
            },
        };
        model.Compile(new SoftmaxCrossEntropy(), new Adam(0.01), ["accuracy"]);
        return model;
    }

    private static void AssertSameWeights(Sequential expected, Sequential actual)
    {
        float[][] a = expected.GetWeights(), b = actual.GetWeights();
        Assert.Equal(a.Length, b.Length);
        for (int i = 0; i < a.Length; i++)
        {
            Bits.AssertEqual(a[i], b[i], expected.Parameters[i].Name);
        }
    }

    /// <summary>Stands for a killed process: throws after step <c>stopAt</c>'s other callbacks ran.</summary>
    private sealed class StopAt(int stopAt) : Callback
    {
        public override void OnBatchEnd(int batch, IDictionary<string, double> logs)
        {
            if (Trainer.Step == stopAt)
            {
                throw new InvalidOperationException($"stopped at step {stopAt}");
            }
        }
    }

    /// <summary>Saves the model and the loop's state after step <c>at</c>, as a checkpoint callback does.</summary>
    private sealed class Capture(int at, string? path) : Callback
    {
        public JsonObject? State { get; private set; }

        public override void OnBatchEnd(int batch, IDictionary<string, double> logs)
        {
            if (Trainer.Step == at)
            {
                Model.Save(path!);
                State = (JsonObject)JsonNode.Parse(Trainer.CaptureState().ToJsonString())!; // as read back from a file
            }
        }
    }

    /// <summary>Runs the code in its scope on <c>n</c> threads (this test's thread only).</summary>
    private readonly struct Threads : IDisposable
    {
        private readonly int _saved;

        public Threads(int n)
        {
            _saved = Threading.t_override;
            Threading.t_override = n;
        }

        public void Dispose() => Threading.t_override = _saved;
    }
}
