namespace Recur.Data;

/// <summary>Refuses a CSV file written with another separator before its first row is taken for a header.</summary>
internal static class CsvSeparator
{
    /// <summary>
    /// Throws when <paramref name="line"/>, the first non-blank line of <paramref name="path"/>, holds no comma but
    /// as many semicolons or tabs (or more): the file is ';'- or tab-separated (as Excel writes CSV in many locales), and taking the
    /// line for a one-column header would only fail later with a less helpful message.
    /// </summary>
    /// <exception cref="DataFileException">The line looks separated by something other than commas.</exception>
    public static void Check(string line, int lineNumber, string path)
    {
        int commas = line.AsSpan().Count(','), semicolons = line.AsSpan().Count(';'), tabs = line.AsSpan().Count('\t');
        string? other = semicolons > 0 && semicolons >= commas ? "';'" : tabs > 0 && tabs >= commas ? "tab" : null;
        if (other is not null)
        {
            throw new DataFileException(path,
                $"'{path}' line {lineNumber} looks like {other}-separated values (it holds {semicolons} ';', {tabs} tabs and {commas} commas); Recur reads comma-separated files: " +
                "save it with commas (pandas: df.to_csv(path, index=False); numpy: np.savetxt(path, a, delimiter=',')), with points for decimals.");
        }
    }
}
