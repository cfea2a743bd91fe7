using Recur.Data;
using Recur.Tensors;

namespace Recur.Cli;

/// <summary>What one <c>recur train</c> run learns from and reports on, MNIST or your own sequences.</summary>
/// <param name="Train">The training split, <c>[N, T · F]</c> flat.</param>
/// <param name="Validation">The validation split (at least one example), measured every validation step.</param>
/// <param name="Test">The test split, scored once after training; null when there is none.</param>
/// <param name="Layout">How a flat example becomes a sequence <c>[T, F]</c>.</param>
/// <param name="Classes">C, the width of the model's output.</param>
/// <param name="Description">The data in the "Training … on …" line.</param>
/// <param name="Noun">What an example is called in the results ("images", "sequences").</param>
/// <param name="Metadata">Stored with the model, for evaluate and predict.</param>
internal sealed record TrainingData(
    DataSet Train,
    DataSet Validation,
    DataSet? Test,
    SequenceLayout Layout,
    int Classes,
    string Description,
    string Noun,
    Dictionary<string, string> Metadata)
{
    /// <summary>True for MNIST and Fashion-MNIST, which also report the tutorial's score on the first 128 test images.</summary>
    public bool IsMnist { get; init; }

    /// <summary>What the model learns; with <see cref="TrainTask.Regress"/>, <see cref="Classes"/> is the width of the targets.</summary>
    public TrainTask Task { get; init; }

    /// <summary>Each training sequence's valid steps <c>[N]</c> (padded at the end), or null when all have T.</summary>
    public int[]? TrainLengths { get; init; }

    /// <summary>The validation sequences' lengths, or null.</summary>
    public int[]? ValidationLengths { get; init; }

    /// <summary>The test sequences' lengths, or null.</summary>
    public int[]? TestLengths { get; init; }

    /// <summary>
    /// The training targets when they are not the data sets' one-hot classes: float targets <c>[N, K]</c> (regress) or
    /// class ids per step <c>[N, T]</c> (label); null for classify.
    /// </summary>
    public Tensor? TrainTargets { get; init; }

    /// <summary>The validation targets, as <see cref="TrainTargets"/>.</summary>
    public Tensor? ValidationTargets { get; init; }

    /// <summary>The test targets, as <see cref="TrainTargets"/>.</summary>
    public Tensor? TestTargets { get; init; }

    /// <summary>For token ids (<c>--text</c>): the vocabulary's size, the Embedding's input dimension; null for float features.</summary>
    public int? VocabularySize { get; init; }

    /// <summary>The series a forecasting run (<c>--series</c>) was cut from, for the baselines; null otherwise.</summary>
    public TimeSeriesData? Series { get; init; }

    /// <summary>The model's input from a batch of flat examples <c>[B, T · F]</c>: <c>[B, T, F]</c>, or the ids <c>[B, T]</c> as they are.</summary>
    /// <remarks>Sequences of another padded length than the training ones (a ragged test file) keep their own T.</remarks>
    public Tensor Input(Tensor flat) =>
        VocabularySize is not null ? flat
        : IsMnist || flat.Dim(1) == Layout.Steps * Layout.Features ? Layout.Apply(flat)
        : flat.Reshape(flat.Dim(0), flat.Dim(1) / Layout.Features, Layout.Features);

    /// <summary>The targets of <paramref name="part"/> (one of this run's data sets) as the loss takes them.</summary>
    public Tensor Targets(DataSet part) =>
        (ReferenceEquals(part, Train) ? TrainTargets : ReferenceEquals(part, Validation) ? ValidationTargets : TestTargets) ?? part.OneHotLabels;

    /// <summary>The lengths of <paramref name="part"/> (one of this run's data sets), or null.</summary>
    public int[]? Lengths(DataSet part) =>
        ReferenceEquals(part, Train) ? TrainLengths : ReferenceEquals(part, Validation) ? ValidationLengths : TestLengths;
}
