namespace Recur.Data;

/// <summary>
/// A data set was found nowhere and could not be fetched. The message lists the files needed,
/// the directory to put them in, how to get them, and what was tried.
/// </summary>
public sealed class DataUnavailableException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">The complete message.</param>
    /// <param name="targetDirectory">Where the files were to be fetched to, and where a user can put them.</param>
    /// <param name="missingFiles">The file names (without <c>.gz</c>) still missing.</param>
    public DataUnavailableException(string message, string targetDirectory, IReadOnlyList<string> missingFiles)
        : base(message)
    {
        TargetDirectory = targetDirectory;
        MissingFiles = missingFiles;
    }

    /// <summary>Where the files were to be fetched to, and where a user can put them.</summary>
    public string TargetDirectory { get; }

    /// <summary>The file names (without <c>.gz</c>) still missing.</summary>
    public IReadOnlyList<string> MissingFiles { get; }
}
