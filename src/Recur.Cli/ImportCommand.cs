using System.CommandLine;
using Recur.Export;
using Recur.Models;

namespace Recur.Cli;

/// <summary><c>recur import --pytorch</c>: a PyTorch state dict (safetensors) loaded into a Recur model's architecture, saved as a model directory.</summary>
internal static class ImportCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var pytorch = new Option<string>("--pytorch")
        {
            Description = "The state dict of a torch model of nn.LSTM/GRU/RNN, nn.Linear and nn.Embedding modules, saved as safetensors (safetensors.torch.save_file(model.state_dict(), FILE)).",
            Required = true,
        };
        var like = new Option<string>("--like")
        {
            Description = "A Recur model directory (or a recur train run directory) whose config.json has the same architecture; only its config.json is read.",
            Required = true,
        };
        var output = new Option<string>("--out")
        {
            Description = "The model directory to write (created, or a model directory replaced as a whole): the architecture and metadata of --like with the state dict's weights.",
            Required = true,
        };
        Option<string?> names = PyTorchNames.Create();
        var command = new Command("import", "Load a PyTorch state dict into a Recur model of the same architecture and save it as a model directory.")
        {
            pytorch, like, output, names,
        };
        command.SetAction(parse => Run(parse.GetValue(pytorch)!, parse.GetValue(like)!, parse.GetValue(output)!, parse.GetValue(names),
            parse.InvocationConfiguration.Output, parse.InvocationConfiguration.Error));
        return command;
    }

    /// <summary>Runs the import; returns the exit code.</summary>
    private static int Run(string file, string like, string directory, string? names, TextWriter output, TextWriter error)
    {
        try
        {
            IReadOnlyDictionary<string, string> moduleNames = PyTorchNames.Parse(names);
            var (model, metadata) = PyTorchStateDict.Import(file, like, moduleNames);
            ModelFile.Save(model, directory, metadata);
            int tensors = PyTorchStateDict.From(model, moduleNames).Count;
            output.WriteLine($"recur import: {tensors} tensors of {file} loaded into the architecture of {like} ({model.Parameters.Sum(p => (long)p.Value.Length):N0} parameters); saved {directory}.");
            return ExitCodes.Ok;
        }
        catch (UsageException e)
        {
            error.WriteLine($"recur import: {e.Message} Run 'recur import --help' for the options.");
            return ExitCodes.Usage;
        }
        catch (ArgumentException e) when (e.ParamName == "moduleNames")
        {
            error.WriteLine($"recur import: --names: {PyTorchNames.Message(e)} Run 'recur import --help' for the options.");
            return ExitCodes.Usage;
        }
        catch (Exception e) when (e is IOException or InvalidDataException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            error.WriteLine($"recur import: {PyTorchNames.Message(e)}");
            return ExitCodes.Failed;
        }
    }
}
