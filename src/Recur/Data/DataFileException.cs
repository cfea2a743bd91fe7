namespace Recur.Data;

/// <summary>
/// A data file exists but cannot be used: it is not the expected format, is truncated or damaged,
/// or does not match its known SHA-256. The message names the file, what was expected, what was
/// found and how to fix it.
/// </summary>
public sealed class DataFileException : IOException
{
    /// <summary>Creates the exception for the file at <paramref name="filePath"/>.</summary>
    /// <param name="filePath">The file that is wrong.</param>
    /// <param name="message">The complete message: the file, expected versus found, and the fix.</param>
    /// <param name="inner">The underlying error, if any.</param>
    public DataFileException(string filePath, string message, Exception? inner = null)
        : base(message, inner)
    {
        FilePath = filePath;
    }

    /// <summary>The path of the file that is wrong.</summary>
    public string FilePath { get; }
}
