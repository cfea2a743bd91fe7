using Recur.Data;
using Recur.IO;

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
    public int Hidden { get; init; } = 128;
    public float ForgetBias { get; init; } = 1f;
    public bool InputProjection { get; init; }
    public string Optimizer { get; init; } = "adam";
    public double LearningRate { get; init; } = 0.001;
    public bool CosineSchedule { get; init; } = true;
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
    /// the peak of the cosine schedule (chosen by validation accuracy: 0.9914 against 0.9908 for 0.001);
    /// 0.1 for plain gradient descent.
    /// </summary>
    public static double DefaultLearningRate(string optimizer, bool cosine) =>
        optimizer == "sgd" ? 0.1 : cosine ? 0.002 : 0.001;

    /// <summary>
    /// The learning rate of step <paramref name="step"/> (1-based): <see cref="LearningRate"/>, or with the
    /// cosine schedule <c>lr · ½(1 + cos(π (step − 1) / steps))</c>, which ends just above 0.
    /// </summary>
    public double LearningRateAt(int step) =>
        CosineSchedule ? LearningRate * 0.5 * (1 + Math.Cos(Math.PI * (step - 1) / TotalSteps)) : LearningRate;

    /// <summary>Null when the settings make sense, else a one-line description of the first problem.</summary>
    public string? Validate()
    {
        if (Hidden < 1) return $"--hidden must be at least 1; got {Hidden}.";
        if (ChronoInit && Model == "rnn") return "--chrono-init sets gate biases, and a simple RNN has no gates; use it with --model lstm or gru.";
        if (Layers < 1) return $"--layers must be at least 1; got {Layers}.";
        if (!(Dropout >= 0 && Dropout < 1)) return $"--dropout is the fraction of activations dropped in training and must be at least 0 and below 1; got {Dropout}.";
        if (!(RecurrentDropout >= 0 && RecurrentDropout < 1)) return $"--recurrent-dropout is the fraction of the previous state's units dropped from the recurrent product in training and must be at least 0 and below 1; got {RecurrentDropout}.";
        if (!(LearningRate > 0 && double.IsFinite(LearningRate))) return $"--lr must be a positive number; got {LearningRate}.";
        if (BatchSize < 1) return $"--batch-size must be at least 1; got {BatchSize}.";
        if (Steps is not null && Epochs is not null) return "give either --steps or --epochs, not both.";
        if (Steps is int s && s < 1) return $"--steps must be at least 1; got {s}.";
        if (Epochs is double e && !(e > 0 && double.IsFinite(e))) return $"--epochs must be a positive number; got {e}.";
        if (DisplayStep < 1) return $"--display-step must be at least 1; got {DisplayStep}.";
        if (ValidationStep is int v && v < 1) return $"--validation-step must be at least 1; got {v}.";
        if (ClipNorm is float c && !(c > 0 && float.IsFinite(c))) return $"--clip-norm must be a positive number; got {c}.";
        if (ThreadsOption.Problem(Threads) is string threads) return threads;
        if (MaskValue is float m && float.IsNaN(m)) return "--mask-value must be a number; got NaN.";
        if (!float.IsFinite(ForgetBias)) return $"--forget-bias must be a finite number; got {ForgetBias}.";
        return null;
    }
}
