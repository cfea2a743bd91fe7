using Recur.Data;

namespace Recur.Tests.Data;

internal static class DataFileAssert
{
    /// <summary>
    /// Asserts <paramref name="read"/> throws <see cref="DataFileException"/> for <paramref name="path"/>, with a
    /// one-line message that quotes the path and contains each fragment.
    /// </summary>
    public static DataFileException Bad(Action read, string path, params string[] fragments)
    {
        var e = Assert.Throws<DataFileException>(read);
        Assert.Equal(path, e.FilePath);
        Assert.Contains($"'{path}'", e.Message);
        foreach (string fragment in fragments)
        {
            Assert.Contains(fragment, e.Message);
        }

        Assert.DoesNotContain('\n', e.Message);
        return e;
    }
}
