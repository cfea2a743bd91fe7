using System.CommandLine;
using System.Globalization;
using Recur.Data;

namespace Recur.Cli;

/// <summary><c>recur train</c>: the TensorFlow MNIST LSTM tutorial, end to end, or the same on your own sequences (<c>--data</c>).</summary>
internal static class TrainCommand
{
    /// <summary>Builds the command and its options.</summary>
    public static Command Create()
    {
        var dataset = new Option<string>("--dataset") { Description = "mnist or fashion-mnist.", DefaultValueFactory = _ => "mnist" };
        dataset.AcceptOnlyFromAmong("mnist", "fashion-mnist");
        var sequence = new Option<string>("--sequence")
        {
            Description = "How an image becomes a sequence: rows (28 steps of 28 pixels), pixels (784 steps of 1), permuted-pixels (784 steps in a fixed shuffled order).",
            DefaultValueFactory = _ => "rows",
        };
        sequence.AcceptOnlyFromAmong("rows", "pixels", "permuted-pixels");
        var modelKind = new Option<string>("--model") { Description = "The recurrent layer: lstm (TensorFlow's BasicLSTMCell), gru (PyTorch's GRU), rnn (a simple tanh RNN) or lmu (a Legendre Memory Unit; see --order, --theta, --memory-only).", DefaultValueFactory = _ => "lstm" };
        modelKind.AcceptOnlyFromAmong(TrainRun.RecurrentKinds);
        var layers = OptionLimits.Layers.Attach(new Option<int>("--layers") { Description = "Recurrent layers stacked; each but the last passes its whole sequence to the next.", DefaultValueFactory = _ => 1 });
        var bidirectional = new Option<bool>("--bidirectional") { Description = "Read each sequence both ways in every recurrent layer and concatenate the two outputs (2 × --hidden features)." };
        var dropout = OptionLimits.Rate.Attach(new Option<float>("--dropout") { Description = "Dropout rate after every recurrent layer (between stacked layers and before the output layer), in training only.", DefaultValueFactory = _ => 0f });
        var recurrentDropout = OptionLimits.Rate.Attach(new Option<float>("--recurrent-dropout")
        {
            Description = "Keras's recurrent_dropout in every recurrent layer: the fraction of the previous state's units dropped from the recurrent product, one mask per sequence for all steps, in training only.",
            DefaultValueFactory = _ => 0f,
        });
        var chrono = new Option<bool>("--chrono-init") { Description = "Chrono initialisation of the gate biases (Tallec and Ollivier, 2018) for dependencies as long as the sequence: helps the 784-step pixel tasks. LSTM and GRU." };
        var layerNorm = new Option<bool>("--layer-norm")
        {
            Description = "Layer-normalised cells (Ba, Kiros and Hinton 2016): the input and recurrent products normalised apart over the gate units (and the LSTM's cell state before its tanh), with trained gains and shifts. LSTM and GRU.",
        };
        var layerNormEpsilon = OptionLimits.LayerNormEpsilon.Attach(new Option<float>("--layer-norm-epsilon")
        {
            Description = "ε of --layer-norm's normalisations, added to the variance under the square root.",
            DefaultValueFactory = _ => 1e-3f,
        });
        var hidden = OptionLimits.Hidden.Attach(new Option<int>("--hidden") { Description = "Units of each recurrent layer (of each direction).", DefaultValueFactory = _ => 128 });
        var order = OptionLimits.Order.Attach(new Option<int>("--order") { Description = "The LMU's memory order d (Legendre polynomials kept); --model lmu only.", DefaultValueFactory = _ => 256 });
        var theta = OptionLimits.Theta.Attach(new Option<float?>("--theta") { Description = "The LMU's window θ in steps [default: the sequence length]; --model lmu only." });
        var memoryOnly = new Option<bool>("--memory-only")
        {
            Description = "An LMU without a hidden cell (Chilkuri and Eliasmith 2021): its last memory m_T, computed as one matrix product, into Dense(--hidden, relu) and the output layer; --model lmu only.",
        };
        var forgetBias = OptionLimits.ForgetBias.Attach(new Option<float>("--forget-bias") { Description = "Added to the LSTM's forget gate (TensorFlow's BasicLSTMCell); LSTM only.", DefaultValueFactory = _ => 1f });
        var projection = new Option<bool>("--input-projection") { Description = "A Dense layer (random-normal weights, 0.1 biases) on every step before the LSTM, as in the static_rnn tutorial." };
        var optimizer = new Option<string>("--optimizer") { Description = "adam or sgd (GradientDescent).", DefaultValueFactory = _ => "adam" };
        optimizer.AcceptOnlyFromAmong("adam", "sgd");
        var lr = OptionLimits.LearningRate.Attach(new Option<double?>("--lr") { Description = "Learning rate, the peak of the cosine schedule [default: adam 0.002 with cosine decay, 0.001 constant (the tutorial's); sgd 0.1]." });
        var schedule = new Option<string>("--lr-schedule")
        {
            Description = "cosine: decay the learning rate from --lr to 0 over the run (the default); constant: keep --lr throughout, as the tutorial does; one-cycle: rise from --lr/25 to --lr over the first 30% of the run, then fall to --lr/250,000 (PyTorch's OneCycleLR, learning rate only).",
            DefaultValueFactory = _ => "cosine",
        };
        schedule.AcceptOnlyFromAmong("cosine", "constant", "one-cycle");
        var batchSize = OptionLimits.BatchSize.Attach(new Option<int>("--batch-size") { Description = "Images per training step.", DefaultValueFactory = _ => 128 });
        var steps = OptionLimits.Steps.Attach(new Option<int?>("--steps") { Description = "Training steps [default: 10000]." });
        var epochs = OptionLimits.Epochs.Attach(new Option<double?>("--epochs") { Description = "Train for this many passes over the 55,000 training images (or the training sequences of --data) instead of --steps." });
        var displayStep = OptionLimits.Steps.Attach(new Option<int>("--display-step") { Description = "Print the minibatch loss and accuracy every this many steps.", DefaultValueFactory = _ => 200 });
        var validationStep = OptionLimits.Steps.Attach(new Option<int?>("--validation-step") { Description = "Measure validation accuracy and save a checkpoint every this many steps [default: 5 × display step]." });
        var clipNorm = OptionLimits.ClipNorm.Attach(new Option<float?>("--clip-norm") { Description = "Clip gradients to this global norm (e.g. 5); off by default." });
        var seed = OptionLimits.Seed.Attach(new Option<ulong>("--seed") { Description = "Seed for weights and shuffling; the same seed and threads give the same run.", DefaultValueFactory = _ => 1 });
        var dataDir = new Option<string?>("--data-dir") { Description = "Where the four IDX files are (or go when fetched) [default: $RECUR_DATA, then the user cache]." };
        var output = new Option<string?>("--out") { Description = "Run directory for the checkpoints, metrics.csv and accuracy.svg [default: runs/<timestamp>]." };
        var overwrite = new Option<bool>("--overwrite") { Description = "Reuse an --out that holds an earlier run: its checkpoints are deleted once this run writes its first." };
        var preset = new Option<string?>("--preset")
        {
            Description = $"A named set of the options above; options given explicitly override it. fast: the tutorial's model trained for time to accuracy ({TrainPreset.Fast.Describe()}).",
        };
        preset.AcceptOnlyFromAmong([.. TrainPreset.All.Select(p => p.Name)]);
        Option<int?> threads = ThreadsOption.Create();
        var shards = OptionLimits.GradientShards.Attach(new Option<int?>("--gradient-shards")
        {
            Description = "Form each step's gradient as N shards of the batch added in rank order, as N MPI ranks do: the weights of 'mpirun -np N recur train', bit for bit, in one process [default: the whole batch at once].",
        });
        var resume = new Option<string?>("--resume")
        {
            Description = "Continue the stopped or killed run in this run directory from its last checkpoint, with its options (recorded in its run.json); the result is bit-identical to a run that never stopped.",
        };

        var command = new Command("train", "Train a recurrent network (an LSTM by default) to classify MNIST digits read as sequences (the TensorFlow RNN tutorial), or your own sequences (--data), texts (--text) or a time series (--series).")
        {
            dataset, sequence, modelKind, layers, bidirectional, dropout, recurrentDropout, chrono, layerNorm, layerNormEpsilon, hidden, order, theta, memoryOnly, forgetBias, projection, optimizer, lr, schedule, batchSize, steps, epochs, displayStep, validationStep,
            clipNorm, preset, seed, dataDir, output, overwrite, threads, shards, resume,
        };
        var files = new TrainDataOptions();
        foreach (Option option in files.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            TextWriter error = parse.InvocationConfiguration.Error;
            ParseResult run = parse;
            SortedDictionary<string, string[]> options = RunOptions.Given(parse, command.Options);
            if (parse.GetValue(resume) is string directory)
            {
                try
                {
                    (options, string status) = RunOptions.Read(directory);
                    string? problem = RunOptions.Conflict(options, RunOptions.Given(parse, command.Options), directory)
                        ?? (status == "finished" ? $"--resume {directory}: that run has finished; there is nothing to resume. Start a new run with another --out." : null);
                    if (problem is not null)
                    {
                        throw new UsageException(problem);
                    }
                }
                catch (UsageException e)
                {
                    error.WriteLine($"recur train: {e.Message} Run 'recur train --help' for the options.");
                    return ExitCodes.Usage;
                }

                // The run's own options, with where it is and how it may run now.
                List<string> args = RunOptions.Arguments(options);
                args.AddRange(["--out", directory]);
                foreach (Option free in (Option[])[threads, shards, dataDir])
                {
                    if (parse.GetResult(free) is { Implicit: false } given)
                    {
                        args.Add(free.Name);
                        args.AddRange(given.Tokens.Select(t => t.Value));
                    }
                }

                run = command.Parse(args);
                if (run.Errors.Count > 0)
                {
                    error.WriteLine($"recur train: --resume {directory}: its {RunOptions.FileName} holds {run.Errors[0].Message.TrimEnd('.')}; the run cannot be resumed.");
                    return ExitCodes.Usage;
                }
            }

            return Train(run, parse.InvocationConfiguration.Output, error, options, resuming: run != parse);
        });
        return command;

