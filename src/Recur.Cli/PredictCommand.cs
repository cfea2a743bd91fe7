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
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var invert = new Option<bool>("--invert") { Description = "Invert the pixels first (for dark digits on a light background; MNIST is light on dark)." };
        var limit = new Option<int>("--limit") { Description = "Print at most this many images (or sequences) per file.", DefaultValueFactory = _ => 100 };
        Option<string> header = TrainDataOptions.CreateCsvHeader();
        var command = new Command("predict", "Classify images or sequences with a trained model and print each predicted class with its probability.") { model, checkpoint, input, invert, limit, header };
        command.SetAction(parse => Run(
            parse.GetValue(model)!, TrainedModel.ParseCheckpoint(parse.GetValue(checkpoint)), parse.GetValue(input)!, parse.GetValue(invert), parse.GetValue(limit), TrainDataOptions.ParseHeader(parse.GetValue(header)),
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(string directory, CheckpointKind? checkpoint, string[] inputs, bool invert, int limit, CsvHeader header, TextWriter output, TextWriter error)
    {
        TrainedModel trained;
        try
        {
            trained = TrainedModel.Load(directory, checkpoint);
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            error.WriteLine($"recur predict: {e.Message}");
            return ExitCodes.Failed;
        }

        var inv = CultureInfo.InvariantCulture;
        foreach (string path in inputs)
        {
            Tensor images;
            try
            {
                images = Read(path, trained, header);
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

            Tensor logits = trained.Model.Predict(trained.Layout.Apply(images));
            int n = images.Dim(0), classes = logits.Dim(1);
            var probabilities = new float[classes];
            for (int i = 0; i < Math.Min(n, limit); i++)
            {
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
    private static Tensor Read(string path, TrainedModel trained, CsvHeader header)
    {
        SequenceLayout layout = trained.Layout;
        string extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is ".npy" or ".csv")
        {
            Tensor x = SequenceFiles.ReadInputs(path, layout.Steps, layout.Features, header);
            return x.Reshape(x.Dim(0), layout.Steps * layout.Features);
        }

        if (trained.FromFiles)
        {
            throw new InvalidDataException(
                $"{path}: the model reads sequences of {layout.Steps} steps × {layout.Features} features; give them as a .npy file (float32 [N, {layout.Steps}, {layout.Features}]) or a .csv file.");
        }

        return ImageFiles.Read(path);
    }
}
