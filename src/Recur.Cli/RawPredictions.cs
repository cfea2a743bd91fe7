using Recur.Data;
using Recur.IO;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Cli;

/// <summary>
/// <c>recur predict --input X.npy --output Y.npy</c>: the model's raw outputs (<c>Sequential.Predict</c>) for an input
/// given exactly as the model takes it, written as float32 .npy — for checking a model against another framework
/// (tools/check_pytorch_roundtrip.py). Needs no metadata of <c>recur train</c>, so it runs any model directory.
/// </summary>
internal static class RawPredictions
{
    /// <summary>The option.</summary>
    public static System.CommandLine.Option<string?> Create() => new("--output")
    {
        Description = "Write the model's raw outputs (logits, values) for the one --input .npy as a float32 .npy instead of printing classes; " +
            "the input is taken as the model takes it ([N, T, F] features, [N, T] token ids), so any model directory works.",
    };

    /// <summary>Predicts <paramref name="input"/> with the model in <paramref name="directory"/> and writes <paramref name="path"/>; returns the exit code.</summary>
    public static int Run(string directory, CheckpointKind? checkpoint, string[] inputs, string path, TextWriter output, TextWriter error)
    {
        if (inputs.Length != 1 || !inputs[0].EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            error.WriteLine($"recur predict: --output needs exactly one --input .npy file (received {inputs.Length}: {string.Join(", ", inputs)}). Run 'recur predict --help' for the options.");
            return ExitCodes.Usage;
        }

        try
        {
            Sequential model = (checkpoint is CheckpointKind kind ? ModelFile.Load(directory, kind) : ModelFile.Load(directory)).Model;
            Tensor x = Npy.ReadFloat32(inputs[0]);
            IReadOnlyList<int>? shape = model.InputShape;
            if (shape is not null && (x.Rank != shape.Count + 1 || !Fits(x, shape)))
            {
                error.WriteLine($"recur predict: {inputs[0]} holds {Tensor.FormatShape(x.Shape)} but the model takes [N, {string.Join(", ", shape)}]; save the input in that shape.");
                return ExitCodes.Failed;
            }

            Tensor y = model.Predict(x, 1000);
            Npy.Write(path, y);
            output.WriteLine($"recur predict: {Tensor.FormatShape(y.Shape)} outputs of {inputs[0]} written to {path}.");
            return ExitCodes.Ok;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or ArgumentException)
        {
            error.WriteLine($"recur predict: {PyTorchNames.Message(e)}");
            return ExitCodes.Failed;
        }
    }

    /// <summary>Whether <paramref name="x"/> <c>[N, …]</c> has the model's input shape, where a −1 takes any size.</summary>
    private static bool Fits(Tensor x, IReadOnlyList<int> shape)
    {
        for (int i = 0; i < shape.Count; i++)
        {
            if (shape[i] >= 0 && x.Dim(i + 1) != shape[i])
            {
                return false;
            }
        }

        return true;
    }
}
