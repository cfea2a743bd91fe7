namespace Recur.Layers;

/// <summary>
/// What <see cref="RecurrentLoop"/> hands a cell for one step of one shard of the batch: pointers to the
/// step's rows and the row indices of the time-major buffers, from which a cell with state of its own
/// (an LSTM's c) finds that state.
/// </summary>
internal readonly unsafe struct RecurrentStep
{
    /// <summary>Creates the step.</summary>
    public RecurrentStep(float* gates, float* hPrev, float* hNext, float* dh, int ld, int row0, int rows, int stateRow, int nextRow, int gateRow)
    {
        Gates = gates;
        HPrev = hPrev;
        HNext = hNext;
        Dh = dh;
        Ld = ld;
        Row0 = row0;
        Rows = rows;
        StateRow = stateRow;
        NextRow = nextRow;
        GateRow = gateRow;
    }

    /// <summary>The step's gates <c>[Rows, G]</c>: pre-activations in forward, replaced by what the cell keeps; in backward, replaced by their gradients.</summary>
    public float* Gates { get; }

    /// <summary><c>h_{t−1}</c> <c>[Rows, H]</c>, row stride <see cref="Ld"/>.</summary>
    public float* HPrev { get; }

    /// <summary><c>h_t</c> <c>[Rows, H]</c>, row stride <see cref="Ld"/>: written by the forward cell.</summary>
    public float* HNext { get; }

    /// <summary>Backward: the gradient of <c>h_t</c> <c>[Rows, H]</c> (row stride H); null in forward.</summary>
    public float* Dh { get; }

    /// <summary>The row stride of <see cref="HPrev"/> and <see cref="HNext"/>.</summary>
    public int Ld { get; }

    /// <summary>The first batch row of this shard.</summary>
    public int Row0 { get; }

    /// <summary>Batch rows in this shard.</summary>
    public int Rows { get; }

    /// <summary>The row of this shard's first sequence in the state block of <c>t − 1</c> (the input state).</summary>
    public int StateRow { get; }

    /// <summary>The row of this shard's first sequence in the state block of <c>t</c> (the output state).</summary>
    public int NextRow { get; }

    /// <summary>The row of this shard's first sequence in the step's gate block.</summary>
    public int GateRow { get; }
}
