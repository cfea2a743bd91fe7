using Recur.Data;

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
}
