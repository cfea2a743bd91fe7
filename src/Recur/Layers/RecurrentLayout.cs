namespace Recur.Layers;

/// <summary>
/// How a recurrent layer lays out its products for <see cref="RecurrentLoop"/>: the step operand
/// <c>xh [B, Width]</c> holds <c>x_t</c> in columns <c>[0, Input)</c>, <c>h_{t−1}</c> in
/// <c>[HiddenColumn, HiddenColumn + Hidden)</c> and 1 in each of <see cref="OnesColumns"/> (for the biases); the
/// weights <c>[Gates, Width]</c> are laid out to match, so the step's pre-activations <c>z [B, Gates]</c> are
/// <c>xh · weightsᵀ</c>, formed over the blocks of <see cref="ForwardBlocks"/>.
/// </summary>
/// <param name="Input">I, features per step.</param>
/// <param name="Hidden">H, units.</param>
/// <param name="Gates">G, columns of the pre-activations (4H for an LSTM or a GRU, H for a simple RNN).</param>
/// <param name="HiddenColumn">The first column of <c>h_{t−1}</c> in <c>xh</c>.</param>
/// <param name="Width">Columns of <c>xh</c> and of the weights.</param>
/// <param name="OnesColumns">The columns of <c>xh</c> that hold 1.</param>
/// <param name="ForwardBlocks">
/// The step's products, <c>z[:, gates] = xh[:, columns] · blockᵀ</c>: the first overwrites and must span every gate
/// column; the others add to it — unless <see cref="ProductsApart"/>, when each writes gate columns of its own.
/// </param>
/// <param name="InputBlock">The weights of x, <c>[gates, Input)</c>: the input gradient is <c>dx = dz[:, gates] · block</c>.</param>
/// <param name="RecurrentBlock">
/// The weights of h, <c>[gates, HiddenColumn …)</c>: the gradient of <c>h_{t−1}</c> is <c>dz[:, gates] · block</c>, added
/// to what the cell's backward left in dh when <paramref name="RecurrentAccumulates"/> (a GRU's direct path
/// <c>dh'·z</c>), written over it otherwise.
/// </param>
/// <param name="RecurrentAccumulates">Whether the recurrent product adds to dh rather than overwriting it.</param>
/// <param name="GradientBlocks">The blocks whose gradients, <c>dz[:, gates]ᵀ · xh[:, columns]</c> over all steps, are formed after the backward time loop.</param>
internal sealed record RecurrentLayout(
    int Input,
    int Hidden,
    int Gates,
    int HiddenColumn,
    int Width,
    int[] OnesColumns,
    WeightBlock[] ForwardBlocks,
    WeightBlock InputBlock,
    WeightBlock RecurrentBlock,
    bool RecurrentAccumulates,
    WeightBlock[] GradientBlocks)
{
    /// <summary>
    /// Whether every forward block writes gate columns of its own (each product overwrites, none adds): a layer-normalised
    /// cell's, which normalises the input and the recurrent product apart. Columns past the blocks are then the cell's
    /// own, kept per step like the products (<see cref="RecurrentLoop"/> never reads them).
    /// </summary>
    public bool ProductsApart { get; init; }

    /// <summary>
    /// <c>xh = [x_t, h_{t−1}, 1]</c> against weights <c>[W_ih, W_hh, bias] [G, I + H + 1]</c>, every gate fed by
    /// both parts (an LSTM, a simple RNN): one product per step, and the weight gradients one product, <c>dzᵀ · xh</c>.
    /// </summary>
    public static RecurrentLayout Stacked(int input, int hidden, int gates)
    {
        int width = input + hidden + 1;
        var all = new WeightBlock(0, gates, 0, width);
        return new RecurrentLayout(input, hidden, gates, input, width, [input + hidden], [all],
            new WeightBlock(0, gates, 0, input), new WeightBlock(0, gates, input, hidden), false, [all]);
    }

    /// <summary>
    /// <c>xh = [x_t, h_{t−1}]</c> (no ones: a layer-normalised cell adds its biases after the normalisation) against
    /// weights whose gate rows <c>[0, P)</c> hold <c>W_ih</c> in columns <c>[0, I)</c> and rows <c>[P, 2P)</c> hold
    /// <c>W_hh</c> in columns <c>[I, I + H)</c>, P = <paramref name="productGates"/>: two products per step, each into
    /// its own gate columns (<see cref="ProductsApart"/>), and two weight gradients, <c>dW_ih</c> and <c>dW_hh</c> as they
    /// are. Gate columns <c>[2P, gates)</c> are the cell's own.
    /// </summary>
    public static RecurrentLayout Normalized(int input, int hidden, int productGates, int gates, bool recurrentAccumulates)
    {
        var inputBlock = new WeightBlock(0, productGates, 0, input);
        var recurrentBlock = new WeightBlock(productGates, productGates, input, hidden);
        return new RecurrentLayout(input, hidden, gates, input, input + hidden, [], [inputBlock, recurrentBlock], inputBlock, recurrentBlock,
            recurrentAccumulates, [inputBlock, recurrentBlock]) { ProductsApart = true };
    }
}
