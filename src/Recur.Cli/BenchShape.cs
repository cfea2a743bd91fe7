using Recur.Layers;

namespace Recur.Cli;

/// <summary>
/// One workload of <c>recur bench</c>: an LSTM (or a GRU, <see cref="Gru"/>) of <see cref="Hidden"/> units over
/// <see cref="Steps"/> steps of <see cref="Input"/> features, its last output into Dense(<see cref="Classes"/>), on
/// batches of <see cref="Batch"/> synthetic sequences; trained with Adam and softmax cross-entropy, or run for
/// inference only. bench/peers/pytorch_lstm.py defines the same shapes.
/// </summary>
internal sealed record BenchShape(string Name, bool Training, int Batch, int Steps, int Input, int Hidden, string Description, bool Gru = false)
{
    /// <summary>Output classes of the Dense layer (MNIST's ten digits).</summary>
    public const int Classes = 10;

    /// <summary>Every shape, in the order they run by default.</summary>
    public static IReadOnlyList<BenchShape> All { get; } =
    [
        new("rows", true, 128, 28, 28, 128, "the tutorial: MNIST rows, LSTM(128), batch 128, training"),
        new("rows-infer", false, 1000, 28, 28, 128, "the tutorial's model, inference on batches of 1000"),
        new("pixels", true, 128, 784, 1, 128, "MNIST pixel by pixel: 784 steps of 1 input, LSTM(128), training"),
        new("wide", true, 256, 28, 28, 512, "MNIST rows, LSTM(512), batch 256, training"),
        new("gru-rows", true, 128, 28, 28, 128, "the tutorial with GRU(128): MNIST rows, batch 128, training", Gru: true),
        new("gru-rows-infer", false, 1000, 28, 28, 128, "the GRU(128) model, inference on batches of 1000", Gru: true),
    ];

    /// <summary>Gate blocks of the recurrent layer's weights: 4 for the LSTM (i, f, g, o), 3 for the GRU (r, z, n).</summary>
    public int Gates => Gru ? 3 : 4;

    /// <summary>
    /// Floating-point operations of the matrix products in one batch, 2 per multiply-add, with G gate blocks
    /// (<see cref="Gates"/>): training <c>2·T·B·GH·(2I + 3H) + 6·B·H·C</c> (forward x·W_ihᵀ and h·W_hhᵀ; backward
    /// dW_ih, dW_hh, dh = dz·W_hh; Dense forward, dW and dx), inference <c>2·T·B·GH·(I + H) + 2·B·H·C</c>. The
    /// recurrent layer's input gradient is not counted: the input of a first layer needs none and PyTorch does not
    /// form it. For the GRU these are the products its formulas need (Recur's one product per step also multiplies
    /// the zero blocks that keep the candidate's two parts apart; that work is not counted).
    /// </summary>
    public double FlopsPerBatch()
    {
        double t = Steps, b = Batch, i = Input, h = Hidden, c = Classes, gh = Gates * h;
        return Training
            ? (2 * t * b * gh * ((2 * i) + (3 * h))) + (6 * b * h * c)
            : (2 * t * b * gh * (i + h)) + (2 * b * h * c);
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
