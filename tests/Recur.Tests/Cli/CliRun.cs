using Recur.Cli;
using Xunit.Abstractions;

namespace Recur.Tests.Cli;

/// <summary>Runs <c>recur</c> in this process, capturing its output and exit code, and logs what it did.</summary>
internal static class CliRun
{
    /// <summary>A fixture file under <c>fixtures/{folder}</c>.</summary>
    public static string Fixture(string folder, string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", folder, name);

    /// <summary>Runs the command line <paramref name="args"/>.</summary>
    public static (int Code, string Out, string Err) Command(ITestOutputHelper log, params string[] args) =>
        Logged(log, $"$ recur {string.Join(" ", args)}\n", (output, error) => Program.Run(args, output, error));

    /// <summary>Runs <c>recur train</c> with <paramref name="settings"/> (which may hold what no option can, such as test hooks).</summary>
    public static (int Code, string Out, string Err) Train(ITestOutputHelper log, TrainSettings settings) =>
        Logged(log, "", (output, error) => new TrainRun(settings, output, error).Run());

    private static (int Code, string Out, string Err) Logged(ITestOutputHelper log, string title, Func<TextWriter, TextWriter, int> run)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        int code = run(output, error);
        log.WriteLine($"{title}{output}{error}exit {code}");
        return (code, output.ToString(), error.ToString());
    }
}
