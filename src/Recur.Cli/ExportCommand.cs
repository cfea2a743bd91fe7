using System.CommandLine;
using System.Globalization;
using Recur.Export;
using Recur.IO;
using Recur.Models;

namespace Recur.Cli;

/// <summary>
/// <c>recur export</c>: writes a saved model in another format — ONNX (<c>--onnx FILE</c>) — for another runtime. Each format
/// is one option and one <see cref="ExportTarget"/>; at least one is required, and the model is loaded once for all of them.
/// </summary>
internal static class ExportCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        Option<string> model = TrainedModel.CreateModelOption();
        Option<string?> checkpoint = TrainedModel.CreateCheckpointOption();
        var onnx = new Option<string?>("--onnx") { Description = "Write the model as ONNX to this file (for ONNX Runtime): input 'input' [batch, steps, features], output 'output'." };
        var opset = new Option<int>("--opset")
        {
            Description = $"The ONNX operator set, {OnnxExportOptions.MinimumOpset} to {OnnxExportOptions.MaximumOpset}.",
            DefaultValueFactory = _ => OnnxExportOptions.MinimumOpset,
        };
        var lengths = new Option<bool>("--lengths") { Description = "Add an ONNX input 'lengths' int32 [batch]: each sequence's valid steps, its padding at the end." };
        var states = new Option<bool>("--states")
        {
            Description = "Add each recurrent layer's initial state as ONNX inputs (NAME.h0, NAME.c0) and its final state as outputs (NAME.h, NAME.c), to stream a sequence a step at a time.",
        };
        var command = new Command("export", "Write a trained model in another format: ONNX (--onnx FILE), checked to run in ONNX Runtime.")
        {
            model, checkpoint, onnx, opset, lengths, states,
        };
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output, error = parse.InvocationConfiguration.Error;
            var targets = new List<ExportTarget>();
            if (parse.GetValue(onnx) is string onnxFile)
            {
                var options = new OnnxExportOptions { Opset = parse.GetValue(opset), SequenceLengths = parse.GetValue(lengths), States = parse.GetValue(states) };
                targets.Add(new ExportTarget("--onnx", onnxFile, string.Create(CultureInfo.InvariantCulture, $"ONNX, opset {options.Opset}"),
                    (m, metadata) => OnnxExporter.Export(m, options with { Metadata = metadata })));
            }

            int chosen = parse.GetValue(opset);
            string? problem = targets.Count == 0 ? "give what to write: --onnx FILE."
                : chosen is < OnnxExportOptions.MinimumOpset or > OnnxExportOptions.MaximumOpset
                    ? string.Create(CultureInfo.InvariantCulture, $"--opset {chosen} cannot be targeted; give {OnnxExportOptions.MinimumOpset} to {OnnxExportOptions.MaximumOpset} (17, the default, is what the Python onnx 1.12 checker reads).")
                : targets.Select(t => t.Problem()).FirstOrDefault(p => p is not null);
            if (problem is not null)
            {
                error.WriteLine($"recur export: {problem} Run 'recur export --help' for the options.");
                return ExitCodes.Usage;
            }

            string directory = parse.GetValue(model)!;
            Sequential loaded;
            IReadOnlyDictionary<string, string> metadata;
            try
            {
                CheckpointKind? kind = TrainedModel.ParseCheckpoint(parse.GetValue(checkpoint));
                (loaded, metadata) = kind is CheckpointKind k ? ModelFile.Load(directory, k) : ModelFile.Load(directory);
            }
            catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException)
            {
                error.WriteLine($"recur export: {directory} is not a model Recur can read: {e.Message}");
                return ExitCodes.Failed;
            }

            foreach (ExportTarget target in targets)
            {
                byte[] bytes;
                try
                {
                    bytes = target.Make(loaded, metadata);
                }
                catch (Exception e) when (e is NotSupportedException or InvalidOperationException)
                {
                    error.WriteLine($"recur export: {directory} cannot be written as {target.Format}: {e.Message}");
                    return ExitCodes.Failed;
                }

                try
                {
                    AtomicFile.WriteAllBytes(target.Path, bytes);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    error.WriteLine($"recur export: cannot write {target.Option} {target.Path} ({e.Message}); nothing was written there, choose a writable path.");
                    return ExitCodes.Failed;
                }

                output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"Wrote {target.Path} ({target.Format}, {bytes.Length:N0} bytes)."));
            }

            return ExitCodes.Ok;
        });
        return command;
    }
}
