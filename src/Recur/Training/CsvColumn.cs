namespace Recur.Training;

/// <summary>A column of a per-step <see cref="CsvLogger"/>: its header and how to read its value after a step (NaN for an empty cell).</summary>
/// <param name="Name">The header.</param>
/// <param name="Value">The value from the loop (its step, last batch, last validation) and the step's logs.</param>
public sealed record CsvColumn(string Name, Func<Trainer, IDictionary<string, double>, double> Value);
