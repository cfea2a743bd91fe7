namespace Recur.Layers;

/// <summary>
/// What a layer-normalised cell (<see cref="LayerNormCell"/>) reads besides its gates, as pointers into the layer's
/// parameters (pinned by the caller for the call): the gains α and shifts β of the input product's normalisation
/// (<c>[P]</c>, P = 4H for an LSTM, 3H for a GRU, in PyTorch's gate order), of the recurrent product's, of the LSTM's
/// cell state (<c>[H]</c>; null for a GRU), the biases added after the normalisations (<c>[P]</c>: an LSTM's one in
/// <see cref="BiasX"/>, a GRU's <c>bias_ih</c> and <c>bias_hh</c>) and ε.
/// </summary>
internal readonly unsafe struct NormWeights
{
    /// <summary>Creates the set.</summary>
    public NormWeights(float* gainX, float* shiftX, float* gainH, float* shiftH, float* gainC, float* shiftC, float* biasX, float* biasH, float epsilon)
    {
        GainX = gainX;
        ShiftX = shiftX;
        GainH = gainH;
        ShiftH = shiftH;
        GainC = gainC;
        ShiftC = shiftC;
        BiasX = biasX;
        BiasH = biasH;
        Epsilon = epsilon;
    }

    /// <summary>α_x <c>[P]</c>.</summary>
    public float* GainX { get; }

    /// <summary>β_x <c>[P]</c>.</summary>
    public float* ShiftX { get; }

    /// <summary>α_h <c>[P]</c>.</summary>
    public float* GainH { get; }

    /// <summary>β_h <c>[P]</c>.</summary>
    public float* ShiftH { get; }

    /// <summary>α_c <c>[H]</c> (an LSTM's).</summary>
    public float* GainC { get; }

    /// <summary>β_c <c>[H]</c> (an LSTM's).</summary>
    public float* ShiftC { get; }

    /// <summary>The bias added after the input normalisation <c>[P]</c> (an LSTM's one bias, a GRU's <c>bias_ih</c>).</summary>
    public float* BiasX { get; }

    /// <summary>The bias added after the recurrent normalisation <c>[P]</c> (a GRU's <c>bias_hh</c>; null for an LSTM).</summary>
    public float* BiasH { get; }

    /// <summary>ε, added to the variance under the square root.</summary>
    public float Epsilon { get; }
}