        int Train(ParseResult parse, TextWriter stdout, TextWriter error, SortedDictionary<string, string[]> options, bool resuming)
        {
            var settings = new TrainSettings
            {
                Dataset = parse.GetValue(dataset) == "fashion-mnist" ? MnistVariant.FashionMnist : MnistVariant.Mnist,
                Sequence = parse.GetValue(sequence) switch
                {
                    "pixels" => SequenceView.Pixels,
                    "permuted-pixels" => SequenceView.PermutedPixels,
                    _ => SequenceView.Rows,
                },
                Model = parse.GetValue(modelKind)!,
                Layers = parse.GetValue(layers),
                Bidirectional = parse.GetValue(bidirectional),
                Dropout = parse.GetValue(dropout),
                RecurrentDropout = parse.GetValue(recurrentDropout),
                ChronoInit = parse.GetValue(chrono),
                LayerNorm = parse.GetValue(layerNorm),
                LayerNormEpsilon = parse.GetValue(layerNormEpsilon),
                LayerNormEpsilonGiven = parse.GetResult(layerNormEpsilon) is { Implicit: false },
                Hidden = parse.GetValue(hidden),
                ForgetBias = parse.GetValue(forgetBias),
                Order = parse.GetValue(order),
                Theta = parse.GetValue(theta),
                MemoryOnly = parse.GetValue(memoryOnly),
                InputProjection = parse.GetValue(projection),
                Optimizer = parse.GetValue(optimizer)!,
                LearningRate = parse.GetValue(lr) ?? TrainSettings.DefaultLearningRate(parse.GetValue(optimizer)!, parse.GetValue(schedule) != "constant"),
                Schedule = parse.GetValue(schedule)!,
                BatchSize = parse.GetValue(batchSize),
                Steps = parse.GetValue(steps),
                Epochs = parse.GetValue(epochs),
                DisplayStep = parse.GetValue(displayStep),
                ValidationStep = parse.GetValue(validationStep),
                ClipNorm = parse.GetValue(clipNorm),
                Seed = parse.GetValue(seed),
                DataDir = parse.GetValue(dataDir),
                OutputDirectory = parse.GetValue(output) ?? Path.Combine("runs", DateTime.Now.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)),
                Overwrite = parse.GetValue(overwrite),
                Threads = parse.GetValue(threads),
                GradientShards = parse.GetValue(shards),
                RunOptions = options,
                Resume = resuming,
            };

