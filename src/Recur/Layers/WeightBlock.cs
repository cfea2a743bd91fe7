namespace Recur.Layers;

/// <summary>
/// One product of the weight gradients after the backward time loop (see <see cref="RecurrentLayout"/>):
/// gate columns <c>[Gate0, Gate0 + Gates)</c> of the gate gradients, transposed, times columns
/// <c>[Column0, Column0 + Columns)</c> of the step operands, summed over all T·B rows, gives a
/// <c>[Gates, Columns]</c> block of gradients.
/// </summary>
/// <param name="Gate0">The first gate column.</param>
/// <param name="Gates">How many gate columns (rows of the block).</param>
/// <param name="Column0">The first column of the step operand <c>xh</c>.</param>
/// <param name="Columns">How many columns of <c>xh</c> (columns of the block).</param>
internal readonly record struct WeightBlock(int Gate0, int Gates, int Column0, int Columns);
