using System.ComponentModel;
using System.Diagnostics;

namespace Recur.Data;

/// <summary>Runs a helper program (npm, apt-get, dpkg-deb) without a shell, with a time limit, reporting failures as notes.</summary>
internal static class ExternalCommand
{
    /// <summary>
    /// Runs <paramref name="command"/> (called <paramref name="name"/> in notes) with <paramref name="arguments"/> in <paramref name="directory"/>; true when it
    /// exits with 0, otherwise false after a note (<c>"what: why"</c>) through <paramref name="note"/>.
    /// </summary>
    public static bool Run(string command, string name, IReadOnlyList<string> arguments, string directory, TimeSpan timeout, Action<string> note)
    {
        string what = $"{name} {string.Join(' ', arguments)}";
        var start = new ProcessStartInfo(command)
        {
            WorkingDirectory = directory,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
        };
        foreach (string argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        Process? process;
        try
        {
            process = Process.Start(start);
        }
        catch (Win32Exception e)
        {
            note($"{what}: {name} is not available ({e.Message})");
            return false;
        }

        if (process is null)
        {
            note($"{what}: {name} did not start");
            return false;
        }

        using (process)
        {
            process.StandardInput.Close();
            Task<string> output = process.StandardOutput.ReadToEndAsync();
            Task<string> errors = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(timeout))
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit();
                note($"{what}: no answer within {timeout.TotalSeconds:0} s; stopped it");
                return false;
            }

            process.WaitForExit(); // lets the output readers finish
            if (process.ExitCode != 0)
            {
                string last = LastLine(errors.Result) ?? LastLine(output.Result) ?? "no output";
                note($"{what}: failed with exit code {process.ExitCode} ({last})");
                return false;
            }
        }

        return true;
    }

    private static string? LastLine(string text)
    {
        string[] lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length == 0 ? null : lines[^1];
    }
}
