using System.CommandLine;
using System.Globalization;
using Recur.Data;
using Recur.Tensors;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Recur.Cli;

/// <summary><c>recur predict</c>: classify new images with a trained model.</summary>
internal static class PredictCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The run directory 'recur train' wrote (its --out).", Required = true };
        var input = new Option<string[]>("--input")
        {
            Description = "Images to classify: an IDX image file (raw or .gz, any number of 28×28 images) or a binary PGM (P5) of 28×28. Repeatable.",
            Required = true,
            AllowMultipleArgumentsPerToken = true,
        };
        var invert = new Option<bool>("--invert") { Description = "Invert the pixels first (for dark digits on a light background; MNIST is light on dark)." };
        var limit = new Option<int>("--limit") { Description = "Print at most this many images per file.", DefaultValueFactory = _ => 100 };
        var command = new Command("predict", "Classify images with a trained model and print each predicted label with its probability.") { model, input, invert, limit };
        command.SetAction(parse => Run(
            parse.GetValue(model)!, parse.GetValue(input)!, parse.GetValue(invert), parse.GetValue(limit),
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    private static int Run(string directory, string[] inputs, bool invert, int limit, TextWriter output, TextWriter error)
    {
        TrainedModel trained;
        try
        {
            trained = TrainedModel.Load(directory);
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
                images = ImageFiles.Read(path);
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
                output.WriteLine(string.Create(inv, $"… {n - limit:N0} more images in {path} (raise --limit to see them)."));
            }
        }

        return ExitCodes.Ok;
    }
}
