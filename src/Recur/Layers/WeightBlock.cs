namespace Recur.Layers;

/// <summary>
/// A block of a recurrent layer's weights <c>[G, Width]</c> (see <see cref="RecurrentLayout"/>): gate rows
/// <c>[Gate0, Gate0 + Gates)</c> by columns <c>[Column0, Column0 + Columns)</c>, the columns being those of the
/// step operand <c>xh</c> they multiply. The products of <see cref="RecurrentLoop"/> are each over one block.
/// </summary>
/// <param name="Gate0">The first gate row (a column of the pre-activations).</param>
/// <param name="Gates">How many gate rows.</param>
/// <param name="Column0">The first column (of the weights and of <c>xh</c>).</param>
/// <param name="Columns">How many columns.</param>
internal readonly record struct WeightBlock(int Gate0, int Gates, int Column0, int Columns);
