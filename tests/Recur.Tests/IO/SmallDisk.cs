using System.Diagnostics;

namespace Recur.Tests.IO;

/// <summary>
/// A tmpfs of a given size mounted on a fresh directory — a real small disk, which fills up — when this process may
/// mount one (root on Linux, and a kernel that lets it); unmounted and removed on dispose.
/// </summary>
internal sealed class SmallDisk : IDisposable
{
    private readonly TempDirectory _mount;

    private SmallDisk(TempDirectory mount) => _mount = mount;

    /// <summary>The mounted directory.</summary>
    public string Path => _mount.Path;

    /// <summary>Mounts a tmpfs of <paramref name="bytes"/> bytes (read-only with <paramref name="readOnly"/>), or returns null when this system does not allow it.</summary>
    public static SmallDisk? TryMount(long bytes, bool readOnly = false)
    {
        if (!OperatingSystem.IsLinux() || !Environment.IsPrivilegedProcess)
        {
            return null;
        }

        var mount = new TempDirectory();
        if (Run("mount", "-t", "tmpfs", "-o", $"size={bytes},{(readOnly ? "ro" : "rw")},mode=755", "tmpfs", mount.Path) != 0)
        {
            mount.Dispose();
            return null;
        }

        return new SmallDisk(mount);
    }

    public void Dispose()
    {
        Run("umount", Path);
        _mount.Dispose();
    }

    private static int Run(string file, params string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        try
        {
            using Process process = Process.Start(start)!;
            process.WaitForExit();
            return process.ExitCode;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return -1; // no such program
        }
    }
}
