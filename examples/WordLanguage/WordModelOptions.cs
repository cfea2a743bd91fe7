namespace WordLanguageExample;

/// <summary>The sizes and training settings of the word-language model (the defaults are the ones chosen by validation accuracy; see README.md).</summary>
public sealed record WordModelOptions
{
    /// <summary>"lstm" or "gru".</summary>
    public string Cell { get; init; } = "lstm";

    /// <summary>Whether the recurrent layer reads each word both ways (Bidirectional, concatenated).</summary>
    public bool Bidirectional { get; init; } = true;

    /// <summary>The size of each character's embedding.</summary>
    public int EmbeddingDim { get; init; } = 64;

    /// <summary>The recurrent layer's units (per direction).</summary>
    public int Units { get; init; } = 128;

    /// <summary>Passes over the training words.</summary>
    public int Epochs { get; init; } = 6;

    /// <summary>Words per step.</summary>
    public int BatchSize { get; init; } = 128;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>
    /// How the recurrent and Dense weights start: "keras" (Glorot-uniform kernels, orthogonal recurrent kernels, zero
    /// biases with the LSTM's unit forget bias) or "torch" (PyTorch's uniform ±1/√H for every recurrent tensor, ±1/√in
    /// for the Dense layer, as the peer's nn.LSTM and nn.Linear start).
    /// </summary>
    public string Init { get; init; } = "keras";

    /// <summary>Seeds the weights and the order of the batches.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>One line per setting, for the log and for the peer's command line.</summary>
    public override string ToString() =>
        $"cell {Cell}, bidirectional {Bidirectional}, embedding {EmbeddingDim}, units {Units}, init {Init}, epochs {Epochs}, batch {BatchSize}, Adam lr {LearningRate}, seed {Seed}";
}
