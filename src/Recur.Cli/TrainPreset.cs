using System.Globalization;

namespace Recur.Cli;

/// <summary>
/// A named set of <c>recur train</c> options (<c>--preset NAME</c>). A preset fills in the options it names that were not
/// given on the command line; an option given explicitly wins over the preset's value, as a Keras or PyTorch user expects
/// of an argument passed beside a default. <c>fast</c> is the tutorial's model (one LSTM(128) on MNIST rows, Dense(10))
/// trained for time to accuracy: fewer steps, a higher learning rate, one validation at the end.
/// </summary>
/// <param name="Name">The value of <c>--preset</c>.</param>
/// <param name="BatchSize">Images per step (<c>--batch-size</c>).</param>
/// <param name="LearningRate">The peak learning rate (<c>--lr</c>).</param>
/// <param name="Schedule">The learning-rate schedule (<c>--lr-schedule</c>).</param>
/// <param name="Steps">Training steps (<c>--steps</c>; yields to an explicit <c>--epochs</c>).</param>
/// <param name="DisplayStep">Steps between log lines (<c>--display-step</c>).</param>
/// <remarks>A preset validates (and checkpoints) at the last step only, unless <c>--validation-step</c> is given.</remarks>
internal sealed record TrainPreset(string Name, int BatchSize, double LearningRate, string Schedule, int Steps, int DisplayStep)
{
    /// <summary>
    /// <c>--preset fast</c>, aimed at 99.0% on the MNIST test set within 45 s on 2 threads (README, Speed): 384,000
    /// training images under a one-cycle schedule to 0.016. Chosen by validation accuracy among the recipes the README
    /// lists; validation is measured once, at the last step, so it costs one pass over the 5,000 validation images.
    /// </summary>
    public static readonly TrainPreset Fast = new("fast", BatchSize: 128, LearningRate: 0.016, Schedule: "one-cycle", Steps: 3000, DisplayStep: 500);

    /// <summary>The presets by name, for <c>--preset</c>.</summary>
    public static IReadOnlyList<TrainPreset> All { get; } = [Fast];

    /// <summary>The options a preset sets, by name.</summary>
    public static readonly string[] Options = ["--batch-size", "--lr", "--lr-schedule", "--steps", "--display-step", "--validation-step"];

    /// <summary>The preset called <paramref name="name"/>; null for null.</summary>
    /// <exception cref="ArgumentException">No preset has that name (the option's parser refuses it first).</exception>
    public static TrainPreset? Named(string? name) => name is null ? null
        : All.FirstOrDefault(p => p.Name == name) ?? throw new ArgumentException($"--preset: unknown preset '{name}'; use {string.Join(", ", All.Select(p => p.Name))}.", nameof(name));

    /// <summary>
    /// <paramref name="settings"/> with this preset's value of every option it sets that is not in
    /// <paramref name="given"/> (the options on the command line, by name such as <c>--lr</c>). An explicit
    /// <c>--epochs</c> replaces the preset's step count.
    /// </summary>
    public TrainSettings Apply(TrainSettings settings, IReadOnlyCollection<string> given)
    {
        bool Given(string option) => given.Contains(option);
        return settings with
        {
            BatchSize = Given("--batch-size") ? settings.BatchSize : BatchSize,
            LearningRate = Given("--lr") ? settings.LearningRate : LearningRate,
            Schedule = Given("--lr-schedule") ? settings.Schedule : Schedule,
            Steps = Given("--steps") || Given("--epochs") ? settings.Steps : Steps,
            DisplayStep = Given("--display-step") ? settings.DisplayStep : DisplayStep,
            ValidationStep = Given("--validation-step") ? settings.ValidationStep : int.MaxValue, // the last step is always one

        };
    }

    /// <summary>What the preset sets, as options, for <c>--help</c> and the documentation.</summary>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"--batch-size {BatchSize} --lr {LearningRate} --lr-schedule {Schedule} --steps {Steps} --display-step {DisplayStep}, validation at the last step only");
}
