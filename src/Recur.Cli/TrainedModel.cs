using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
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
        model.CheckFinitePredictions = true; // a NaN prediction is named, never printed as "probability NaN"
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

    /// <summary>What the model learnt (the <c>task</c> metadata; classify when absent).</summary>
    public TrainTask Task => TrainTasks.Parse(Metadata.GetValueOrDefault("task"));

    /// <summary>True for a model trained on texts (<c>recur train --text</c>), whose input is token ids.</summary>
    public bool FromText => FromFiles && Metadata.GetValueOrDefault("sequence") == "text";

    /// <summary>True for a forecasting model (<c>recur train --series</c>).</summary>
    public bool FromSeries => FromFiles && Metadata.GetValueOrDefault("sequence") == "series";

    /// <summary>True for a model trained on sequences of their own lengths, which evaluate and predict mask the same way.</summary>
    public bool Ragged => Metadata.GetValueOrDefault("ragged") == "true";

    /// <summary>The vocabulary of a text model.</summary>
    /// <exception cref="InvalidDataException">The metadata holds no valid vocabulary.</exception>
    public Vocabulary Vocabulary => Vocabulary.FromJson(Json("vocabulary"), "the model's \"vocabulary\" metadata");

    /// <summary>The class names of a text model, by id.</summary>
    /// <exception cref="InvalidDataException">The metadata holds no class names.</exception>
    public string[] ClassNames =>
        (Json("class_names") as JsonArray)?.Select(n => (string?)n ?? "").ToArray() ?? throw new InvalidDataException("The model's metadata has no \"class_names\" list; train it again with recur train --text.");

    /// <summary>The scaler of a forecasting model.</summary>
    /// <exception cref="InvalidDataException">The metadata holds no valid scaler.</exception>
    public TimeSeriesScaler Scaler => TimeSeriesScaler.FromJson(Json("scaler"), "the model's \"scaler\" metadata");

    private JsonNode? Json(string key)
    {
        try
        {
            return Metadata.TryGetValue(key, out string? text) ? Recur.IO.JsonFiles.Parse(text) : null;
        }
        catch (System.Text.Json.JsonException e)
        {
            throw new InvalidDataException($"The model's \"{key}\" metadata is not JSON ({e.Message}); train it again.", e);
        }
    }

    /// <summary>True for a model trained on your own sequences (<c>recur train --data</c>).</summary>
    public bool FromFiles => Metadata.TryGetValue("dataset", out string? d) && d == TrainRun.DataFileDataset;

    /// <summary>C, the number of classes the model tells apart.</summary>
    public int Classes => Metadata.TryGetValue("classes", out string? c) && int.TryParse(c, CultureInfo.InvariantCulture, out int n) ? n : Mnist.Classes;

    /// <summary>What one input is called in messages.</summary>
    public string Noun => FromText ? "texts" : FromSeries ? "windows" : FromFiles ? "sequences" : "images";

    /// <summary>The display name of class <paramref name="label"/>.</summary>
    public string ClassName(int label) =>
        Dataset == MnistVariant.FashionMnist ? FashionClasses[label]
        : FromText ? ClassNames[label]
        : label.ToString(CultureInfo.InvariantCulture);

    private static int Positive(IReadOnlyDictionary<string, string> metadata, string key, string directory) =>
        metadata.TryGetValue(key, out string? text) && int.TryParse(text, CultureInfo.InvariantCulture, out int value) && value > 0
            ? value
            : throw new InvalidDataException(
                $"The model in {directory} has no valid \"{key}\" in its metadata (found {(text is null ? "none" : $"'{text}'")}); it was not written by 'recur train --data'.");
}
