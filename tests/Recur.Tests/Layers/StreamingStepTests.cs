using Recur.Layers;
using Recur.Optimizers;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Layers;

/// <summary>
/// The streaming step, <c>Step(x, state, into)</c>: the bits of Forward for every layer kind, batch 1 (the one-row
/// kernel) and 3 (the general product), in place or into another state; weights changed between calls are used; no
/// allocation after warm-up.
/// </summary>
public class StreamingStepTests(ITestOutputHelper output)
{
    private const int T = 6;

    public static TheoryData<string, int, int, int> Shapes() => new()
    {
        { "lstm", 1, 28, 128 },
        { "lstm", 3, 5, 20 },
        { "gru", 1, 28, 128 },
        { "gru", 3, 7, 20 },
        { "rnn_tanh", 1, 28, 128 },
        { "rnn_relu", 3, 4, 20 },
        { "lstm", 2, 3, 37 },
        { "lstm_ln", 1, 28, 128 },
        { "lstm_ln", 3, 5, 20 },
        { "gru_ln", 2, 7, 20 },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void StepsEqualForwardBitForBit(string kind, int b, int i, int h)
    {
        var layer = Layer.Create(kind, i, h);
        Tensor x = GradCheck.Values(3, 1f, b, T, i);
        Layer h0 = layer.State(b, 4);
        Tensor y = layer.Forward(x, h0).Clone();

        // In place, and into a second state: both give Forward's outputs, step by step.
        Layer inPlace = h0.Copy(), from = h0.Copy(), into = layer.State(b, 0);
        for (int s = 0; s < T; s++)
        {
            Tensor xs = StepOf(x, s);
            layer.StepInto(xs, inPlace, inPlace);
            layer.StepInto(xs, from, into);
            (from, into) = (into, from);
            for (int r = 0; r < b; r++)
            {
                Bits.AssertEqual(y.Span.Slice(((r * T) + s) * h, h), inPlace.H.Row(r), $"{kind} in place, step {s}, row {r}");
                Bits.AssertEqual(y.Span.Slice(((r * T) + s) * h, h), from.H.Row(r), $"{kind} into another state, step {s}, row {r}");
            }
        }

        layer.AssertFinalStateIs(inPlace, $"{kind} final state");

        // The allocating Step gives the same bits.
        Layer stepped = layer.StepNew(StepOf(x, 0), h0);
        Bits.AssertEqual(layer.StepNew(StepOf(x, 0), h0).H.Span, stepped.H.Span, $"{kind} Step(x, state)");
        for (int r = 0; r < b; r++)
        {
            Bits.AssertEqual(y.Span.Slice(r * T * h, h), stepped.H.Row(r), $"{kind} Step(x, state), row {r}");
        }

        output.WriteLine($"{kind} B {b} I {i} H {h}: {T} steps equal Forward bit for bit");
    }

    [Theory]
    [InlineData("lstm", 1)]
    [InlineData("gru", 1)]
    [InlineData("rnn_tanh", 3)]
    public void WeightsChangedBetweenStepsAreUsed(string kind, int b)
    {
        const int I = 6, H = 24;
        var layer = Layer.Create(kind, I, H);
        Tensor x = GradCheck.Values(5, 1f, b, 1, I);
        Layer h0 = layer.State(b, 6);

        void AssertStepIsForward(string what)
        {
            Layer stepped = h0.Copy();
            layer.StepInto(StepOf(x, 0), stepped, stepped);
            Tensor y = layer.Forward(x, h0);
            Bits.AssertEqual(y.Span, stepped.H.Span, $"{kind} after {what}");
        }

        Layer first = h0.Copy();
        layer.StepInto(StepOf(x, 0), first, first);
        AssertStepIsForward("the first step");

        // An optimizer step.
        foreach (Parameter p in layer.Recurrent.Parameters)
        {
            p.Grad.CopyFrom(GradCheck.Values(7, 1f, p.Grad.Shape.ToArray()));
        }

        new Adam(0.05).Step(layer.Recurrent.Parameters);
        Layer afterAdam = h0.Copy();
        layer.StepInto(StepOf(x, 0), afterAdam, afterAdam);
        double moved = MaxDifference(first.H.Span, afterAdam.H.Span);
        output.WriteLine($"{kind}: an Adam step moved the step's output by up to {moved:g3}");
        Assert.True(moved > 1e-3, $"{kind}: the step's output did not follow the Adam step (largest difference {moved})");
        AssertStepIsForward("an Adam step");

        // CopyFromPyTorch.
        IReadOnlyDictionary<string, Tensor> dict = layer.Recurrent.ToPyTorch();
        Tensor scaled = dict["weight_hh_l0"].Clone();
        for (int k = 0; k < scaled.Length; k++)
        {
            scaled.Span[k] *= -0.5f;
        }

        layer.Recurrent.CopyFromPyTorch(dict["weight_ih_l0"], scaled, dict["bias_ih_l0"], dict["bias_hh_l0"]);
        AssertStepIsForward("CopyFromPyTorch");

        // A direct write, marked.
        layer.Recurrent.WeightIh.Value.Span[0] += 3f;
        layer.Recurrent.WeightIh.MarkChanged();
        AssertStepIsForward("a marked direct write");
    }

    [Theory]
    [InlineData("lstm", 1)]
    [InlineData("lstm", 3)]
    [InlineData("gru", 1)]
    [InlineData("gru", 3)]
    [InlineData("rnn_tanh", 1)]
    [InlineData("rnn_tanh", 3)]
    public void StreamingAllocatesNothingAfterWarmUp(string kind, int b)
    {
        // The tutorial's model on a stream: one step and the Dense head per sample.
        var layer = Layer.Create(kind, 28, 128);
        var dense = new Dense(128, 10);
        Tensor xs = GradCheck.Values(9, 1f, b, 28);
        Layer state = layer.State(b, 0);
        long allocated = SingleThread.AllocatedAfterWarmUp(() =>
        {
            layer.StepInto(xs, state, state);
            dense.Forward(state.H);
        });
        output.WriteLine($"{kind} B {b}: allocated after warm-up: {allocated} bytes");
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void IntoMustHaveTheStateShape()
    {
        var lstm = new Lstm(4, 8);
        var x = new Tensor(2, 4);
        var ex = Assert.Throws<ArgumentException>(() => lstm.Step(x, lstm.ZeroState(2), lstm.ZeroState(3)));
        Assert.Equal("into", ex.ParamName);
        Assert.Contains("[2, 8]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => lstm.Step(x, LstmState.Zeros(2, 8), new LstmState(new Tensor(2, 8), new Tensor(2, 7))));
        Assert.Equal("into", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => lstm.Step(new Tensor(0, 4), lstm.ZeroState(2), lstm.ZeroState(2)));
        Assert.Equal("x", ex.ParamName);
    }

    private static double MaxDifference(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        double largest = 0;
        for (int k = 0; k < a.Length; k++)
        {
            largest = Math.Max(largest, Math.Abs(a[k] - b[k]));
        }

        return largest;
    }

    /// <summary>Step <paramref name="s"/> of <paramref name="x"/> <c>[B, T, I]</c> as <c>[B, I]</c>.</summary>
    private static Tensor StepOf(Tensor x, int s)
    {
        int b = x.Dim(0), t = x.Dim(1), i = x.Dim(2);
        var xs = new Tensor(b, i);
        for (int r = 0; r < b; r++)
        {
            x.Span.Slice(((r * t) + s) * i, i).CopyTo(xs.Row(r));
        }

        return xs;
    }

    /// <summary>An LSTM or a GRU/RNN and a state of it, behind one face: H, and C for an LSTM.</summary>
    private sealed class Layer
    {
        private Layer(RecurrentLayer recurrent, Tensor h, Tensor? c)
        {
            Recurrent = recurrent;
            H = h;
            C = c;
            Pair = c is null ? null : new LstmState(h, c);
        }

        public RecurrentLayer Recurrent { get; }

        public Tensor H { get; }

        public Tensor? C { get; }

        /// <summary>An LSTM's state object, made once so that stepping allocates none.</summary>
        public LstmState? Pair { get; }

        public static Layer Create(string kind, int input, int hidden)
        {
            RecurrentLayer layer = kind.StartsWith("lstm", StringComparison.Ordinal)
                ? new Lstm(input, hidden, forgetBias: 1f, returnSequences: true, rng: new Rng(11), layerNorm: kind == "lstm_ln")
                : RecurrentLayerTests.Create(kind, input, hidden, returnSequences: true, new Rng(11));
            RecurrentLayerTests.SetWeights(layer, 0.5f);
            return new Layer(layer, null!, null);
        }

        public Layer State(int batch, int seed) => seed == 0
            ? new Layer(Recurrent, new Tensor(batch, Recurrent.HiddenSize), Recurrent is Lstm ? new Tensor(batch, Recurrent.HiddenSize) : null)
            : new Layer(Recurrent, GradCheck.Values(seed, 0.5f, batch, Recurrent.HiddenSize),
                Recurrent is Lstm ? GradCheck.Values(seed + 1, 0.5f, batch, Recurrent.HiddenSize) : null);

        public Layer Copy() => new(Recurrent, H.Clone(), C?.Clone());

        public Tensor Forward(Tensor x, Layer state) => Recurrent is Lstm lstm
            ? lstm.Forward(x, state.Pair)
            : ((RecurrentLayer<Tensor>)Recurrent).Forward(x, state.H);

        public void StepInto(Tensor x, Layer state, Layer into)
        {
            if (Recurrent is Lstm lstm)
            {
                lstm.Step(x, state.Pair!, into.Pair!);
            }
            else
            {
                ((RecurrentLayer<Tensor>)Recurrent).Step(x, state.H, into.H);
            }
        }

        public Layer StepNew(Tensor x, Layer state)
        {
            if (Recurrent is Lstm lstm)
            {
                LstmState next = lstm.Step(x, state.Pair!);
                return new Layer(Recurrent, next.H, next.C);
            }

            return new Layer(Recurrent, ((RecurrentLayer<Tensor>)Recurrent).Step(x, state.H), null);
        }

        public void AssertFinalStateIs(Layer state, string what)
        {
            if (Recurrent is Lstm lstm)
            {
                Bits.AssertEqual(lstm.FinalState.H.Span, state.H.Span, what + " h");
                Bits.AssertEqual(lstm.FinalState.C.Span, state.C!.Span, what + " c");
            }
            else
            {
                Bits.AssertEqual(((RecurrentLayer<Tensor>)Recurrent).FinalState.Span, state.H.Span, what);
            }
        }
    }
}
