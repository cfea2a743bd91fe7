namespace Recur.Data;

/// <summary>One language's word list from a Debian dictionary package (see <see cref="WordLists"/>).</summary>
/// <param name="Name">The language, as the class name of the data set ("english", "german", …).</param>
/// <param name="Package">The Debian package that installs the list ("wamerican").</param>
/// <param name="FileName">The list's name under <c>/usr/share/dict</c> ("american-english").</param>
/// <param name="Latin1">Whether the file is ISO-8859-1 (otherwise UTF-8).</param>
/// <param name="Sha256">The SHA-256 of the file as Debian 12 (bookworm) installs it, lowercase hex.</param>
/// <param name="Bytes">The file's size in bytes.</param>
public sealed record WordLanguage(string Name, string Package, string FileName, bool Latin1, string Sha256, long Bytes);
