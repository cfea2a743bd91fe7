using System.CommandLine;
using System.Globalization;
using Recur.Data;
using Recur.Losses;
using Recur.Tensors;

namespace Recur.Cli;

/// <summary><c>recur evaluate</c>: test accuracy and the confusion matrix of a trained model.</summary>
internal static class EvaluateCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The run directory 'recur train' wrote (its --out).", Required = true };
        var dataDir = new Option<string?>("--data-dir") { Description = "Where the IDX files are [default: $RECUR_DATA, then the user cache]." };
        var command = new Command("evaluate", "Print a trained model's accuracy on the 10,000 test images and its confusion matrix.") { model, dataDir };
        command.SetAction(parse => Run(
            parse.GetValue(model)!, new MnistOptions { DataDir = parse.GetValue(dataDir) }, parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Evaluates the model in <paramref name="directory"/> on the test split the options lead to.</summary>
    internal static int Run(string directory, MnistOptions dataOptions, TextWriter output, TextWriter error)
    {
        TrainedModel trained;
        MnistDataSets data;
        try
        {
            trained = TrainedModel.Load(directory);
            data = Mnist.ReadDataSets(dataOptions with { Variant = trained.Dataset, Log = m => error.WriteLine(m) });
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
        {
            error.WriteLine($"recur evaluate: {e.Message}");
            return ExitCodes.Failed;
        }

        DataSet test = data.Test;
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
        output.WriteLine(string.Create(inv, $"Test accuracy: {(double)hits / test.Count:F4} ({hits:N0} of {test.Count:N0} images)"));
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
}
