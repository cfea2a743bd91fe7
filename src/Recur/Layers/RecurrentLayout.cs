namespace Recur.Layers;

/// <summary>
/// How a recurrent layer lays out the one matrix product of each step for <see cref="RecurrentLoop"/>:
/// the step operand <c>xh [B, Width]</c> holds <c>x_t</c> in columns <c>[0, Input)</c>, <c>h_{t−1}</c> in
/// <c>[HiddenColumn, HiddenColumn + Hidden)</c> and 1 in each of <see cref="OnesColumns"/> (for the biases);
/// the weights <c>[Gates, Width]</c> are laid out to match, and the step's pre-activations are
/// <c>xh · weightsᵀ [B, Gates]</c>.
/// </summary>
/// <param name="Input">I, features per step.</param>
/// <param name="Hidden">H, units.</param>
/// <param name="Gates">G, columns of the pre-activations (4H for an LSTM or a GRU, H for a simple RNN).</param>
/// <param name="HiddenColumn">The first column of <c>h_{t−1}</c> in <c>xh</c>.</param>
/// <param name="Width">Columns of <c>xh</c>, the depth of the step's product.</param>
/// <param name="OnesColumns">The columns of <c>xh</c> that hold 1.</param>
/// <param name="InputGates">
/// The block whose gate columns times the weights' <c>[0, Input)</c> columns give the input gradient,
/// <c>dx = d[:, gates] · W[gates, :Input]</c>; its own columns are ignored.
/// </param>
/// <param name="RecurrentGates">
/// The block whose gate columns times the weights' <c>h</c> columns give the gradient of <c>h_{t−1}</c>,
/// <c>dh_{t−1} (+)= d[:, gates] · W[gates, HiddenColumn …]</c>; its own columns are ignored.
/// </param>
/// <param name="RecurrentAccumulates">
/// Whether that product adds to what the cell's backward left in <c>dh</c> (a GRU's direct path
/// <c>dh'·z</c>) rather than overwriting it.
/// </param>
/// <param name="WeightBlocks">The products that form the weight gradients after the time loop.</param>
internal sealed record RecurrentLayout(
    int Input,
    int Hidden,
    int Gates,
    int HiddenColumn,
    int Width,
    int[] OnesColumns,
    WeightBlock InputGates,
    WeightBlock RecurrentGates,
    bool RecurrentAccumulates,
    WeightBlock[] WeightBlocks)
{
    /// <summary>
    /// <c>xh = [x_t, h_{t−1}, 1]</c> against weights <c>[W_ih, W_hh, bias] [G, I + H + 1]</c>, every gate fed by
    /// both parts (an LSTM, a simple RNN): the weight gradients are one product, <c>dzᵀ · xh</c>.
    /// </summary>
    public static RecurrentLayout Stacked(int input, int hidden, int gates)
    {
        int width = input + hidden + 1;
        var all = new WeightBlock(0, gates, 0, width);
        return new RecurrentLayout(input, hidden, gates, input, width, [input + hidden], all, all, false, [all]);
    }
}
