using System.CommandLine;

namespace Recur.Cli;

/// <summary>The <c>recur</c> command: train, evaluate, predict, bench and export.</summary>
public static class Program
{
    /// <summary>Entry point. Exit codes: 0 success, 1 a failed run, 2 bad usage.</summary>
    public static int Main(string[] args) => Run(args, Console.Out, Console.Error);

    /// <summary>Parses and runs <paramref name="args"/>, writing to the given streams (tests use this).</summary>
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = CreateRootCommand();
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            string command = parse.CommandResult.Command == root ? "recur" : $"recur {parse.CommandResult.Command.Name}";
            var messages = new List<string>();
            foreach (var e in parse.Errors)
            {
                // One line: System.CommandLine lists allowed values on indented lines of their own.
                string message = string.Join(" ", e.Message.Split(['\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                messages.Insert(message.StartsWith("Required command", StringComparison.Ordinal) ? messages.Count : 0, message.TrimEnd('.') + ".");
            }

            error.WriteLine($"{command}: {string.Join(" ", messages)} Run '{command} --help' for the options.");
            return ExitCodes.Usage;
        }
        var invocation = new InvocationConfiguration { Output = output, Error = error };
        return parse.Invoke(invocation);
    }

    /// <summary>The command tree.</summary>
    internal static RootCommand CreateRootCommand()
    {
        var root = new RootCommand("recur — train recurrent neural networks (LSTM, GRU, simple RNN) on the CPU.")
        {
            TrainCommand.Create(),
            EvaluateCommand.Create(),
            PredictCommand.Create(),
            BenchCommand.Create(),
            ExportCommand.Create(),
        };
        return root;
    }
}

/// <summary>The process exit codes every command uses.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;
    /// <summary>A run that failed (diverged, missing data it could not fetch, an unreadable model).</summary>
    public const int Failed = 1;
    /// <summary>Bad usage: an unknown command or option, or an option value out of range.</summary>
    public const int Usage = 2;
}
