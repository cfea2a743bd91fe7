using System.Globalization;
using Recur.Data;
using Recur.IO;
using Recur.Training;

namespace Recur.Cli;

/// <summary>Everything <c>recur train</c> was asked to do, after parsing.</summary>
internal sealed record TrainSettings
{
    /// <summary>Images per epoch of the training split (TensorFlow's 55,000).</summary>
    public const int TrainImages = 55_000;

    public MnistVariant Dataset { get; init; }
    public SequenceView Sequence { get; init; }
    public string Model { get; init; } = "lstm";
    public int Layers { get; init; } = 1;
    public bool Bidirectional { get; init; }
    public float Dropout { get; init; }
    public float RecurrentDropout { get; init; }
    public bool ChronoInit { get; init; }
    public bool LayerNorm { get; init; }
    public float LayerNormEpsilon { get; init; } = 1e-3f;

    /// <summary>Whether <c>--layer-norm-epsilon</c> was given (it means nothing without <c>--layer-norm</c>).</summary>
    public bool LayerNormEpsilonGiven { get; init; }
    public int Hidden { get; init; } = 128;
    public float ForgetBias { get; init; } = 1f;

    /// <summary>The LMU's memory order (<c>--order</c>).</summary>
    public int Order { get; init; } = 256;

    /// <summary>The LMU's window in steps (<c>--theta</c>); null for the sequence length.</summary>
    public float? Theta { get; init; }

    /// <summary>An LMU without a hidden cell, its memory into Dense(<see cref="Hidden"/>, relu) (<c>--memory-only</c>).</summary>
    public bool MemoryOnly { get; init; }
    public bool InputProjection { get; init; }
    public string Optimizer { get; init; } = "adam";
    public double LearningRate { get; init; } = 0.001;
    /// <summary>The learning-rate schedule: <c>cosine</c>, <c>constant</c> or <c>one-cycle</c> (<c>--lr-schedule</c>).</summary>
    public string Schedule { get; init; } = "cosine";
    public int BatchSize { get; init; } = 128;
    public int? Steps { get; init; }
    public double? Epochs { get; init; }
    public int DisplayStep { get; init; } = 200;
    public int? ValidationStep { get; init; }
    public float? ClipNorm { get; init; }
    public ulong Seed { get; init; } = 1;
    public string? DataDir { get; init; }
    public string OutputDirectory { get; init; } = "runs";
    public bool Overwrite { get; init; }
    public int? Threads { get; init; }

    /// <summary><c>--gradient-shards</c>: shards each step's gradient is formed from in one process (<see cref="Trainer.GradientShards"/>), or null.</summary>
    public int? GradientShards { get; init; }

    /// <summary>The options as given on the command line (for <c>run.json</c>); null when the settings were not parsed from one.</summary>
    public IReadOnlyDictionary<string, string[]>? RunOptions { get; init; }

    /// <summary>Continue the run in <see cref="OutputDirectory"/> from its last checkpoint (<c>--resume</c>).</summary>
    public bool Resume { get; init; }

    /// <summary>Where and how to find the data; tests point it at the repository's MNIST slice.</summary>
    public MnistOptions? DataOptions { get; init; }

    /// <summary>Opens the run directory (<see cref="CheckpointDirectory.Open(string, CheckpointMode)"/>); tests pass one whose file operations fail.</summary>
    public Func<string, CheckpointMode, CheckpointDirectory>? OpenCheckpoints { get; init; }

    /// <summary>Your own sequences instead of MNIST (<c>--data</c>); null for MNIST.</summary>
    public DataSettings? Data { get; init; }

    /// <summary>Labelled texts instead of MNIST (<c>--text</c>); null otherwise.</summary>
    public TextSettings? Text { get; init; }

    /// <summary>A time series to forecast instead of MNIST (<c>--series</c>); null otherwise.</summary>
    public SeriesSettings? Series { get; init; }

    /// <summary>A Masking layer first, masking the steps whose features all equal this value (<c>--mask-value</c>); null for none.</summary>
    public float? MaskValue { get; init; }

    /// <summary>The number of training steps: <see cref="Steps"/>, or <see cref="Epochs"/> converted, or 10,000.</summary>
    public int TotalSteps => Steps ?? (Epochs is double e ? (int)Math.Ceiling(e * TrainImages / BatchSize) : 10_000);

    /// <summary>Steps between validation measurements and checkpoints.</summary>
    public int EffectiveValidationStep => ValidationStep ?? 5 * DisplayStep;

    /// <summary>Whether step <paramref name="step"/> (1-based) prints the tutorial's line: the first, every display step, the last.</summary>
    public bool IsDisplayStep(int step) => step == 1 || step % DisplayStep == 0 || step == TotalSteps;

    /// <summary>Whether step <paramref name="step"/> measures validation accuracy (and checkpoints): every validation step, the last.</summary>
    public bool IsValidationStep(int step) => step % EffectiveValidationStep == 0 || step == TotalSteps;

    /// <summary>
    /// The learning rate when none is given: Adam's 0.001 of the tutorial with a constant rate; 0.002 as
    /// the peak of the cosine (or one-cycle) schedule (chosen by validation accuracy: 0.9914 against 0.9908 for 0.001);
    /// 0.1 for plain gradient descent.
    /// </summary>
    public static double DefaultLearningRate(string optimizer, bool scheduled) =>
        optimizer == "sgd" ? 0.1 : scheduled ? 0.002 : 0.001;

