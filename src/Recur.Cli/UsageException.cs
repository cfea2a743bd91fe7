namespace Recur.Cli;

/// <summary>
/// An option value that turns out wrong only once the data is read (a batch larger than the data, a
/// validation split that holds nothing out): reported like any bad usage, with exit code 2.
/// </summary>
internal sealed class UsageException(string message) : Exception(message);
