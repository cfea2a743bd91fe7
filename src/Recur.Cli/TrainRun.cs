using System.Diagnostics;
using System.Globalization;
using Recur.Data;
using Recur.Initializers;
using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;

namespace Recur.Cli;

/// <summary>One <c>recur train</c> run: data, model, the tutorial's training loop, and the run directory.</summary>
internal sealed partial class TrainRun(TrainSettings settings, TextWriter output, TextWriter error)
{
    /// <summary>The permutation of <c>permuted-pixels</c> is fixed, so every run learns the same task.</summary>
    internal const ulong PermutationSeed = 0x5EED_0784;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

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
            data = settings.Data is DataSettings files ? ReadFiles(files) : ReadMnist();
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
        Sequential model = BuildModel(settings, layout, data.Classes);
        model.Compile(
            new SoftmaxCrossEntropy(),
            settings.Optimizer == "sgd" ? new Sgd(settings.LearningRate) : new Adam(settings.LearningRate),
            clipNorm: settings.ClipNorm);

        // Before training: a locked, unwritable or too full --out fails here, in one line.
        using RunDirectory? run = RunDirectory.Open(settings, data.Metadata, error, out int refused);
        if (run is null || !run.TryCheckRoom(model, error))
        {
            return run is null ? refused : ExitCodes.Failed;
        }

        int total = settings.TotalSteps, batch = settings.BatchSize, validationStep = settings.EffectiveValidationStep;
        output.WriteLine(string.Create(Inv,
            $"Training {Describe(model)} on {data.Description}: {total:N0} steps of {batch}, {settings.Optimizer} lr {settings.LearningRate}{(settings.CosineSchedule ? " with cosine decay" : "")}, seed {settings.Seed}."));

        Tensor validationX = layout.Apply(data.Validation.Images).Clone();
        var images = new Tensor(batch, data.Train.Features);
        var labels = new Tensor(batch, data.Train.Classes);
        int[] classes = new int[batch];

        var training = Stopwatch.StartNew();
        int step = 0;
        double lastValidation = double.NaN;
        try
        {
            ProgressReporter.Run(output, total, batch, progress =>
            {
                for (step = 1; step <= total; step++)
                {
                    model.Optimizer!.LearningRate = settings.LearningRateAt(step);
                    data.Train.NextBatch(images, labels, classes);
                    BatchResult r = model.TrainOnBatch(layout.Apply(images), labels);
                    bool display = step == 1 || step % settings.DisplayStep == 0 || step == total;
                    bool validate = step % validationStep == 0 || step == total;
                    if (validate)
                    {
                        lastValidation = model.Evaluate(validationX, data.Validation.OneHotLabels).Accuracy;
                    }

                    if (display || validate)
                    {
                        run.Record(new MetricsRow(step, r.Loss, r.Accuracy, validate ? lastValidation : double.NaN));
                    }

                    if (display)
                    {
                        progress.Line(string.Create(Inv, $"Step {step}, Minibatch Loss= {r.Loss:F4}, Training Accuracy= {r.Accuracy:F3}")
                            + (validate ? string.Create(Inv, $", Validation Accuracy= {lastValidation:F4}") : ""));
                    }

                    if (validate)
                    {
                        run.Save(model, step, lastValidation);
                    }

                    progress.Advance(step);
                }
            });
        }
        catch (DivergenceException e)
        {
            error.WriteLine($"recur train: the run diverged at step {step}: {e.Message}");
            error.WriteLine(string.Create(Inv,
                $"Try a lower --lr (this run used {settings.LearningRate}) or clip gradients with --clip-norm 5."));
            error.WriteLine(run.LastSavedStep is int saved
                ? $"The checkpoint of step {saved} is kept in {run.Directory}."
                : $"No checkpoint was saved yet; metrics so far are in {run.Directory}.");
            run.TrySaveMetrics(error);
            return ExitCodes.Failed;
        }
        catch (IOException e) // a checkpoint that could not be written: the message names the path and the checkpoint kept
        {
            error.WriteLine($"recur train: {e.Message}");
            return ExitCodes.Failed;
        }

        training.Stop();
        output.WriteLine("Optimization Finished!");

        if (data.IsMnist && data.Test is not null)
        {
            DataSet first128 = data.Test.Take(128);
            float tutorial = model.Evaluate(layout.Apply(first128.Images).Clone(), first128.OneHotLabels).Accuracy;
            output.WriteLine(string.Create(Inv, $"Testing Accuracy: {tutorial:0.0#######}")); // Python's way: 1.0, 0.984375
            run.Summary["test_accuracy_first_128"] = tutorial.ToString("R", Inv);
        }

        output.WriteLine(string.Create(Inv, $"Validation accuracy ({data.Validation.Count:N0} {data.Noun}): {lastValidation:F4}"));
        if (data.Test is not null)
        {
            float test = model.Evaluate(layout.Apply(data.Test.Images), data.Test.OneHotLabels).Accuracy;
            output.WriteLine(string.Create(Inv, $"Test accuracy (all {data.Test.Count:N0} {data.Noun}): {test:F4}"));
            run.Summary["test_accuracy"] = test.ToString("R", Inv);
        }
        else
        {
            output.WriteLine("No test accuracy: no test data was given (--test-data); the accuracy above is on the validation split of --data.");
        }

        run.Summary["validation_accuracy"] = ((float)lastValidation).ToString("R", Inv);
        run.Summary["training_seconds"] = training.Elapsed.TotalSeconds.ToString("F1", Inv);
        try
        {
            run.Save(model, total, lastValidation);
        }
        catch (IOException e)
        {
            error.WriteLine($"recur train: {e.Message}");
            return ExitCodes.Failed;
        }

