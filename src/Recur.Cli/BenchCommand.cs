using System.CommandLine;

namespace Recur.Cli;

/// <summary><c>recur bench</c>: throughput of the recurrent layers against PyTorch (issue 5 fills this in).</summary>
internal static class BenchCommand
{
    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var command = new Command("bench", "Measure training and inference throughput (not built yet).");
        command.SetAction(parse =>
        {
            parse.InvocationConfiguration.Error.WriteLine("recur bench: not built yet.");
            return ExitCodes.Failed;
        });
        return command;
    }
}