    /// <summary>
    /// The rate of each step: <see cref="LearningRate"/> throughout (<c>constant</c>); decaying from it along a cosine to
    /// just above 0 over the run (<c>cosine</c>, <see cref="CosineDecay"/>); or rising to it over the first 30% of the run
    /// and falling to 1/250,000 of it (<c>one-cycle</c>, <see cref="OneCycle"/>, PyTorch's <c>OneCycleLR</c>).
    /// </summary>
    /// <param name="total">The run's step count (<see cref="TotalSteps"/> once epochs are counted).</param>
    public LearningRateSchedule LearningRates(int total) => Schedule switch
    {
        "constant" => new ConstantRate(LearningRate),
        "one-cycle" => new OneCycle(LearningRate, Math.Max(total, 2)),
        _ => new CosineDecay(LearningRate, total),
    };

    /// <summary>
    /// The training steps of <paramref name="epochs"/> passes over <paramref name="examples"/> in batches of
    /// <paramref name="batchSize"/> (at least 1), or, when they are more than a run can count, the one-line problem.
    /// </summary>
    public static (int? Steps, string? Problem) StepsOfEpochs(double epochs, int examples, int batchSize)
    {
        double steps = Math.Max(1, Math.Ceiling(epochs * examples / batchSize));
        return steps <= int.MaxValue
            ? ((int)steps, null)
            : (null, string.Create(CultureInfo.InvariantCulture,
                $"--epochs {epochs} over {examples:N0} training sequences in batches of {batchSize:N0} is {steps:N0} steps, more than {int.MaxValue:N0}; lower --epochs or raise --batch-size."));
    }

    /// <summary>These settings with <see cref="Epochs"/> turned into <see cref="Steps"/> for <paramref name="examples"/> training sequences.</summary>
    /// <exception cref="UsageException">That is more steps than a run can count.</exception>
    public TrainSettings EpochsAsSteps(int examples) => Epochs is double epochs
        ? this with { Steps = StepsOfEpochs(epochs, examples, BatchSize).Steps ?? throw new UsageException(StepsOfEpochs(epochs, examples, BatchSize).Problem!), Epochs = null }
        : this;

    /// <summary>Null when the settings make sense, else a one-line description of the first problem.</summary>
    public string? Validate()
    {
        string? problem = OptionLimits.Hidden.Problem("--hidden", Hidden)
            ?? OptionLimits.Layers.Problem("--layers", Layers)
            ?? OptionLimits.Rate.Problem("--dropout", Dropout)
            ?? OptionLimits.Rate.Problem("--recurrent-dropout", RecurrentDropout)
            ?? OptionLimits.LearningRate.Problem("--lr", LearningRate)
            ?? OptionLimits.BatchSize.Problem("--batch-size", BatchSize)
            ?? (Steps is int s ? OptionLimits.Steps.Problem("--steps", s) : null)
            ?? (Epochs is double e ? OptionLimits.Epochs.Problem("--epochs", e) : null)
            ?? OptionLimits.Steps.Problem("--display-step", DisplayStep)
            ?? (ValidationStep is int v ? OptionLimits.Steps.Problem("--validation-step", v) : null)
            ?? (ClipNorm is float c ? OptionLimits.ClipNorm.Problem("--clip-norm", c) : null)
            ?? ThreadsOption.Problem(Threads)
            ?? (GradientShards is int g ? OptionLimits.GradientShards.Problem("--gradient-shards", g) : null)
            ?? (GradientShards > BatchSize ? $"--gradient-shards {GradientShards} is more than --batch-size {BatchSize}; every shard needs a row: give at most {BatchSize}." : null)
            ?? (MaskValue is float m ? OptionLimits.MaskValue.Problem("--mask-value", m) : null)
            ?? OptionLimits.ForgetBias.Problem("--forget-bias", ForgetBias)
            ?? OptionLimits.Order.Problem("--order", Order)
            ?? (Theta is float th ? OptionLimits.Theta.Problem("--theta", th) : null)
            ?? OptionLimits.LayerNormEpsilon.Problem("--layer-norm-epsilon", LayerNormEpsilon);

        if (problem is not null) return problem;
        if (Model == "lmu" && ChronoInit) return "--chrono-init sets gate biases, and an LMU has no gates; use it with --model lstm or gru.";
        if (Model == "lmu" && Bidirectional) return "--bidirectional needs a recurrent layer that runs both ways, and the LMU does not; drop --bidirectional or use --model lstm, gru or rnn.";
        if (Model != "lmu" && MemoryOnly) return "--memory-only is an option of the LMU; add --model lmu or drop --memory-only.";
        if (ChronoInit && Model == "rnn") return "--chrono-init sets gate biases, and a simple RNN has no gates; use it with --model lstm or gru.";
        if (LayerNormEpsilonGiven && !LayerNorm) return "--layer-norm-epsilon sets the ε of --layer-norm's normalisations; add --layer-norm or drop --layer-norm-epsilon.";
        if (LayerNorm && Model == "lmu") return "--layer-norm normalises an LSTM's or a GRU's gate products, and the LMU has no layer-normalised form here; use it with --model lstm or gru.";
        if (LayerNorm && Model == "rnn") return "--layer-norm normalises an LSTM's or a GRU's gate products, and a simple RNN has no layer-normalised cell here; use it with --model lstm or gru.";
        if (Steps is not null && Epochs is not null) return "give either --steps or --epochs, not both.";
        if (Epochs is double epochs && Data is null && Text is null && Series is null) return StepsOfEpochs(epochs, TrainImages, BatchSize).Problem;
        return null;
    }
}
