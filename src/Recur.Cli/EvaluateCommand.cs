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
        var text = new Option<string?>("--text") { Description = "Evaluate a model trained with 'recur train --text' on labelled texts: a file of label<TAB>text lines, encoded with the model's vocabulary." };
        var series = new Option<string?>("--series")
        {
            Description = "Evaluate a forecasting model ('recur train --series') on the test stretch (the last windows) of this CSV series, cut as in training [default: the training file].",
        };
        Option<int?> threads = ThreadsOption.Create();
        var command = new Command("evaluate", "Print a trained model's accuracy on the 10,000 test images (or --data, --text) and its confusion matrix; a regression model's RMSE and MAE, a forecasting model's against the persistence baseline.")
        {
            model, checkpoint, dataDir, data, labels, header, text, series, threads,
        };
        command.SetAction(parse =>
        {
            TextWriter error = parse.InvocationConfiguration.Error;
            string? file = parse.GetValue(data), labelsFile = parse.GetValue(labels), textFile = parse.GetValue(text), seriesFile = parse.GetValue(series);
            string[] sources = new (string Name, string? Value)[] { ("--data", file), ("--text", textFile), ("--series", seriesFile) }.Where(s => s.Value is not null).Select(s => s.Name).ToArray();
            string? problem = sources.Length > 1 ? $"{sources[0]} and {sources[1]} cannot be combined; give the test data of the model's kind: --data (sequences), --text (texts) or --series (a series)."
                : ThreadsOption.Problem(parse.GetValue(threads))
                ?? (sources.Length == 1 && parse.GetResult(dataDir) is { Implicit: false } ? $"--data-dir is for MNIST's test images and cannot be combined with {sources[0]}."
                : file is null ? (labelsFile is null ? null : "--labels needs --data (the sequences they label).")
                : DataSettings.FileProblem("--data", file, "--labels", labelsFile));
            if (problem is not null)
            {
                error.WriteLine($"recur evaluate: {problem} Run 'recur evaluate --help' for the options.");
                return ExitCodes.Usage;
            }

            ThreadsOption.Apply(parse.GetValue(threads));
            string directory = parse.GetValue(model)!;
            CheckpointKind? kind = TrainedModel.ParseCheckpoint(parse.GetValue(checkpoint));
            TextWriter output = parse.InvocationConfiguration.Output;
            if (textFile is not null || seriesFile is not null)
            {
                return new OwnDataEvaluation(directory, kind, output, error).Run(textFile, seriesFile);
            }

            var input = file is null ? null : new EvaluationFile(file, labelsFile, TrainDataOptions.ParseHeader(parse.GetValue(header)));
            return Run(directory, new MnistOptions { DataDir = parse.GetValue(dataDir) }, output, error, input, kind);
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
        int[]? lengths = null;
        try
        {
            trained = TrainedModel.Load(directory, checkpoint);
            if (trained.FromText || trained.FromSeries || trained.Task != TrainTask.Classify)
            {
                return new OwnDataEvaluation(directory, checkpoint, output, error).Run(trained, file);
            }

            if (file is null && trained.FromFiles)
            {
                error.WriteLine(
                    $"recur evaluate: {directory} was trained on {trained.Metadata.GetValueOrDefault("data", "your own data")}; give test sequences with --data FILE " +
                    "(and --labels FILE.npy for .npy features). Run 'recur evaluate --help' for the options.");
                return ExitCodes.Usage;
            }

            if (file is null)
            {
                test = Mnist.ReadDataSets(dataOptions with { Variant = trained.Dataset, Log = m => error.WriteLine(m) }).Test;
            }
            else
            {
                SequenceData sequences = ReadFile(trained, file);
                (test, lengths) = (sequences.Data, sequences.Lengths);
            }
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            error.WriteLine($"recur evaluate: {e.Message}");
            return ExitCodes.Failed;
        }

        Tensor input = lengths is null ? trained.Layout.Apply(test.Images) : test.Images.Reshape(test.Count, test.Features / trained.Layout.Features, trained.Layout.Features);
        Tensor logits = trained.Model.Predict(input, 1000, lengths);
        PrintClassification(output, Predictions.ArgMax(logits), test.Labels, logits.Dim(1), file is null ? "images" : "sequences");
        return ExitCodes.Ok;
    }

    /// <summary>The accuracy line and the confusion matrix of <paramref name="predicted"/> against <paramref name="labels"/>.</summary>
    internal static void PrintClassification(TextWriter output, int[] predicted, int[] labels, int classes, string noun, IReadOnlyList<string>? names = null)
    {
        var confusion = new int[classes, classes];
        int hits = 0;
        for (int i = 0; i < labels.Length; i++)
        {
            confusion[labels[i], predicted[i]]++;
            hits += predicted[i] == labels[i] ? 1 : 0;
        }

        var inv = CultureInfo.InvariantCulture;
        output.WriteLine(string.Create(inv, $"Test accuracy: {(double)hits / labels.Length:F4} ({hits:N0} of {labels.Length:N0} {noun})"));
        if (names is not null)
        {
            output.WriteLine($"Classes: {string.Join(", ", names.Select((n, k) => string.Create(inv, $"{k} {n}")))}");
        }
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
    }

    /// <summary>The sequences of <paramref name="file"/>, checked to have the shape and classes of the model.</summary>
    /// <exception cref="DataFileException">The file cannot be read, its sequences have another shape or a label is not a class of the model.</exception>
    private static SequenceData ReadFile(TrainedModel trained, EvaluationFile file)
    {
        SequenceLayout layout = trained.Layout;
        var options = new SequenceFileOptions { Features = layout.Features, Classes = trained.Classes, Header = file.Header, Shuffle = false };
        SequenceData data = SequenceFiles.Read(file.Data, file.Labels, options);
        bool ragged = data.Lengths is not null && trained.Ragged && data.Features == layout.Features;
        if (!ragged && (data.Steps * data.Features != layout.Steps * layout.Features || data.Features != layout.Features))
        {
            throw new DataFileException(file.Data,
                $"'{file.Data}' holds sequences of {data.Steps} steps × {data.Features} features, but the model reads {layout.Steps} × {layout.Features}.");
        }

        return data;
    }
}
