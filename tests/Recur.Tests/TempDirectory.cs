namespace Recur.Tests;

/// <summary>A fresh directory under the system temporary directory, deleted on dispose.</summary>
internal sealed class TempDirectory : IDisposable
{
    public TempDirectory() => Path = Directory.CreateTempSubdirectory("recur-test-").FullName;

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>The names of the files in <paramref name="relative"/> (or the root), sorted; empty if it does not exist.</summary>
    public string[] FileNames(string relative = "")
    {
        string dir = System.IO.Path.Combine(Path, relative);
        return Directory.Exists(dir)
            ? Directory.GetFiles(dir).Select(f => System.IO.Path.GetFileName(f)!).Order(StringComparer.Ordinal).ToArray()
            : [];
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
