using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Tests.Models;
using Recur.Training;
using Xunit;

namespace Recur.Tests.Training;

/// <summary>The training loop's own contract: stopping, validation every N steps, events in order, schedules, divergence, step checkpoints.</summary>
public class TrainerTests : IDisposable
{
    private static readonly (Tensor X, Tensor Y, Tensor Classes) Train = KerasModelTests.Data(40, 4, 3, 3, 21);
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static Sequential Compiled(double lr = 0.05)
    {
        var model = new Sequential(1) { new LstmLayer(6) { InputShape = [4, 3] }, new DenseLayer(3) };
        model.Compile(new CategoricalCrossentropy(fromLogits: true), new Adam(lr), ["accuracy"]);
        return model;
    }

    [Fact]
    public void StepsStopMidEpochAndValidationRunsEveryNStepsAndAtTheLast()
    {
        var model = Compiled();
        var events = new Recorder();
        var trainer = new Trainer(model, new TensorBatches(Train.X, Train.Y, 8), [events])
        {
            Steps = 12, // 5 batches an epoch: two epochs and two batches
            ValidationData = (Train.X, Train.Y),
            ValidationFrequency = 5,
        };
        History history = trainer.Run();
        Assert.Equal(12, trainer.Step);
        Assert.Equal(2, trainer.Epoch);
        Assert.Equal(2, trainer.BatchInEpoch);
        Assert.Equal([0, 1], history.Epochs);
        Assert.Equal(2, model.Epoch);
        Assert.Equal([5, 10, 12], events.ValidatedAt);
        Assert.Equal("train+ e0 b0 b1 b2 b3 b4 e0. e1 b0 b1 b2 b3 b4 e1. e2 b0 b1 train.", events.Trace);
        Assert.Equal(12, trainer.TotalSteps);
    }

    [Fact]
    public void EpochsAndStepsTogetherStopAtTheFirstReached()
    {
        var trainer = new Trainer(Compiled(), new TensorBatches(Train.X, Train.Y, 8)) { Epochs = 1, Steps = 100 };
        trainer.Run();
        Assert.Equal(5, trainer.Step);
        Assert.Equal(5, trainer.TotalSteps);
        Assert.Throws<InvalidOperationException>(() => new Trainer(Compiled(), new TensorBatches(Train.X, Train.Y, 8)).Run());
    }

    [Fact]
    public void StopTrainingMidEpochEndsTheEpochAndStops()
    {
        var model = Compiled();
        var trainer = new Trainer(model, new TensorBatches(Train.X, Train.Y, 8), [new StopAfter(3)]) { Epochs = 5 };
        History history = trainer.Run();
        Assert.Equal(3, trainer.Step);
        Assert.Equal([0], history.Epochs);
    }

    [Fact]
    public void SchedulesGiveTheirRatesAndTheCallbackSetsThemPerStep()
    {
        var cosine = new CosineDecay(0.002, 10_000);
        Assert.Equal(0.002, cosine.Rate(1));
        Assert.Equal(0.002 * 0.5 * (1 + Math.Cos(Math.PI * 4999 / 10_000)), cosine.Rate(5000)); // recur train's formula
        Assert.Equal(0, cosine.Rate(10_001));
        var step = new StepDecay(0.1, 3, 0.5);
        Assert.Equal([0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025], Enumerable.Range(1, 7).Select(step.Rate));
        var warm = new WarmUp(new ConstantRate(0.01), 4);
        Assert.Equal([0.0025, 0.005, 0.0075, 0.01, 0.01], Enumerable.Range(1, 5).Select(warm.Rate));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConstantRate(-1).Rate(1));

        var model = Compiled();
        var seen = new List<double>();
        var trainer = new Trainer(model, new TensorBatches(Train.X, Train.Y, 8), [new ScheduledLearningRate(step), new RateRecorder(seen)]) { Steps = 7 };
        trainer.Run();
        Assert.Equal(Enumerable.Range(1, 7).Select(step.Rate), seen);
    }

    [Fact]
    public void KerasLearningRateSchedulerSetsTheRateEachEpochAndTheLogsShowIt()
    {
        var model = Compiled(0.04);
        History h = model.Fit(Train.X, Train.Y, batchSize: 8, epochs: 3, verbose: 0, callbacks: [new LearningRateScheduler((epoch, lr) => epoch == 0 ? lr : lr / 2)]);
        Assert.Equal([0.04, 0.02, 0.01], h["lr"]);
    }

    [Fact]
    public void DivergenceThrowsUnlessTerminateOnNaNEndsTheRun()
    {
        var model = Compiled(lr: 1e30);
        var trainer = new Trainer(model, new TensorBatches(Train.X, Train.Y, 8)) { Steps = 50 };
        Assert.Throws<DivergenceException>(() => trainer.Run());

        var stop = new TerminateOnNaN();
        var again = new Trainer(Compiled(lr: 1e30), new TensorBatches(Train.X, Train.Y, 8), [stop]) { Steps = 50 };
        again.Run();
        Assert.NotNull(stop.Diverged);
        Assert.Equal(again.Step + 1, stop.Step);
        Assert.True(stop.Step < 50);
    }

    [Fact]
    public void ModelCheckpointCanSaveEveryNStepsNamedByStep()
    {
        string pattern = Path.Combine(_dir.Path, "step-{step}");
        var checkpoint = new ModelCheckpoint(pattern, saveFrequency: 4);
        var trainer = new Trainer(Compiled(), new TensorBatches(Train.X, Train.Y, 8), [checkpoint]) { Steps = 9 };
        trainer.Run();
        Assert.Equal([Path.Combine(_dir.Path, "step-4"), Path.Combine(_dir.Path, "step-8")], checkpoint.Saved);
        Assert.Equal(8, Sequential.Load(checkpoint.Saved[1]).Optimizer!.Iterations);
    }

    /// <summary>Writes the events as a trace and the steps at which validation logs appeared.</summary>
    private sealed class Recorder : Callback
    {
        private readonly System.Text.StringBuilder _trace = new();

        public List<int> ValidatedAt { get; } = [];

        public string Trace => _trace.ToString().Trim();

        public override void OnTrainBegin() => _trace.Append("train+ ");

        public override void OnTrainEnd(IDictionary<string, double> logs) => _trace.Append("train.");

        public override void OnEpochBegin(int epoch) => _trace.Append($"e{epoch} ");

        public override void OnEpochEnd(int epoch, IDictionary<string, double> logs) => _trace.Append($"e{epoch}. ");

        public override void OnBatchBegin(int batch) => _trace.Append($"b{batch} ");

        public override void OnBatchEnd(int batch, IDictionary<string, double> logs)
        {
            if (logs.TryGetValue("val_loss", out double v))
            {
                Assert.Equal(Trainer.LastValidation["val_loss"], v);
                ValidatedAt.Add(Trainer.Step);
            }
        }
    }

    private sealed class StopAfter(int steps) : Callback
    {
        public override void OnBatchEnd(int batch, IDictionary<string, double> logs) => Model.StopTraining |= Trainer.Step == steps;
    }

    private sealed class RateRecorder(List<double> rates) : Callback
    {
        public override void OnBatchEnd(int batch, IDictionary<string, double> logs) => rates.Add(Model.Optimizer!.LearningRate);
    }
}
