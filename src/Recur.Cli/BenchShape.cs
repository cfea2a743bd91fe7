namespace Recur.Cli;

/// <summary>
/// One workload of <c>recur bench</c>: a recurrent layer (<see cref="Cell"/>, <see cref="Hidden"/> units, both
/// ways when <see cref="Bidirectional"/>) over <see cref="Steps"/> steps of <see cref="Input"/> features, its
/// last output into Dense(<see cref="Classes"/>), on batches of <see cref="Batch"/> synthetic sequences;
/// trained with Adam and softmax cross-entropy, or run for inference only. bench/peers/pytorch_lstm.py
/// defines the same shapes.
/// </summary>
internal sealed record BenchShape(string Name, bool Training, int Batch, int Steps, int Input, int Hidden, string Description)
{
    /// <summary>The recurrent layer: <c>lstm</c> or <c>gru</c>.</summary>
    public string Cell { get; init; } = "lstm";

    /// <summary>Whether the cell is layer-normalised (<c>layerNorm: true</c>); no peer defines these shapes, so bench/compare.sh leaves them out.</summary>
    public bool LayerNorm { get; init; }

    /// <summary>Whether the layer reads the sequence both ways (Keras's Bidirectional, concatenated).</summary>
    public bool Bidirectional { get; init; }

    /// <summary>
    /// Whether each sequence has a length of its own, drawn uniformly from 1 … T − 1 (mean T / 2), given to the layer
    /// as a sequence mask (PyTorch's packed lengths); the padded steps after it hold zeros.
    /// </summary>
    public bool Ragged { get; init; }

    /// <summary>Whether a <see cref="Ragged"/> shape's lengths reach the layer as a mask; false runs every padded step (the baseline the mask is measured against).</summary>
    public bool Masked { get; init; } = true;

    /// <summary>
    /// Whether the shape streams: batch 1 fed one step at a time through <see cref="Layers.RecurrentLayer{TState}.Step(Tensors.Tensor, TState, TState)"/>,
    /// the state carried from step to step and each step's output into the Dense layer — the latency of one step. Its
    /// timed unit is a step, not a batch: <c>--batches N</c> times N × <see cref="StreamStepsPerBatch"/> steps.
    /// </summary>
    public bool Streaming { get; init; }

    /// <summary>The steps a <see cref="Streaming"/> shape times for each of <c>--batches</c> (and runs for each of <c>--warmup</c>).</summary>
    public const int StreamStepsPerBatch = 1000;

    /// <summary>The mode printed: <c>train</c>, <c>infer</c> or <c>stream</c>.</summary>
    public string Mode => Training ? "train" : Streaming ? "stream" : "infer";

    /// <summary>Output classes of the Dense layer (MNIST's ten digits).</summary>
    public const int Classes = 10;

    /// <summary>Every shape, in the order they run by default.</summary>
    public static IReadOnlyList<BenchShape> All { get; } =
    [
        new("rows", true, 128, 28, 28, 128, "the tutorial: MNIST rows, LSTM(128), batch 128, training"),
        new("rows-infer", false, 1000, 28, 28, 128, "the tutorial's model, inference on batches of 1000"),
        new("pixels", true, 128, 784, 1, 128, "MNIST pixel by pixel: 784 steps of 1 input, LSTM(128), training"),
        new("wide", true, 256, 28, 28, 512, "MNIST rows, LSTM(512), batch 256, training"),
        new("gru-rows", true, 128, 28, 28, 128, "the tutorial with GRU(128): MNIST rows, batch 128, training") { Cell = "gru" },
        new("gru-rows-infer", false, 1000, 28, 28, 128, "the GRU(128) model, inference on batches of 1000") { Cell = "gru" },
        new("bi-rows", true, 128, 28, 28, 128, "MNIST rows, Bidirectional(LSTM(128)), batch 128, training") { Bidirectional = true },
        new("bi-rows-infer", false, 1000, 28, 28, 128, "the Bidirectional(LSTM(128)) model, inference on batches of 1000") { Bidirectional = true },
        new("pixels-infer", false, 1000, 784, 1, 128, "the pixels model, inference on batches of 1000"),
        new("wide-infer", false, 1000, 28, 28, 512, "the wide model, LSTM(512), inference on batches of 1000"),
        new("rows-stream", false, 1, 28, 28, 128, "the tutorial's model on a stream: batch 1, one step at a time, the state carried") { Streaming = true },
        new("rows-ragged", true, 128, 28, 28, 128, "rows with lengths 1…27 (mean 14) as a mask, LSTM(128), batch 128, training") { Ragged = true },
        new("rows-ragged-padded", true, 128, 28, 28, 128, "the same ragged batches without a mask: every padded step runs, the last step's output is used") { Ragged = true, Masked = false },
        new("rows-ragged-infer", false, 1000, 28, 28, 128, "rows with lengths 1…27 (mean 14) as a mask, inference on batches of 1000") { Ragged = true },
        new("rows-ln", true, 128, 28, 28, 128, "the tutorial with a layer-normalised LSTM(128): MNIST rows, batch 128, training") { LayerNorm = true },
        new("gru-rows-ln", true, 128, 28, 28, 128, "the tutorial with a layer-normalised GRU(128): MNIST rows, batch 128, training") { Cell = "gru", LayerNorm = true },
    ];

    /// <summary>
    /// Steps per sequence that count: T, for <see cref="Ragged"/> shapes the mean length T / 2 (1 … T − 1 uniform), for
    /// a <see cref="Streaming"/> shape 1 (its unit is one step).
    /// </summary>
    public double CountedSteps => Streaming ? 1 : Ragged && Masked ? Steps / 2.0 : Steps;

    /// <summary>
    /// Floating-point operations of the matrix products in one batch, 2 per multiply-add, with G gates (LSTM 4,
    /// GRU 3) and D directions (1, or 2 when bidirectional): training <c>D·2·T·B·GH·(2I + 3H) + 6·B·DH·C</c>
    /// (forward x·W_ihᵀ and h·W_hhᵀ; backward dW_ih, dW_hh, dh = dz·W_hh; Dense forward, dW and dx), inference
    /// <c>D·2·T·B·GH·(I + H) + 2·B·DH·C</c>. The recurrent layer's input gradient is not counted: the input of a
    /// first layer needs none and PyTorch does not form it. For the GRU these are the products its formulas need.
    /// A ragged shape counts its valid steps only (T is <see cref="CountedSteps"/>): the useful work. A streaming shape's
    /// "batch" is one step of batch 1 (T = B = 1).
    /// </summary>
    public double FlopsPerBatch()
    {
        double t = CountedSteps, b = Batch, i = Input, h = Hidden, c = Classes, g = Cell == "gru" ? 3 : 4, d = Bidirectional ? 2 : 1;
        return Training
            ? (d * 2 * t * b * g * h * ((2 * i) + (3 * h))) + (6 * b * d * h * c)
            : (d * 2 * t * b * g * h * (i + h)) + (2 * b * d * h * c);
    }

    /// <summary>The shape called <paramref name="name"/>, or null.</summary>
    public static BenchShape? Find(string name)
    {
        foreach (BenchShape shape in All)
        {
            if (string.Equals(shape.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                return shape;
            }
        }

        return null;
    }
}
