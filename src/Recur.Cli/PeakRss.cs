using System.Diagnostics;
using System.Globalization;

namespace Recur.Cli;

/// <summary>
/// The process's peak resident set size, as <c>recur bench</c> and its peers report it (bench/peers/OnnxRuntimePeer
/// compiles this file too).
/// </summary>
internal static class PeakRss
{
    /// <summary>The peak resident set size of this process in MiB: VmHWM from /proc/self/status on Linux, else the peak working set.</summary>
    public static double Mib()
    {
        const string Status = "/proc/self/status";
        if (File.Exists(Status))
        {
            foreach (string line in File.ReadLines(Status))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024.0;
                }
            }
        }

        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64 / (1024.0 * 1024.0);
    }
}
