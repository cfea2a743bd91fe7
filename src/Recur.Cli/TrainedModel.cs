using System.CommandLine;
using System.Globalization;
using Recur.Data;
using Recur.IO;
using Recur.Models;

namespace Recur.Cli;

/// <summary>A model a <c>recur train</c> run saved, with the sequence layout its inputs need.</summary>
internal sealed record TrainedModel(Sequential Model, SequenceLayout Layout, MnistVariant Dataset, IReadOnlyDictionary<string, string> Metadata)
{
    /// <summary>The fashion-MNIST class names, index = label.</summary>
    public static readonly string[] FashionClasses =
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"];

    /// <summary>The <c>--model</c> option of evaluate and predict.</summary>
    public static Option<string> CreateModelOption() => new("--model")
    {
        Description = "The run directory 'recur train' wrote (its --out; its last checkpoint unless --checkpoint best), or a model directory saved with ModelFile.Save.",
        Required = true,
    };

    /// <summary>The <c>--checkpoint</c> option of evaluate and predict.</summary>
    public static Option<string?> CreateCheckpointOption()
    {
        var option = new Option<string?>("--checkpoint")
        {
            Description = "Which checkpoint of a run directory: last (the default) or best (the best validation accuracy); a model directory has only its own.",
        };
        option.AcceptOnlyFromAmong("last", "best");
        return option;
    }

    /// <summary>The value of <c>--checkpoint</c>; null when it was not given.</summary>
    public static CheckpointKind? ParseCheckpoint(string? value) => value switch
    {
        "best" => CheckpointKind.Best,
        "last" => CheckpointKind.Last,
        _ => null,
    };

    /// <summary>Loads <paramref name="directory"/> (a run directory's <paramref name="checkpoint"/>, by default its last) or explains why it cannot.</summary>
    /// <exception cref="InvalidDataException">The directory is not a model saved by <c>recur train</c>, or has no such checkpoint.</exception>
    /// <exception cref="DirectoryNotFoundException">The directory does not exist.</exception>
    public static TrainedModel Load(string directory, CheckpointKind? checkpoint = null)
    {
        var (model, metadata) = checkpoint is CheckpointKind kind ? ModelFile.Load(directory, kind) : ModelFile.Load(directory);
        if (!metadata.TryGetValue("sequence", out string? sequence) || !metadata.TryGetValue("dataset", out string? dataset))
        {
            throw new InvalidDataException(
                $"The model in {directory} has no \"sequence\" and \"dataset\" metadata; it was not written by 'recur train'.");
        }

        if (dataset == TrainRun.DataFileDataset)
        {
            // Trained on --data: the flat examples are the sequences as stored, [T, F].
            var layout = new SequenceLayout(SequenceView.Rows, rows: Positive(metadata, "steps", directory), columns: Positive(metadata, "features", directory));
            return new TrainedModel(model, layout, MnistVariant.Mnist, metadata);
        }

        SequenceView view = sequence switch
        {
            "rows" => SequenceView.Rows,
            "pixels" => SequenceView.Pixels,
            "permuted-pixels" => SequenceView.PermutedPixels,
            _ => throw new InvalidDataException($"{directory}: unknown sequence layout '{sequence}' in its metadata."),
        };
        ulong permutationSeed = metadata.TryGetValue("permutation_seed", out string? s) ? ulong.Parse(s, CultureInfo.InvariantCulture) : TrainRun.PermutationSeed;
        var variant = dataset == "fashion-mnist" ? MnistVariant.FashionMnist : MnistVariant.Mnist;
        return new TrainedModel(model, new SequenceLayout(view, seed: permutationSeed), variant, metadata);
    }

    /// <summary>True for a model trained on your own sequences (<c>recur train --data</c>).</summary>
    public bool FromFiles => Metadata.TryGetValue("dataset", out string? d) && d == TrainRun.DataFileDataset;

    /// <summary>C, the number of classes the model tells apart.</summary>
    public int Classes => Metadata.TryGetValue("classes", out string? c) && int.TryParse(c, CultureInfo.InvariantCulture, out int n) ? n : Mnist.Classes;

    /// <summary>What one input is called in messages.</summary>
    public string Noun => FromFiles ? "sequences" : "images";

    /// <summary>The display name of class <paramref name="label"/>.</summary>
    public string ClassName(int label) =>
        Dataset == MnistVariant.FashionMnist ? FashionClasses[label] : label.ToString(CultureInfo.InvariantCulture);

    private static int Positive(IReadOnlyDictionary<string, string> metadata, string key, string directory) =>
        metadata.TryGetValue(key, out string? text) && int.TryParse(text, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new InvalidDataException(
                $"The model in {directory} has no valid \"{key}\" in its metadata (found {(text is null ? "none" : $"'{text}'")}); it was not written by 'recur train --data'.");
}
