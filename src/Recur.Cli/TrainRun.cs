using System.Diagnostics;
using System.Globalization;
using Recur.Data;
using Recur.Initializers;
using Recur.Layers;
using Recur.Losses;
using Recur.Mpi;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Training;

namespace Recur.Cli;

/// <summary>One <c>recur train</c> run: data, model, the tutorial's training loop, and the run directory.</summary>
/// <param name="settings">The run's options.</param>
/// <param name="output">Where the log goes.</param>
/// <param name="error">Where errors go.</param>
/// <param name="world">The ranks of a data-parallel run under mpirun (<see cref="MpiTraining"/>), or null to train alone.</param>
internal sealed partial class TrainRun(TrainSettings settings, TextWriter output, TextWriter error, MpiWorld? world = null)
{
    /// <summary>The permutation of <c>permuted-pixels</c> is fixed, so every run learns the same task.</summary>
    internal const ulong PermutationSeed = 0x5EED_0784;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// Whether the run ended by a divergence, which every rank of an MPI run meets at the same step (the gradients
    /// are summed before the check), so none has to end the others.
    /// </summary>
    public bool DivergedTogether { get; private set; }

    /// <summary>Runs and returns the exit code.</summary>
    public int Run()
    {
        var clock = Stopwatch.StartNew();
        if (settings.Threads is int threads)
        {
            Threading.MaxThreads = threads;
        }

        TrainingData data;
        try
        {
            data = settings.Data is DataSettings files ? ReadFiles(files)
                : settings.Text is TextSettings text ? ReadText(text)
                : settings.Series is SeriesSettings series ? ReadSeries(series)
                : ReadMnist();
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            error.WriteLine($"recur train: {e.Message}");
            return ExitCodes.Failed;
        }
        catch (UsageException e)
        {
            error.WriteLine($"recur train: {e.Message} Run 'recur train --help' for the options.");
            return ExitCodes.Usage;
        }

        SequenceLayout layout = data.Layout;
        if (!data.IsMnist && RunMemory.Problem(settings, layout.Steps, layout.Features, data.Classes, data.VocabularySize, data.Task == TrainTask.Label, 0) is string memory)
        {
            error.WriteLine($"recur train: {memory} Run 'recur train --help' for the options.");
            return ExitCodes.Usage;
        }

        WarnIfMaskValueAbsent(data);
        Sequential model = BuildModel(settings, layout, data.Classes, data.Task, data.VocabularySize);
        Optimizer optimizer = settings.Optimizer == "sgd" ? new Sgd(settings.LearningRate) : new Adam(settings.LearningRate);
        switch (data.Task)
        {
            case TrainTask.Regress:
                model.Compile(new MeanSquaredError(), optimizer, ["mae", "rmse"], settings.ClipNorm);
                break;
            case TrainTask.Label:
                model.Compile(new SparseCategoricalCrossentropy(fromLogits: true), optimizer, ["accuracy"], settings.ClipNorm);
                break;
            default:
                model.Compile(new SoftmaxCrossEntropy(), optimizer, ["accuracy"], settings.ClipNorm);
                break;
        }

        string monitored = data.Task.Monitored();

        // Before training: a locked, unwritable or too full --out fails here, in one line. Under MPI rank 0 alone writes it.
        bool lead = world is not { Rank: > 0 };
        int refused = ExitCodes.Failed;
        using RunDirectory? run = lead ? RunDirectory.Open(settings, data.Metadata, error, out refused) : RunDirectory.Unwritten(settings, data.Metadata);
        if (run is null || (lead && !run.TryCheckRoom(model, error)))
        {
            return run is null ? refused : ExitCodes.Failed;
        }

        run.Monitored = monitored;

        int total = settings.TotalSteps, batch = settings.BatchSize;
        System.Text.Json.Nodes.JsonObject? resumeState = null;
        try
        {
            // Other ranks take rank 0's weights, optimizer state and position at the start of the loop.
            if (lead && settings.Resume)
            {
                (string checkpoint, resumeState) = run.LastCheckpoint();
                model.Restore(checkpoint);
            }
            else if (lead)
            {
                run.Begin(settings.RunOptions ?? new SortedDictionary<string, string[]>());
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            error.WriteLine($"recur train: {e.Message}");
            return ExitCodes.Failed;
        }

        string what = resumeState is null ? world is { Size: > 1 } ? string.Create(Inv, $"Training on {world.Size} MPI ranks") : "Training" : string.Create(Inv, $"Resuming from step {(int?)resumeState["step"]}:");
        output.WriteLine(string.Create(Inv,
            $"{what} {Describe(model)} on {data.Description}: {total:N0} steps of {batch}, {settings.Optimizer} lr {settings.LearningRate}{settings.Schedule switch { "cosine" => " with cosine decay", "one-cycle" => " with a one-cycle schedule", _ => "" }}, seed {settings.Seed}."));

        Tensor validationX = data.Input(data.Validation.Images).Clone();
        var log = new TrainLog(settings, run, model, monitored);
        var metrics = new CsvLogger(run.MetricsPath, RunDirectory.Columns(monitored), t => settings.IsDisplayStep(t.Step) || settings.IsValidationStep(t.Step));
        IBatchSource batches = data.Task == TrainTask.Classify && data.TrainLengths is null && data.VocabularySize is null
            ? new DataSetBatches(data.Train, batch, layout.Apply) // the tutorial's batches, as they always were
            : new SequenceBatches(data.Train, data.Targets(data.Train), batch, layout.Steps, data.TrainLengths, data.Input);
        var trainer = new Trainer(
            model,
            batches,
            [new ScheduledLearningRate(settings.LearningRates(total)), metrics, log]) // metrics before the checkpoints of log
        {
            Steps = total,
            ValidationData = (validationX, data.Targets(data.Validation)),
            ValidationLengths = data.ValidationLengths,
            ValidationFrequency = settings.EffectiveValidationStep,
            Replicas = world,
            GradientShards = settings.GradientShards,
        };

        var training = Stopwatch.StartNew();
        try
        {
            ProgressReporter.Run(output, total, batch, progress =>
            {
                log.Progress = progress;
                trainer.Run(resume: resumeState);
            });
        }
        catch (DivergenceException) when (!lead)
        {
            DivergedTogether = true;
            return ExitCodes.Failed; // rank 0 says why
        }
        catch (DivergenceException e)
        {
            DivergedTogether = true;
            error.WriteLine($"recur train: the run diverged at step {trainer.Step + 1}: {e.Message}");
            error.WriteLine(string.Create(Inv,
                $"Try a lower --lr (this run used {settings.LearningRate}) or clip gradients with --clip-norm 5."));
            error.WriteLine(run.LastSavedStep is int saved
                ? $"The checkpoint of step {saved} is kept in {run.Directory}."
                : $"No checkpoint was saved yet; metrics so far are in {run.Directory}.");
            run.TrySaveChart(error);
            return ExitCodes.Failed;
        }
        catch (IOException e) // a checkpoint that could not be written: the message names the path and the checkpoint kept
        {
            error.WriteLine($"recur train: {e.Message}");
            return ExitCodes.Failed;
        }

        training.Stop();
        double lastValidation = log.LastValidation; // NaN on ranks other than 0, which print nothing
        output.WriteLine("Optimization Finished!");

        if (data.IsMnist && data.Test is not null)
        {
            DataSet first128 = data.Test.Take(128);
            float tutorial = Test(model, layout.Apply(first128.Images).Clone(), first128.OneHotLabels).Accuracy;
            output.WriteLine(string.Create(Inv, $"Testing Accuracy: {tutorial:0.0#######}")); // Python's way: 1.0, 0.984375
            run.Summary["test_accuracy_first_128"] = tutorial.ToString("R", Inv);
        }

        ReportResults(data, model, run, lastValidation); // the test data split across the ranks under MPI
        if (!lead)
        {
            return ExitCodes.Ok; // rank 0 saves
        }

        run.Summary["training_seconds"] = training.Elapsed.TotalSeconds.ToString("F1", Inv);
        try
        {
            run.Save(model, total, lastValidation, trainer.CaptureState());
            run.Finish(settings.RunOptions ?? new SortedDictionary<string, string[]>());
        }
        catch (IOException e)
        {
            error.WriteLine($"recur train: {e.Message}");
            return ExitCodes.Failed;
        }

        output.WriteLine(string.Create(Inv,
            $"Time: {clock.Elapsed.TotalSeconds:F1} s in all, training {training.Elapsed.TotalSeconds:F1} s ({(double)total * batch / training.Elapsed.TotalSeconds:N0} samples/s)."));
        if (world is { Size: > 1, Allreduces: > 0 })
        {
            output.WriteLine(string.Create(Inv,
                $"MPI: {world.Size} ranks, {world.Allreduces:N0} allreduces of {world.AllreduceBytes / world.Allreduces:N0} bytes, {world.AllreduceTime.TotalMilliseconds / world.Allreduces:F3} ms each on rank 0 (waiting for the other ranks included)."));
        }

        output.WriteLine($"Saved the model, metrics.csv and accuracy.svg in {run.Directory}");
        return ExitCodes.Ok;
    }

    /// <summary>The values of <c>--model</c>.</summary>
    internal static readonly string[] RecurrentKinds = ["lstm", "gru", "rnn", "lmu"];

    /// <summary>
    /// The tutorial model, [Embedding | Masking →] [Dense projection →] Lstm → Dense(classes), generalised: <c>--layers</c> recurrent layers of
    /// <c>--model</c>'s kind, each wrapped in a <see cref="Bidirectional"/> with <c>--bidirectional</c> and followed by a
    /// <see cref="Dropout"/> with <c>--dropout</c>; <c>--recurrent-dropout</c> sets every recurrent layer's <c>RecurrentDropout</c>
    /// (its masks drawn, in training, from the run's random source), <c>--layer-norm</c> layer-normalises them,
    /// <c>--chrono-init</c> gives the gated layers a
    /// <see cref="Chrono"/> bias. Every layer is built from its record with the run's one random source, in order, so
    /// with the defaults the weights are drawn exactly as the tutorial model's.
    /// </summary>
    /// <param name="settings">The run's options.</param>
    /// <param name="layout">The sequences' shape [T, F].</param>
    /// <param name="classes">The output layer's units: classes, or the regression targets' width.</param>
    /// <param name="task">Label makes every recurrent layer return its sequence, for a Dense on every step.</param>
    /// <param name="vocabularySize">For token ids: an Embedding(vocabulary, --embedding-dim, mask_zero) comes first.</param>
    internal static Sequential BuildModel(TrainSettings settings, SequenceLayout layout, int classes = Mnist.Classes, TrainTask task = TrainTask.Classify, int? vocabularySize = null)
    {
        var rng = new Rng(settings.Seed);
        var model = new Sequential();
        int[] shape = [layout.Steps, layout.Features];
        if (vocabularySize is int vocabulary)
        {
            shape = Add(model, new EmbeddingLayer(vocabulary, settings.Text?.EmbeddingDim ?? 32, MaskZero: true), [layout.Steps], rng);
        }

        if (settings.MaskValue is float maskValue)
        {
            shape = Add(model, new MaskingLayer(maskValue), shape, rng);
        }

        if (settings.InputProjection)
        {
            shape = Add(model, new DenseLayer(settings.Hidden) { Name = "projection", KernelInitializer = new RandomNormal(), BiasInitializer = new Constant(0.1f) }, shape, rng);
        }

        for (int k = 0; k < settings.Layers; k++)
        {
            string suffix = k == 0 ? "" : string.Create(Inv, $"_{k}");
            LayerConfig recurrent = Recurrent(settings, returnSequences: task == TrainTask.Label || k < settings.Layers - 1, layout.Steps);
            if (settings.Bidirectional)
            {
                // Both directions draw from the run's source, forward first (a BidirectionalLayer would fork one per direction).
                string stem = recurrent.BaseName;
                model.Add(new Bidirectional(
                    (IRecurrentLayer)(recurrent with { Name = "forward_" + stem }).Build(shape, rng),
                    (IRecurrentLayer)(recurrent with { Name = "backward_" + stem }).Build(shape, rng),
                    name: "bidirectional" + suffix));
                shape = [.. model.OutputShape!];
            }
            else
            {
                // An LMU first is built for the run's length, so its parallel form exports to ONNX (its impulse response needs T).
                LayerConfig named = recurrent is LmuLayer && model.Layers.Count == 0 ? recurrent with { InputShape = shape } : recurrent;
                shape = Add(model, named with { Name = recurrent.BaseName + suffix }, shape, rng);
            }

            if (settings.Dropout > 0)
            {
                shape = Add(model, new DropoutLayer(settings.Dropout) { Name = "dropout" + suffix }, shape, rng.Fork());
            }
        }

        if (settings.Model == "lmu" && settings.MemoryOnly)
        {
            shape = Add(model, MemoryHead(settings), shape, rng);
        }

        Add(model, new DenseLayer(classes) { KernelInitializer = new TorchUniform(), BiasInitializer = new TorchUniform() }, shape, rng);
        return model;
    }

    /// <summary>Builds <paramref name="config"/> for <paramref name="shape"/> from <paramref name="rng"/>, adds it, and returns its output shape.</summary>
    private static int[] Add(Sequential model, LayerConfig config, int[] shape, Rng rng)
    {
        model.Add(config.Build(shape, rng));
        return config.OutputShape(shape);
    }

    /// <summary>
    /// The record of one recurrent layer of <c>--model</c>'s kind: the engine classes' initializers (Glorot uniform,
    /// orthogonal, zero biases or chrono), TensorFlow 1's constant forget bias rather than Keras's unit forget bias.
    /// </summary>
    internal static LayerConfig Recurrent(TrainSettings settings, bool returnSequences, int steps)
    {
        if (settings.Model == "lmu")
        {
            // keras-lmu's default connections: the memory reads x alone, so a memory-only layer runs the parallel form.
            return new LmuLayer(settings.Order, settings.Theta ?? steps, settings.MemoryOnly ? null : settings.Hidden, returnSequences);
        }

        IInitializer bias = settings.ChronoInit ? new Chrono(Math.Max(steps, 3)) : new Zeros();
        RecurrentLayerConfig layer = settings.Model switch
        {
            "lstm" => new LstmLayer(settings.Hidden, settings.ForgetBias, returnSequences, RecurrentDropout: settings.RecurrentDropout)
            {
                UnitForgetBias = false,
                BiasInitializer = bias,
            },
            "gru" => new GruLayer(settings.Hidden, returnSequences, RecurrentDropout: settings.RecurrentDropout) { BiasInitializer = bias },
            "rnn" => new SimpleRnnLayer(settings.Hidden, RnnActivation.Tanh, returnSequences, RecurrentDropout: settings.RecurrentDropout),
            _ => throw new ArgumentException($"recur train: unknown --model '{settings.Model}'; use {string.Join(", ", RecurrentKinds)}."),
        };
        return settings.LayerNorm ? layer with { LayerNorm = true, LayerNormEpsilon = settings.LayerNormEpsilon } : layer;
    }

    /// <summary>Chilkuri and Eliasmith's dense layer on a memory-only LMU's memory: Dense(<c>--hidden</c>, relu).</summary>
    internal static DenseLayer MemoryHead(TrainSettings settings) => new(settings.Hidden, Activation.Relu) { Name = "memory_dense" };

    /// <summary>What evaluate and predict need to feed images to the saved model.</summary>
    internal static Dictionary<string, string> ModelMetadata(TrainSettings settings, SequenceLayout layout) => new()
    {
        ["dataset"] = Name(settings.Dataset),
        ["sequence"] = SequenceName(settings.Sequence),
        ["permutation_seed"] = PermutationSeed.ToString(Inv),
        ["steps"] = layout.Steps.ToString(Inv),
        ["features"] = layout.Features.ToString(Inv),
        ["seed"] = settings.Seed.ToString(Inv),
    };

    internal static string Name(MnistVariant v) => v == MnistVariant.FashionMnist ? "fashion-mnist" : "mnist";

    internal static string SequenceName(SequenceView v) => v switch
    {
        SequenceView.Pixels => "pixels",
        SequenceView.PermutedPixels => "permuted-pixels",
        _ => "rows",
    };

    /// <summary>"LSTM(128) → Dense(10)": each layer's options described (<see cref="LayerConfig.Describe"/>).</summary>
    private static string Describe(Sequential model) =>
        string.Join(" → ", model.Configs.Select((c, k) => c?.Describe() ?? model.Layers[k].Name));
}
