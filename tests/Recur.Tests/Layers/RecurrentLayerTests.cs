using Recur.Layers;
using Recur.Losses;
using Recur.Optimizers;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Layers;

/// <summary>What <see cref="Gru"/> and <see cref="SimpleRnn"/> (tanh and relu) must all do: gradients, steps, inference, errors.</summary>
public class RecurrentLayerTests(ITestOutputHelper output)
{
    /// <summary>The layers whose state is h alone: <c>gru</c>, <c>rnn_tanh</c>, <c>rnn_relu</c>.</summary>
    public static TheoryData<string> Kinds => ["gru", "rnn_tanh", "rnn_relu"];

    /// <summary>A <see cref="Gru"/> (or a layer-normalised one, <c>gru_ln</c>, for LayerNormTests and the masked and streaming tests) or a <see cref="SimpleRnn"/> (tanh or relu), as its base type.</summary>
    internal static RecurrentLayer<Tensor> Create(string kind, int input, int hidden, bool returnSequences = false, Rng? rng = null) => kind switch
    {
        "gru" => new Gru(input, hidden, returnSequences, rng: rng),
        "gru_ln" => new Gru(input, hidden, returnSequences, rng: rng, layerNorm: true),
        "rnn_tanh" => new SimpleRnn(input, hidden, RnnActivation.Tanh, returnSequences, rng: rng),
        "rnn_relu" => new SimpleRnn(input, hidden, RnnActivation.Relu, returnSequences, rng: rng),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "gru, rnn_tanh, rnn_relu or gru_ln"),
    };

    /// <summary>Sets every parameter of <paramref name="layer"/> to deterministic values of the given scale (seeds <paramref name="seed"/>, + 1, ...).</summary>
    internal static void SetWeights(ILayer layer, float scale, int seed = 1)
    {
        foreach (Parameter p in layer.Parameters)
        {
            p.Value.CopyFrom(GradCheck.Values(seed++, scale, p.Value.Shape.ToArray()));
        }
    }

    /// <summary>The type name the layer's messages give.</summary>
    private static string TypeName(string kind) => kind == "gru" ? "Gru" : "SimpleRnn";

    /// <summary>Gates per unit: rows of weight_ih are Gates·H.</summary>
    private static int Gates(RecurrentLayer layer) => layer.WeightIh.Value.Dim(0) / layer.HiddenSize;

    public static TheoryData<string, bool, bool, int, bool> GradCases()
    {
        var cases = new TheoryData<string, bool, bool, int, bool>();
        foreach (string kind in Kinds)
        {
            cases.Add(kind, true, true, 3, false);   // every step's output, an initial state, the dot-product input gradient
            cases.Add(kind, false, true, 5, false);  // the last step, an initial state, the matrix-product input gradient
            cases.Add(kind, false, false, 3, false); // from a zero state
            cases.Add(kind, true, true, 5, true);    // only the final state's gradient (dy null)
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(GradCases))]
    public void GradientsMatchFiniteDifferences(string kind, bool returnSequences, bool withState, int input, bool finalOnly)
    {
        const int b = 2, t = 4, h = 3;
        RecurrentLayer<Tensor> layer = Create(kind, input, h, returnSequences, new Rng(11));
        Tensor x = GradCheck.Values(20, 1f, b, t, input);
        Tensor? h0 = withState ? GradCheck.Values(21, 0.5f, b, h) : null;
        Tensor state = h0 ?? new Tensor(b, h); // what a null initial state means: its gradient is checked too
        Tensor wy = returnSequences ? GradCheck.Values(22, 1f, b, t, h) : GradCheck.Values(22, 1f, b, h);
        Tensor wh = GradCheck.Values(23, 1f, b, h);

        // Larger than default weights so every gate is away from its linear region. relu has a kink at 0 that a
        // ±ε step must not cross: take the first weights whose pre-activations all keep clear of it, with units
        // both on and off.
        int seed = 1;
        SetWeights(layer, 0.8f, seed);
        while (kind == "rnn_relu" && !ReluClearOfKink((SimpleRnn)layer, x, state, 0.1))
        {
            Assert.True(seed < 1000, "no weights keep relu's pre-activations clear of 0");
            SetWeights(layer, 0.8f, seed += 10);
        }

        double Loss()
        {
            Tensor y = layer.Forward(x, state, false);
            return (finalOnly ? 0 : GradCheck.Dot(y, wy)) + GradCheck.Dot(layer.FinalState, wh);
        }

        layer.Forward(x, h0, true);
        Tensor dx = layer.Backward(finalOnly ? null : wy, wh).Clone();
        Tensor dh0 = layer.InitialStateGradient.Clone();
        GradCheck.Check($"{kind}.x", x, dx, Loss, output);
        foreach (Parameter p in layer.Parameters)
        {
            GradCheck.Check($"{kind}.{p.Name}", p.Value, p.Grad, Loss, output);
        }

        GradCheck.Check($"{kind}.h0", state, dh0, Loss, output);
    }

    /// <summary>
    /// Whether every pre-activation of <paramref name="rnn"/> on <paramref name="x"/> from <paramref name="h0"/>
    /// (computed here in double) is at least <paramref name="margin"/> from 0, and some are on each side.
    /// </summary>
    private static bool ReluClearOfKink(SimpleRnn rnn, Tensor x, Tensor h0, double margin)
    {
        int b = x.Dim(0), t = x.Dim(1), i = x.Dim(2), h = rnn.HiddenSize, positive = 0, negative = 0;
        var state = h0.Data.Select(v => (double)v).ToArray();
        for (int s = 0; s < t; s++)
        {
            var next = new double[b * h];
            for (int r = 0; r < b; r++)
            {
                for (int u = 0; u < h; u++)
                {
                    double a = rnn.Bias.Value.Data[u];
                    for (int k = 0; k < i; k++)
                    {
                        a += (double)rnn.WeightIh.Value[u, k] * x[r, s, k];
                    }

                    for (int k = 0; k < h; k++)
                    {
                        a += rnn.WeightHh.Value[u, k] * state[(r * h) + k];
                    }

                    if (Math.Abs(a) < margin)
                    {
                        return false;
                    }

                    _ = a > 0 ? positive++ : negative++;
                    next[(r * h) + u] = Math.Max(a, 0);
                }
            }

            state = next;
        }

        return positive > 0 && negative > 0;
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void BackwardAddsIntoTheGradients(string kind)
    {
        RecurrentLayer<Tensor> layer = Create(kind, 3, 4, rng: new Rng(2));
        Tensor x = GradCheck.Values(1, 1f, 2, 3, 3), dy = GradCheck.Values(2, 1f, 2, 4);
        layer.Forward(x, null, true);
        layer.Backward(dy, null);
        float[][] once = layer.Parameters.Select(p => p.Grad.Data.ToArray()).ToArray();
        layer.Forward(x, null, true);
        layer.Backward(dy, null);
        for (int k = 0; k < once.Length; k++)
        {
            Bits.AssertEqual(once[k].Select(v => v + v).ToArray(), layer.Parameters[k].Grad.Data, layer.Parameters[k].Name);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void StepsAndStaticUnrollEqualForwardBitForBit(string kind)
    {
        // The tutorials' static_rnn (a list of per-step outputs) and dynamic_rnn ([B, T, H]) give the same bits.
        const int b = 3, t = 5, i = 4, h = 6;
        RecurrentLayer<Tensor> layer = Create(kind, i, h, returnSequences: true, new Rng(5));
        SetWeights(layer, 0.6f);
        Tensor x = GradCheck.Values(30, 1f, b, t, i), h0 = GradCheck.Values(31, 0.5f, b, h);
        var steps = new List<Tensor>();
        for (int s = 0; s < t; s++)
        {
            var xs = new Tensor(b, i);
            for (int r = 0; r < b; r++)
            {
                x.Span.Slice(((r * t) + s) * i, i).CopyTo(xs.Row(r));
            }

            steps.Add(xs);
        }

        IReadOnlyList<Tensor> outputs = layer.Unroll(steps, h0, out Tensor final);
        Tensor y = layer.Forward(x, h0, false);
        Assert.Equal(t, outputs.Count);
        for (int s = 0; s < t; s++)
        {
            for (int r = 0; r < b; r++)
            {
                Bits.AssertEqual(y.Span.Slice(((r * t) + s) * h, h), outputs[s].Row(r), $"step {s}, row {r}");
            }
        }

        Bits.AssertEqual(layer.FinalState.Span, final.Span, "final state");

        // From ZeroState, one step equals the first output of a forward pass from a zero state.
        Tensor one = layer.Step(steps[0], layer.ZeroState(b));
        y = layer.Forward(x, null, false);
        for (int r = 0; r < b; r++)
        {
            Bits.AssertEqual(y.Span.Slice(r * t * h, h), one.Row(r), $"first step from zero, row {r}");
        }

        Assert.Equal(t, layer.Unroll(steps, null, out _).Count);
        var ex = Assert.Throws<ArgumentException>(() => layer.Unroll([], null, out _));
        Assert.Contains("inputs is empty", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => layer.Step(new Tensor(b, i + 1), h0));
        Assert.Equal("x", ex.ParamName);
        ex = Assert.Throws<ArgumentException>(() => layer.Step(steps[0], new Tensor(b + 1, h)));
        Assert.Equal("state", ex.ParamName);
    }

    [Theory]
    [InlineData("gru", 28, true)]
    [InlineData("gru", 28, false)]
    [InlineData("gru", 1, true)]
    [InlineData("rnn_tanh", 28, false)]
    [InlineData("rnn_relu", 2, true)]
    public void InferenceForwardEqualsTrainingForwardBitForBit(string kind, int input, bool returnSequences)
    {
        // Inference keeps one step of gates and two of state instead of every step; the numbers are the same.
        const int B = 11, T = 7, H = 20;
        RecurrentLayer<Tensor> layer = Create(kind, input, H, returnSequences, new Rng(8));
        Tensor x = GradCheck.Values(1, 1f, B, T, input), h0 = GradCheck.Values(2, 0.5f, B, H);
        Tensor trained = layer.Forward(x, h0, true).Clone();
        Tensor trainedFinal = layer.FinalState.Clone();
        Tensor inferred = layer.Forward(x, h0, false);
        Bits.AssertEqual(trained.Data, inferred.Data, "output");
        Bits.AssertEqual(trainedFinal.Data, layer.FinalState.Data, "final state");

        var ex = Assert.Throws<InvalidOperationException>(() => layer.Backward(inferred, null));
        Assert.Contains($"{TypeName(kind)}.Backward after Forward(training: false)", ex.Message);
        Assert.Contains("training: true", ex.Message);
        layer.Forward(x, h0, true);
        layer.Backward(trained, null);
        ex = Assert.Throws<InvalidOperationException>(() => layer.Backward(trained, null));
        Assert.Contains("Forward again", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void BadShapesAndSizesNameTheArgument(string kind)
    {
        RecurrentLayer<Tensor> layer = Create(kind, 28, 16);
        var ex = Assert.Throws<ArgumentException>(() => layer.Forward(new Tensor(4, 28, 27), null, false));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains($"{TypeName(kind)}: x has shape [4, 28, 27], expected [batch, steps, 28]", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => layer.Forward(new Tensor(4, 784), null, false));
        Assert.Contains("[4, 784]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => layer.Forward(new Tensor(0, 28, 28), null, false));
        Assert.Contains("at least one sequence", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => layer.Forward(new Tensor(4, 28, 28), new Tensor(3, 16), false));
        Assert.Equal("initialState", ex.ParamName);
        Assert.Contains("[3, 16]", ex.Message);
        Assert.Contains("[4, 16]", ex.Message);

        RecurrentLayer<Tensor> fresh = Create(kind, 2, 2);
        var early = Assert.Throws<InvalidOperationException>(() => fresh.Backward(new Tensor(1, 2), null));
        Assert.Contains("before Forward", early.Message);
        Assert.Throws<InvalidOperationException>(() => fresh.FinalState);
        Assert.Throws<InvalidOperationException>(() => fresh.InitialStateGradient);
        Assert.Throws<ArgumentOutOfRangeException>(() => fresh.ZeroState(0));

        layer.Forward(new Tensor(4, 28, 28), null, true);
        ex = Assert.Throws<ArgumentException>(() => layer.Backward(new Tensor(4, 28, 16), null));
        Assert.Equal("dy", ex.ParamName);
        Assert.Contains("[4, 16]", ex.Message);
        ex = Assert.Throws<ArgumentException>(() => layer.Backward(null, new Tensor(4, 15)));
        Assert.Equal("dFinalH", ex.ParamName);
    }

    [Fact]
    public void ConstructorsRejectBadSizes()
    {
        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => new Gru(28, 0));
        Assert.Equal("hiddenSize", zero.ParamName);
        Assert.Contains("Gru: hiddenSize must be a positive integer; received 0", zero.Message);
        zero = Assert.Throws<ArgumentOutOfRangeException>(() => new SimpleRnn(0, 4));
        Assert.Equal("inputSize", zero.ParamName);
        var bad = Assert.Throws<ArgumentOutOfRangeException>(() => new SimpleRnn(3, 4, (RnnActivation)7));
        Assert.Equal("activation", bad.ParamName);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void SkippingTheInputGradientChangesNothingElse(string kind)
    {
        float[] Run(bool inputGradient, out Tensor dx)
        {
            RecurrentLayer<Tensor> layer = Create(kind, 6, 5, returnSequences: true, new Rng(4));
            layer.ComputeInputGradient = inputGradient;
            layer.Forward(GradCheck.Values(1, 1f, 3, 4, 6), GradCheck.Values(2, 0.5f, 3, 5), true);
            dx = layer.Backward(GradCheck.Values(3, 1f, 3, 4, 5), GradCheck.Values(4, 1f, 3, 5)).Clone();
            return [.. layer.Parameters.SelectMany(p => p.Grad.Data), .. layer.InitialStateGradient.Data];
        }

        float[] with = Run(true, out Tensor dx), without = Run(false, out Tensor zeros);
        Bits.AssertEqual(with, without, "parameter and initial-state gradients");
        Assert.Contains(dx.Data, v => v != 0f);
        Assert.All(zeros.Data, v => Assert.Equal(0f, v));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void DefaultInitialisationIsKerasStyleAndSeeded(string kind)
    {
        RecurrentLayer<Tensor> a = Create(kind, 3, 4, rng: new Rng(42)), b = Create(kind, 3, 4, rng: new Rng(42));
        RecurrentLayer<Tensor> c = Create(kind, 3, 4, rng: new Rng(43));
        for (int k = 0; k < a.Parameters.Count; k++)
        {
            Assert.Equal(a.Parameters[k].Value.Data, b.Parameters[k].Value.Data);
        }

        Assert.NotEqual(a.Parameters[0].Value.Data, c.Parameters[0].Value.Data);

        // Keras: Glorot-uniform kernel (limit √(6 / (I + gates·H))), orthogonal recurrent kernel, zero biases.
        Tensor wih = a.Parameters[0].Value, whh = a.Parameters[1].Value;
        float limit = MathF.Sqrt(6f / (3 + (Gates(a) * 4)));
        Assert.All(wih.Data, v => Assert.InRange(v, -limit, limit));
        for (int p = 0; p < 4; p++)
        {
            for (int q = 0; q < 4; q++)
            {
                double dot = 0;
                for (int g = 0; g < Gates(a) * 4; g++)
                {
                    dot += (double)whh[g, p] * whh[g, q];
                }

                Assert.Equal(p == q ? 1.0 : 0.0, dot, 1e-5); // orthonormal columns
            }
        }

        Assert.All(a.Parameters.Skip(2).SelectMany(p => p.Value.Data), v => Assert.Equal(0f, v));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void PyTorchWeightsRoundTrip(string kind)
    {
        RecurrentLayer<Tensor> layer = Create(kind, 5, 4);
        SetWeights(layer, 0.5f);
        IReadOnlyDictionary<string, Tensor> dict = layer.ToPyTorch();
        Assert.Equal(["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"], dict.Keys);
        RecurrentLayer<Tensor> back = Create(kind, 5, 4, rng: new Rng(99));
        back.CopyFromPyTorch(dict["weight_ih_l0"], dict["weight_hh_l0"], dict["bias_ih_l0"], dict["bias_hh_l0"]);
        for (int k = 0; k < layer.Parameters.Count; k++)
        {
            Assert.Equal(layer.Parameters[k].Value.Data, back.Parameters[k].Value.Data);
        }

        int rows = Gates(layer) * 4;
        var ex = Assert.Throws<ArgumentException>(() => back.CopyFromPyTorch(dict["weight_hh_l0"], dict["weight_hh_l0"], dict["bias_ih_l0"], dict["bias_hh_l0"]));
        Assert.Equal("weightIh", ex.ParamName);
        Assert.Contains($"[{rows}, 4]", ex.Message);
        Assert.Contains($"[{rows}, 5]", ex.Message);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TrainingStepAllocatesNothingAfterWarmUp(string kind)
    {
        // Forward + backward with an initial state, Dense, loss, clipping and an Adam step, on tutorial-like shapes.
        var rng = new Rng(1);
        RecurrentLayer<Tensor> layer = Create(kind, 28, 32, rng: rng);
        var dense = new Dense(32, 10, rng: rng);
        Parameter[] parameters = [.. layer.Parameters, .. dense.Parameters];
        var loss = new SoftmaxCrossEntropy();
        var adam = new Adam(0.001);
        Tensor x = GradCheck.Values(1, 1f, 16, 28, 28), h0 = GradCheck.Values(2, 0.5f, 16, 32);
        int[] labels = new int[16];
        for (int i = 0; i < labels.Length; i++)
        {
            labels[i] = i % 10;
        }

        void Step()
        {
            adam.ZeroGrad(parameters);
            loss.Forward(dense.Forward(layer.Forward(x, h0, true), training: true), labels);
            layer.Backward(dense.Backward(loss.Gradient), null);
            GradientClipping.ClipByGlobalNorm(parameters, 5f);
            adam.Step(parameters);
        }

        long allocated = SingleThread.AllocatedAfterWarmUp(Step);
        output.WriteLine($"{kind}: allocated after warm-up: {allocated} bytes");
        Assert.Equal(0, allocated);
    }
}
