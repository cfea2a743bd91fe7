using Recur.Layers;
using Recur.Tensors;

namespace Recur.Tests;

/// <summary>
/// A <see cref="Gru"/> or a <see cref="SimpleRnn"/> (tanh or relu) behind one set of delegates, so the tests
/// common to the layers whose state is h alone run on each: <c>gru</c>, <c>rnn_tanh</c>, <c>rnn_relu</c>.
/// </summary>
internal sealed class RecurrentSubject
{
    private RecurrentSubject(IRecurrentLayer layer, string type)
    {
        Layer = layer;
        Type = type;
    }

    public static TheoryData<string> Kinds => ["gru", "rnn_tanh", "rnn_relu"];

    public IRecurrentLayer Layer { get; }

    /// <summary>The layer's type name, as its messages give it.</summary>
    public string Type { get; }

    /// <summary>Gates per unit: rows of weight_ih are Gates·H.</summary>
    public int Gates => Layer is Gru ? 3 : 1;

    public required Func<Tensor, Tensor?, bool, Tensor> Forward { get; init; }

    public required Func<Tensor?, Tensor?, Tensor> Backward { get; init; }

    public required Func<Tensor> FinalState { get; init; }

    public required Func<Tensor> InitialStateGradient { get; init; }

    public required Func<Tensor, Tensor, Tensor> Step { get; init; }

    public required Func<IReadOnlyList<Tensor>, Tensor?, (IReadOnlyList<Tensor> Outputs, Tensor Final)> Unroll { get; init; }

    public required Func<int, Tensor> ZeroState { get; init; }

    public required Func<IReadOnlyDictionary<string, Tensor>> ToPyTorch { get; init; }

    public required Action<Tensor, Tensor, Tensor, Tensor> CopyFromPyTorch { get; init; }

    public static RecurrentSubject Create(string kind, int input, int hidden, bool returnSequences = false, Rng? rng = null) => kind switch
    {
        "gru" => Of(new Gru(input, hidden, returnSequences, rng: rng)),
        "rnn_tanh" => Of(new SimpleRnn(input, hidden, RnnActivation.Tanh, returnSequences, rng: rng)),
        "rnn_relu" => Of(new SimpleRnn(input, hidden, RnnActivation.Relu, returnSequences, rng: rng)),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "gru, rnn_tanh or rnn_relu"),
    };

    public static RecurrentSubject Of(Gru gru) => new(gru, "Gru")
    {
        Forward = gru.Forward,
        Backward = gru.Backward,
        FinalState = () => gru.FinalState,
        InitialStateGradient = () => gru.InitialStateGradient,
        Step = gru.Step,
        Unroll = (inputs, h0) => (gru.Unroll(inputs, h0, out Tensor final), final),
        ZeroState = gru.ZeroState,
        ToPyTorch = gru.ToPyTorch,
        CopyFromPyTorch = gru.CopyFromPyTorch,
    };

    public static RecurrentSubject Of(SimpleRnn rnn) => new(rnn, "SimpleRnn")
    {
        Forward = rnn.Forward,
        Backward = rnn.Backward,
        FinalState = () => rnn.FinalState,
        InitialStateGradient = () => rnn.InitialStateGradient,
        Step = rnn.Step,
        Unroll = (inputs, h0) => (rnn.Unroll(inputs, h0, out Tensor final), final),
        ZeroState = rnn.ZeroState,
        ToPyTorch = rnn.ToPyTorch,
        CopyFromPyTorch = rnn.CopyFromPyTorch,
    };

    /// <summary>Sets every parameter to deterministic values of the given scale (seeds <paramref name="seed"/>, + 1, ...).</summary>
    public void SetWeights(float scale, int seed = 1)
    {
        foreach (Parameter p in Layer.Parameters)
        {
            p.Value.CopyFrom(GradCheck.Values(seed++, scale, p.Value.Shape.ToArray()));
        }
    }
}