            if (TrainPreset.Named(parse.GetValue(preset)) is TrainPreset named)
            {
                settings = named.Apply(settings, [.. RunOptions.Given(parse, command.Options).Keys]);
            }

            string? dataProblem = files.Read(parse, out DataSettings? data, out TextSettings? text, out SeriesSettings? series, dataset, sequence, dataDir);
            settings = settings with { Data = data, Text = text, Series = series, MaskValue = parse.GetValue(files.MaskValue) };
            if ((dataProblem ?? settings.Validate() ?? MnistMemoryProblem(settings)) is string problem)
            {
                error.WriteLine($"recur train: {problem} Run 'recur train --help' for the options.");
                return ExitCodes.Usage;
            }

            return MpiTraining.Run(settings, stdout, error);
        }
    }

    /// <summary>On MNIST, whose shape is known before it is read: whether the run fits in memory (<see cref="RunMemory"/>).</summary>
    private static string? MnistMemoryProblem(TrainSettings settings) =>
        settings.Data is null && settings.Text is null && settings.Series is null
            ? RunMemory.Problem(settings, settings.Sequence == SequenceView.Rows ? 28 : 784, settings.Sequence == SequenceView.Rows ? 28 : 1, Mnist.Classes, null, false, RunMemory.MnistBytes)
            : null;
}