        output.WriteLine(string.Create(Inv,
            $"Time: {clock.Elapsed.TotalSeconds:F1} s in all, training {training.Elapsed.TotalSeconds:F1} s ({(double)total * batch / training.Elapsed.TotalSeconds:N0} samples/s)."));
        output.WriteLine($"Saved the model, metrics.csv and accuracy.svg in {run.Directory}");
        return ExitCodes.Ok;
    }

    /// <summary>The values of <c>--model</c>.</summary>
    internal static readonly string[] RecurrentKinds = ["lstm", "gru", "rnn"];

    /// <summary>
    /// The tutorial model, [Dense projection →] Lstm → Dense(classes), generalised: <c>--layers</c> recurrent layers of
    /// <c>--model</c>'s kind, each wrapped in a <see cref="Bidirectional"/> with <c>--bidirectional</c> and followed by a
    /// <see cref="Dropout"/> with <c>--dropout</c>; <c>--recurrent-dropout</c> sets every recurrent layer's <c>RecurrentDropout</c>
    /// (its masks drawn, in training, from the layer's share of the seed). With the defaults the weights are drawn exactly as
    /// the tutorial model's.
    /// </summary>
    internal static Sequential BuildModel(TrainSettings settings, SequenceLayout layout, int classes = Mnist.Classes)
    {
        var rng = new Rng(settings.Seed);
        var model = new Sequential();
        int input = layout.Features;
        if (settings.InputProjection)
        {
            model.Add(new Dense(layout.Features, settings.Hidden, weightInitializer: new RandomNormal(), biasInitializer: new Constant(0.1f), rng: rng, name: "projection"));
            input = settings.Hidden;
        }

        for (int k = 0; k < settings.Layers; k++)
        {
            bool sequences = k < settings.Layers - 1;
            string suffix = k == 0 ? "" : string.Create(Inv, $"_{k}");
            IRecurrentLayer layer = settings.Bidirectional
                ? new Bidirectional(
                    Recurrent(settings, input, sequences, rng, "forward_" + Stem(settings.Model)),
                    Recurrent(settings, input, sequences, rng, "backward_" + Stem(settings.Model)),
                    name: "bidirectional" + suffix)
                : Recurrent(settings, input, sequences, rng, Stem(settings.Model) + suffix);
            if (settings.ChronoInit)
            {
                foreach (IRecurrentLayer direction in layer is Bidirectional b ? (IRecurrentLayer[])[b.ForwardLayer, b.BackwardLayer] : [layer])
                {
                    InitializeChrono(direction, layout.Steps, rng.Fork());
                }
            }

            model.Add(layer);
            input = layer.OutputSize;
            if (settings.Dropout > 0)
            {
                model.Add(new Dropout(settings.Dropout, rng.Fork(), "dropout" + suffix));
            }
        }

        model.Add(new Dense(input, classes, rng: rng));
        return model;
    }

    private static void InitializeChrono(IRecurrentLayer layer, int steps, Rng rng)
    {
        switch (layer)
        {
            case Lstm l:
                l.InitializeChrono(Math.Max(steps, 3), rng);
                break;
            case Gru g:
                g.InitializeChrono(Math.Max(steps, 3), rng);
                break;
            default:
                throw new ArgumentException($"recur train: --chrono-init does not apply to {layer.GetType().Name}.");
        }
    }

    /// <summary>Keras's name stem for a <c>--model</c> kind: <c>lstm</c>, <c>gru</c>, <c>simple_rnn</c>.</summary>
    private static string Stem(string kind) => kind == "rnn" ? "simple_rnn" : kind;

    /// <summary>One recurrent layer of <c>--model</c>'s kind; it keeps <paramref name="rng"/> for its recurrent dropout masks.</summary>
    private static IRecurrentLayer Recurrent(TrainSettings settings, int input, bool returnSequences, Rng rng, string name) => settings.Model switch
    {
        "lstm" => new Lstm(input, settings.Hidden, settings.ForgetBias, returnSequences, rng: rng, name: name) { RecurrentDropout = settings.RecurrentDropout },
        "gru" => new Gru(input, settings.Hidden, returnSequences, rng: rng, name: name) { RecurrentDropout = settings.RecurrentDropout },
        "rnn" => new SimpleRnn(input, settings.Hidden, RnnActivation.Tanh, returnSequences, rng: rng, name: name) { RecurrentDropout = settings.RecurrentDropout },
        _ => throw new ArgumentException($"recur train: unknown --model '{settings.Model}'; use {string.Join(", ", RecurrentKinds)}."),
    };

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

    private static string Describe(Sequential model) => string.Join(" → ", model.Layers.Select(Describe));

    private static string Describe(ILayer layer) => layer switch
    {
        Lstm l => $"LSTM({l.HiddenSize}{RecurrentDropout(l.RecurrentDropout)})",
        Gru g => $"GRU({g.HiddenSize}{RecurrentDropout(g.RecurrentDropout)})",
        SimpleRnn r => $"SimpleRNN({r.HiddenSize}{(r.Activation == RnnActivation.Relu ? ", relu" : "")}{RecurrentDropout(r.RecurrentDropout)})",
        Bidirectional b => $"Bidirectional({Describe(b.ForwardLayer)})",
        Dropout d => string.Create(Inv, $"Dropout({d.Rate})"),
        Dense d => $"Dense({d.OutFeatures})",
        _ => layer.Name,
    };

    private static string RecurrentDropout(float rate) => rate > 0 ? string.Create(Inv, $", recurrent_dropout={rate}") : "";
}
