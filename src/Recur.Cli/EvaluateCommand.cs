using System.CommandLine;
using System.Globalization;
using Recur.Data;
using Recur.IO;
using Recur.Losses;
using Recur.Tensors;

namespace Recur.Cli;

/// <summary><c>recur evaluate</c>: test accuracy and the confusion matrix of a trained model, on MNIST's test images or your own sequences.</summary>
internal static class EvaluateCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        Option<string> model = TrainedModel.CreateModelOption();
        Option<string?> checkpoint = TrainedModel.CreateCheckpointOption();
        var dataDir = new Option<string?>("--data-dir") { Description = "Where the IDX files are [default: $RECUR_DATA, then the user cache]." };
        var data = new Option<string?>("--data")
        {
            Description = "Evaluate on your own sequences instead of MNIST's test images: a .npy file of float32 [N, T, F] with --labels, or a .csv file (label,v1,...) " +
                "of the shape the model was trained on (a model trained with 'recur train --data' needs it).",
        };
        var labels = new Option<string?>("--labels") { Description = "The labels of a .npy --data file: a .npy array [N] of integer class indices." };
        Option<string> header = TrainDataOptions.CreateCsvHeader();
        var command = new Command("evaluate", "Print a trained model's accuracy on the 10,000 test images (or --data) and its confusion matrix.") { model, checkpoint, dataDir, data, labels, header };
        command.SetAction(parse =>
        {
            TextWriter error = parse.InvocationConfiguration.Error;
            string? file = parse.GetValue(data), labelsFile = parse.GetValue(labels);
            string? problem = file is null ? (labelsFile is null ? null : "--labels needs --data (the sequences they label).")
                : parse.GetResult(dataDir) is { Implicit: false } ? "--data-dir is for MNIST's test images and cannot be combined with --data."
                : DataSettings.FileProblem("--data", file, "--labels", labelsFile);
            if (problem is not null)
            {
                error.WriteLine($"recur evaluate: {problem} Run 'recur evaluate --help' for the options.");
                return ExitCodes.Usage;
            }

            var input = file is null ? null : new EvaluationFile(file, labelsFile, TrainDataOptions.ParseHeader(parse.GetValue(header)));
            return Run(
                parse.GetValue(model)!, new MnistOptions { DataDir = parse.GetValue(dataDir) }, parse.InvocationConfiguration.Output, error, input,
                TrainedModel.ParseCheckpoint(parse.GetValue(checkpoint)));
        });
        return command;
    }

    /// <summary>Your own test sequences: a .npy or .csv file, the labels of a .npy file, and whether a .csv file has a header.</summary>
    internal sealed record EvaluationFile(string Data, string? Labels, CsvHeader Header = CsvHeader.Auto);

    /// <summary>
    /// Evaluates the model in <paramref name="directory"/> (a run directory's <paramref name="checkpoint"/>, by default
    /// its last) on <paramref name="file"/>, or without it on the MNIST test split the options lead to.
    /// </summary>
    internal static int Run(
        string directory, MnistOptions dataOptions, TextWriter output, TextWriter error, EvaluationFile? file = null, CheckpointKind? checkpoint = null)
    {
        TrainedModel trained;
        DataSet test;
        try
        {
            trained = TrainedModel.Load(directory, checkpoint);
            if (file is null && trained.FromFiles)
            {
                error.WriteLine(
                    $"recur evaluate: {directory} was trained on {trained.Metadata.GetValueOrDefault("data", "your own data")}; give test sequences with --data FILE " +
                    "(and --labels FILE.npy for .npy features). Run 'recur evaluate --help' for the options.");
                return ExitCodes.Usage;
            }

            test = file is null
                ? Mnist.ReadDataSets(dataOptions with { Variant = trained.Dataset, Log = m => error.WriteLine(m) }).Test
                : ReadFile(trained, file);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            error.WriteLine($"recur evaluate: {e.Message}");
            return ExitCodes.Failed;
        }

        Tensor logits = trained.Model.Predict(trained.Layout.Apply(test.Images));
        int classes = logits.Dim(1);
        var confusion = new int[classes, classes];
        int hits = 0;
        for (int i = 0; i < test.Count; i++)
        {
            int predicted = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(logits.Span.Slice(i * classes, classes));
            confusion[test.Labels[i], predicted]++;
            hits += predicted == test.Labels[i] ? 1 : 0;
        }

        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv, $"Test accuracy: {(double)hits / test.Count:F4} ({hits:N0} of {test.Count:N0} {(file is null ? "images" : "sequences")})"));
        output.WriteLine();
        output.WriteLine("Confusion matrix (rows: true label, columns: predicted):");
        output.Write("true\\pred");
        for (int p = 0; p < classes; p++)
        {
            output.Write(string.Create(inv, $"{p,6}"));
        }

        output.WriteLine();
        for (int t = 0; t < classes; t++)
        {
            output.Write(string.Create(inv, $"{t,9}"));
            for (int p = 0; p < classes; p++)
            {
                output.Write(string.Create(inv, $"{confusion[t, p],6}"));
            }

            output.WriteLine();
        }

        return ExitCodes.Ok;
    }

    /// <summary>The sequences of <paramref name="file"/>, checked to have the shape and classes of the model.</summary>
    /// <exception cref="DataFileException">The file cannot be read, its sequences have another shape or a label is not a class of the model.</exception>
    private static DataSet ReadFile(TrainedModel trained, EvaluationFile file)
    {
        SequenceLayout layout = trained.Layout;
        var options = new SequenceFileOptions { Features = layout.Features, Classes = trained.Classes, Header = file.Header, Shuffle = false };
        SequenceData data = SequenceFiles.Read(file.Data, file.Labels, options);
        if (data.Steps * data.Features != layout.Steps * layout.Features || data.Features != layout.Features)
        {
            throw new DataFileException(file.Data,
                $"'{file.Data}' holds sequences of {data.Steps} steps × {data.Features} features, but the model reads {layout.Steps} × {layout.Features}.");
        }

        return data.Data;
    }
}
