using System.CommandLine;
using System.Globalization;
using Recur.Data;
using Recur.IO;
using Recur.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Recur.Cli;

/// <summary><c>recur predict</c>: classify new images, or your own sequences, with a trained model.</summary>
internal static class PredictCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        Option<string> model = TrainedModel.CreateModelOption();
        Option<string?> checkpoint = TrainedModel.CreateCheckpointOption();
        var input = new Option<string[]>("--input")
        {
            Description = "Images to classify: an IDX image file (raw or .gz, any number of 28×28 images) or a binary PGM (P5) of 28×28; " +
                "or sequences of the model's shape [T, F]: a .npy file of float32 [N, T, F] or a .csv file of T·F values per row (a label first is ignored). Repeatable.",
            AllowMultipleArgumentsPerToken = true,
        };
        var text = new Option<string[]>("--text") { Description = "A text to classify with a model of 'recur train --text' (raw, encoded with the model's vocabulary). Repeatable." };
        var textFile = new Option<string?>("--text-file") { Description = "A file of texts to classify, one per line (a label and a tab first are ignored, so a training file can be given)." };
        var series = new Option<string?>("--series")
        {
            Description = "Forecast with a model of 'recur train --series': its window of the last rows of this CSV series (the training file's columns) gives the value --horizon rows after the last row.",
        };
        Option<int?> threads = ThreadsOption.Create();
        var invert = new Option<bool>("--invert") { Description = "Invert the pixels first (for dark digits on a light background; MNIST is light on dark)." };
        var limit = OptionLimits.Limit.Attach(new Option<int>("--limit") { Description = "Print at most this many images (or sequences) per file.", DefaultValueFactory = _ => 100 });
        Option<string> header = TrainDataOptions.CreateCsvHeader();
        Option<string?> raw = RawPredictions.Create();
        var command = new Command("predict", "Classify images, sequences or texts with a trained model and print each predicted class with its probability; a regression model's values, a forecasting model's forecast.")
        {
            model, checkpoint, input, invert, limit, header, text, textFile, series, threads, raw,
        };
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output, error = parse.InvocationConfiguration.Error;
            string[] inputs = parse.GetValue(input) ?? [], texts = parse.GetValue(text) ?? [];
            string? file = parse.GetValue(textFile), seriesFile = parse.GetValue(series);
            if (parse.GetValue(raw) is { } rawPath)
            {
                return RawPredictions.Run(parse.GetValue(model)!, TrainedModel.ParseCheckpoint(parse.GetValue(checkpoint)), inputs, rawPath, output, error);
            }

            string[] given = new (string Name, bool Given)[] { ("--input", inputs.Length > 0), ("--text", texts.Length > 0 || file is not null), ("--series", seriesFile is not null) }
                .Where(g => g.Given).Select(g => g.Name).ToArray();
            string? problem = given.Length == 0 ? "give what to predict: --input FILE (images or sequences), --text \"…\" or --text-file FILE (texts), or --series FILE (a series to forecast)."
                : given.Length > 1 ? $"{given[0]} and {given[1]} cannot be combined; give the inputs of the model's kind."
                : ThreadsOption.Problem(parse.GetValue(threads));
            if (problem is not null)
            {
                error.WriteLine($"recur predict: {problem} Run 'recur predict --help' for the options.");
                return ExitCodes.Usage;
            }

            ThreadsOption.Apply(parse.GetValue(threads));
            TrainedModel trained;
            try
            {
                trained = TrainedModel.Load(parse.GetValue(model)!, TrainedModel.ParseCheckpoint(parse.GetValue(checkpoint)));
                problem = OwnDataPredictions.Misfit(trained, given[0]);
                if (problem is null && given[0] != "--input")
                {
                    var own = new OwnDataPredictions(trained, output, parse.GetValue(limit));
                    if (seriesFile is not null)
                    {
                        own.Forecast(seriesFile);
                    }
                    else
                    {
                        own.Classify(texts, file);
                    }

                    return ExitCodes.Ok;
                }
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                error.WriteLine($"recur predict: {e.Message}");
                return ExitCodes.Failed;
            }

            if (problem is not null)
            {
                error.WriteLine($"recur predict: {parse.GetValue(model)} {problem} Run 'recur predict --help' for the options.");
                return ExitCodes.Usage;
            }

            return Run(trained, inputs, parse.GetValue(invert), parse.GetValue(limit), TrainDataOptions.ParseHeader(parse.GetValue(header)), output, error);
        });
        return command;
    }

    private static int Run(TrainedModel trained, string[] inputs, bool invert, int limit, CsvHeader header, TextWriter output, TextWriter error)
    {
        var inv = CultureInfo.InvariantCulture;
        foreach (string path in inputs)
        {
            Tensor images;
            int[]? lengths;
            try
            {
                (images, lengths) = Read(path, trained, header);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                error.WriteLine($"recur predict: {e.Message}");
                return ExitCodes.Failed;
            }

            if (invert)
            {
                TensorPrimitives.Subtract(1f, images.Span, images.Span);
            }

            Tensor logits;
            try
            {
                logits = trained.Model.Predict(lengths is null ? trained.Layout.Apply(images) : images.Reshape(images.Dim(0), images.Dim(1) / trained.Layout.Features, trained.Layout.Features), 1000, lengths);
            }
            catch (Exception e) when (e is ArgumentException or Recur.Losses.DivergenceException)
            {
                error.WriteLine($"recur predict: {path}: {e.Message}");
                return ExitCodes.Failed;
            }

            int n = images.Dim(0), classes = logits.Dim(logits.Rank - 1);
            var probabilities = new float[classes];
            for (int i = 0; i < Math.Min(n, limit); i++)
            {
                if (trained.Task != TrainTask.Classify)
                {
                    output.WriteLine($"{(n == 1 ? path : string.Create(inv, $"{path}[{i}]"))}: {OwnDataPredictions.Describe(trained, logits, i, lengths?[i])}");
                    continue;
                }

                TensorPrimitives.SoftMax(logits.Span.Slice(i * classes, classes), probabilities);
                int label = TensorPrimitives.IndexOfMax(probabilities);
                string where = n == 1 ? path : $"{path}[{i}]";
                output.WriteLine(string.Create(inv, $"{where}: {trained.ClassName(label)} (probability {probabilities[label]:F4})"));
            }

            if (n > limit)
            {
                output.WriteLine(string.Create(inv, $"… {n - limit:N0} more {trained.Noun} in {path} (raise --limit to see them)."));
            }
        }

        return ExitCodes.Ok;
    }

    /// <summary>
    /// The examples of <paramref name="path"/>, flat <c>[N, T · F]</c> as the model's layout takes them:
    /// sequences from a .npy or .csv file, images from an IDX or PGM file.
    /// </summary>
    /// <remarks>A model trained on ragged sequences reads a CSV file's rows as they are (a label or target first), each of its own length (returned).</remarks>
    private static (Tensor Flat, int[]? Lengths) Read(string path, TrainedModel trained, CsvHeader header)
    {
        SequenceLayout layout = trained.Layout;
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension == ".csv" && trained.Ragged)
        {
            SequenceData rows = SequenceFiles.ReadCsv(path, new SequenceFileOptions { Features = layout.Features, Header = header, Regression = true, Shuffle = false });
            return (rows.Data.Images, rows.Lengths ?? Enumerable.Repeat(rows.Steps, rows.Count).ToArray());
        }

        if (extension is ".npy" or ".csv")
        {
            Tensor x = SequenceFiles.ReadInputs(path, layout.Steps, layout.Features, header);
            return (x.Reshape(x.Dim(0), layout.Steps * layout.Features), null);
        }

        if (trained.FromFiles)
        {
            throw new InvalidDataException(
                $"{path}: the model reads sequences of {layout.Steps} steps × {layout.Features} features; give them as a .npy file (float32 [N, {layout.Steps}, {layout.Features}]) or a .csv file.");
        }

        return (ImageFiles.Read(path), null);
    }
}
