namespace Recur.Data;

/// <summary>Whether the first line of a CSV file of sequences is a header row.</summary>
public enum CsvHeader
{
    /// <summary>
    /// A header when its first cell is not a number (such as <c>label,t0,t1,…</c>); data otherwise.
    /// A header of numbers only (pandas writes <c>0,1,2,…</c> for unnamed columns) needs <see cref="Present"/>.
    /// </summary>
    Auto,

    /// <summary>The first line is a header and is skipped, whatever it holds.</summary>
    Present,

    /// <summary>There is no header: the first line is data, and a word in it is an error.</summary>
    Absent,
}
