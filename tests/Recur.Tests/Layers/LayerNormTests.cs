using Recur.Layers;
using Recur.Optimizers;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Layers;

/// <summary>
/// The layer-normalised <see cref="Lstm"/> and <see cref="Gru"/> (<c>layerNorm: true</c>) against the same equations in
/// torch ops (tools/make_layernorm_fixtures.py), by finite differences, on any thread count. The GRU's finite
/// differences, masks and streaming step also run in <see cref="RecurrentLayerTests"/>, <see cref="MaskedRecurrentTests"/>
/// and <see cref="StreamingStepTests"/> (kinds <c>gru_ln</c>, <c>lstm_ln</c>).
/// </summary>
[Collection(nameof(ThreadingTests))]
public class LayerNormTests(ITestOutputHelper output)
{
    private const double ForwardTolerance = 1e-5;
    private const double GradientTolerance = 1e-4;

    private static string[] LstmNorms => ["ln_ih_gain", "ln_ih_shift", "ln_hh_gain", "ln_hh_shift", "ln_c_gain", "ln_c_shift"];

    /// <summary>A layer's parameter by name.</summary>
    private static Parameter Named(RecurrentLayer layer, string name) => layer.Parameters.Single(p => p.Name == name);

    /// <summary>Copies every parameter the fixture has (by Recur's names) into the layer.</summary>
    private static void Load(Fixture f, RecurrentLayer layer)
    {
        foreach (Parameter p in layer.Parameters)
        {
            p.Value.CopyFrom(f[p.Name]);
            p.MarkChanged();
        }
    }

    private void AssertParameterGradients(Fixture f, RecurrentLayer layer)
    {
        foreach (Parameter p in layer.Parameters)
        {
            f.AssertClose("d" + p.Name, p.Grad, GradientTolerance, output);
        }
    }

    private static Lstm LstmFrom(Fixture f, bool returnSequences)
    {
        var lstm = new Lstm((int)f.Config("input_size"), (int)f.Config("hidden_size"), (float)f.Config("forget_bias"), returnSequences,
            layerNorm: true, layerNormEpsilon: (float)f.Config("epsilon"));
        Load(f, lstm);
        return lstm;
    }

    private static Gru GruFrom(Fixture f, bool returnSequences)
    {
        var gru = new Gru((int)f.Config("input_size"), (int)f.Config("hidden_size"), returnSequences, layerNorm: true,
            layerNormEpsilon: (float)f.Config("epsilon"));
        Load(f, gru);
        return gru;
    }

    [Fact]
    public void LstmSequenceWithInitialStateMatchesTorchOps()
    {
        var f = Fixture.Load("lstm_layernorm_state.json");
        Lstm lstm = LstmFrom(f, returnSequences: true);
        Tensor y = lstm.Forward(f["x"], new LstmState(f["h0"], f["c0"]), training: true);
        f.AssertClose("y", y, ForwardTolerance, output);
        f.AssertClose("hn", lstm.FinalState.H, ForwardTolerance, output);
        f.AssertClose("cn", lstm.FinalState.C, ForwardTolerance, output);

        Tensor dx = lstm.Backward(f["dy"], f["dhn"], f["dcn"]);
        f.AssertClose("dx", dx, GradientTolerance, output);
        AssertParameterGradients(f, lstm);
        f.AssertClose("dh0", lstm.InitialStateGradient.H, GradientTolerance, output);
        f.AssertClose("dc0", lstm.InitialStateGradient.C, GradientTolerance, output);
    }

    [Fact]
    public void LstmLastStepFromZeroStateMatchesTorchOps()
    {
        // I = 3: the input gradient by dot products (RecurrentLoop.SmallInput); forget bias 1.
        var f = Fixture.Load("lstm_layernorm_nostate.json");
        Lstm lstm = LstmFrom(f, returnSequences: false);
        Tensor y = lstm.Forward(f["x"], training: true);
        f.AssertClose("y_last", y, ForwardTolerance, output);
        f.AssertClose("hn", lstm.FinalState.H, ForwardTolerance, output);
        f.AssertClose("cn", lstm.FinalState.C, ForwardTolerance, output);

        Tensor dx = lstm.Backward(f["dy_last"]);
        f.AssertClose("dx", dx, GradientTolerance, output);
        AssertParameterGradients(f, lstm);
    }

    [Fact]
    public void GruSequenceWithInitialStateMatchesTorchOps()
    {
        var f = Fixture.Load("gru_layernorm_state.json");
        Gru gru = GruFrom(f, returnSequences: true);
        Tensor y = gru.Forward(f["x"], f["h0"], training: true);
        f.AssertClose("y", y, ForwardTolerance, output);
        f.AssertClose("hn", gru.FinalState, ForwardTolerance, output);

        Tensor dx = gru.Backward(f["dy"], f["dhn"]);
        f.AssertClose("dx", dx, GradientTolerance, output);
        AssertParameterGradients(f, gru);
        f.AssertClose("dh0", gru.InitialStateGradient, GradientTolerance, output);
    }

    [Fact]
    public void GruLastStepFromZeroStateMatchesTorchOps()
    {
        var f = Fixture.Load("gru_layernorm_nostate.json");
        Gru gru = GruFrom(f, returnSequences: false);
        Tensor y = gru.Forward(f["x"], training: true);
        f.AssertClose("y_last", y, ForwardTolerance, output);
        f.AssertClose("hn", gru.FinalState, ForwardTolerance, output);

        Tensor dx = gru.Backward(f["dy_last"]);
        f.AssertClose("dx", dx, GradientTolerance, output);
        AssertParameterGradients(f, gru);
    }

    [Fact]
    public void InferenceAndTrainingForwardGiveTheSameBits()
    {
        var f = Fixture.Load("lstm_layernorm_state.json");
        Lstm lstm = LstmFrom(f, returnSequences: true);
        var state = new LstmState(f["h0"], f["c0"]);
        float[] training = lstm.Forward(f["x"], state, training: true).Data.ToArray();
        Bits.AssertEqual(training, lstm.Forward(f["x"], state, training: false).Data, "LN-LSTM inference");
    }

    [Theory]
    [InlineData(true, 0f, 3)]
    [InlineData(false, 1f, 5)]
    public void LstmGradientsMatchFiniteDifferences(bool returnSequences, float forgetBias, int i)
    {
        const int b = 2, t = 4, h = 3;
        var lstm = new Lstm(i, h, forgetBias, returnSequences, layerNorm: true);
        RecurrentLayerTests.SetWeights(lstm, 0.8f);
        foreach (string name in new[] { "ln_ih_gain", "ln_hh_gain", "ln_c_gain" })
        {
            // Gains near 1, as trained ones are, and apart from each other.
            Tensor gain = Named(lstm, name).Value;
            gain.CopyFrom(GradCheck.Values(name.Length, 0.4f, gain.Shape.ToArray()));
            foreach (ref float g in gain.Data.AsSpan())
            {
                g += 1f;
            }
        }

        // A normalisation is scale-invariant (LN(W·h) = LN(W·2h)), so its curvature grows as 1/|W·h|: states and inputs of
        // order 1 keep the central differences' truncation error (ε = 1e-2) below the tolerance.
        Tensor x = GradCheck.Values(4, 2f, b, t, i);
        var state = new LstmState(GradCheck.Values(5, 1.5f, b, h), GradCheck.Values(6, 1.5f, b, h));
        Tensor wy = returnSequences ? GradCheck.Values(7, 1f, b, t, h) : GradCheck.Values(7, 1f, b, h);
        Tensor wh = GradCheck.Values(8, 1f, b, h), wc = GradCheck.Values(9, 1f, b, h);

        double Loss()
        {
            Tensor y = lstm.Forward(x, state, false);
            return GradCheck.Dot(y, wy) + GradCheck.Dot(lstm.FinalState.H, wh) + GradCheck.Dot(lstm.FinalState.C, wc);
        }

        lstm.Forward(x, state, true);
        Tensor dx = lstm.Backward(wy, wh, wc).Clone();
        LstmState d0 = lstm.InitialStateGradient;
        GradCheck.Check("lstm_ln.x", x, dx, Loss, output);
        foreach (Parameter p in lstm.Parameters)
        {
            GradCheck.Check($"lstm_ln.{p.Name}", p.Value, p.Grad, Loss, output);
        }

        GradCheck.Check("lstm_ln.h0", state.H, d0.H.Clone(), Loss, output);
        GradCheck.Check("lstm_ln.c0", state.C, d0.C.Clone(), Loss, output);
    }

    [Fact]
    public void ParametersAreNamedAndInitialisedAsThePaperSays()
    {
        var lstm = new Lstm(28, 128, layerNorm: true);
        Assert.Equal(["weight_ih", "weight_hh", "bias", .. LstmNorms], lstm.Parameters.Select(p => p.Name));
        Assert.Equal(80_384 + (16 * 128) + (2 * 128), lstm.Parameters.Sum(p => p.Value.Length));
        Assert.True(lstm.LayerNorm);
        Assert.Equal(1e-3f, lstm.LayerNormEpsilon);
        foreach (Parameter p in lstm.Parameters.Where(p => p.Name.StartsWith("ln_", StringComparison.Ordinal)))
        {
            Assert.All(p.Value.Data, v => Assert.Equal(p.Name.EndsWith("_gain", StringComparison.Ordinal) ? 1f : 0f, v));
        }

        var gru = new Gru(28, 128, layerNorm: true, layerNormEpsilon: 1e-3f);
        Assert.Equal(["weight_ih", "weight_hh", "bias_ih", "bias_hh", "ln_ih_gain", "ln_ih_shift", "ln_hh_gain", "ln_hh_shift"], gru.Parameters.Select(p => p.Name));
        Assert.Equal(60_672 + (12 * 128), gru.Parameters.Sum(p => p.Value.Length));
        Assert.Equal(1e-3f, gru.LayerNormEpsilon);
        Assert.False(new Lstm(3, 4).LayerNorm);
        Assert.Equal(0f, new Gru(3, 4).LayerNormEpsilon);
    }

    [Fact]
    public void BlankStepsFromAZeroStateKeepTheDefaultGradientsFinite()
    {
        // MNIST rows begin blank: x = 0 and h = c = 0 make every unit's pre-activation equal, and a constant vector's
        // normalisation has slope 1/√ε, compounded through the blank steps. At ε = 1e-5 the tutorial's first gradient
        // overflowed (recur train --layer-norm diverged at step 1); the default 1e-3 keeps it finite — though still large
        // (a norm near 1e12 here), which Adam's per-parameter scaling absorbs; with SGD, clip the gradients.
        const int b = 4, t = 28, i = 28, h = 128;
        var lstm = new Lstm(i, h, layerNorm: true, rng: new Rng(1));
        Tensor x = GradCheck.Values(3, 1f, b, t, i);
        for (int r = 0; r < b; r++)
        {
            x.Span.Slice(r * t * i, 5 * i).Clear(); // five blank rows at the top
        }

        lstm.Forward(x, training: true);
        lstm.Backward(GradCheck.Values(4, 1f, b, h));
        double norm = lstm.Parameters.Sum(p => p.Grad.Data.Sum(g => (double)g * g));
        output.WriteLine($"gradient norm² {norm:G4}");
        Assert.True(double.IsFinite(norm) && lstm.Parameters.All(p => p.Grad.Data.All(float.IsFinite)), $"gradient norm² {norm}");
    }

    [Theory]
    [InlineData(0f)]
    [InlineData(-1e-5f)]
    [InlineData(float.NaN)]
    [InlineData(float.PositiveInfinity)]
    public void AnEpsilonNotAboveZeroIsRefusedNamingIt(float epsilon)
    {
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => new Lstm(3, 4, layerNorm: true, layerNormEpsilon: epsilon));
        Assert.Contains("Lstm: layerNormEpsilon", ex.Message);
        ex = Assert.Throws<ArgumentOutOfRangeException>(() => new Gru(3, 4, layerNorm: true, layerNormEpsilon: epsilon));
        Assert.Contains("Gru: layerNormEpsilon", ex.Message);
    }

    [Fact]
    public void PyTorchFormIsRefusedNamingTheLayer()
    {
        var lstm = new Lstm(3, 4, layerNorm: true, name: "encoder");
        var ex = Assert.Throws<NotSupportedException>(() => lstm.ToPyTorch());
        Assert.Equal("Lstm.ToPyTorch: layer 'encoder' is layer-normalised, which torch.nn.LSTM cannot express; save it with ModelFile (safetensors) instead.", ex.Message);
        var gru = new Gru(3, 4, layerNorm: true);
        ex = Assert.Throws<NotSupportedException>(() => gru.CopyFromPyTorch(new Tensor(12, 3), new Tensor(12, 4), new Tensor(12), new Tensor(12)));
        Assert.Contains("layer 'gru' is layer-normalised, which torch.nn.GRU cannot express", ex.Message);
    }

    public static TheoryData<string, int, int, int, bool> ThreadCases() => new()
    {
        { "lstm", 28, 41, 20, false },
        { "lstm", 1, 23, 20, true },
        { "gru", 28, 41, 20, false },
        { "gru", 5, 17, 130, true },
    };

    [Theory]
    [MemberData(nameof(ThreadCases))]
    public void TrainingIsBitIdenticalOnOneAndTwoThreads(string kind, int input, int batch, int hidden, bool returnSequences)
    {
        float[] one = Train(1, kind, input, batch, hidden, returnSequences);
        Bits.AssertEqual(one, Train(1, kind, input, batch, hidden, returnSequences), "second run on 1 thread");
        Bits.AssertEqual(one, Train(2, kind, input, batch, hidden, returnSequences), "2 threads");
        Bits.AssertEqual(one, Train(3, kind, input, batch, hidden, returnSequences), "3 threads");
    }

    /// <summary>Three Adam steps of the layer-normalised layer from an initial state; every output, gradient and weight.</summary>
    private static float[] Train(int threads, string kind, int input, int batch, int hidden, bool returnSequences)
    {
        const int Steps = 6;
        int saved = Threading.t_override;
        Threading.t_override = threads;
        try
        {
            var rng = new Rng(3);
            RecurrentLayer layer = kind == "lstm"
                ? new Lstm(input, hidden, returnSequences: returnSequences, rng: rng, layerNorm: true)
                : new Gru(input, hidden, returnSequences, rng: rng, layerNorm: true);
            var adam = new Adam(0.01);
            Tensor x = GradCheck.Values(1, 1f, batch, Steps, input);
            Tensor dy = returnSequences ? GradCheck.Values(2, 1f, batch, Steps, hidden) : GradCheck.Values(2, 1f, batch, hidden);
            var all = new List<float>();
            for (int step = 0; step < 3; step++)
            {
                adam.ZeroGrad(layer.Parameters);
                all.AddRange(layer.Forward(x, training: true).Data);
                all.AddRange(layer.Backward(dy).Data);
                foreach (Parameter p in layer.Parameters)
                {
                    all.AddRange(p.Grad.Data);
                }

                adam.Step(layer.Parameters);
            }

            all.AddRange(layer.Forward(x, training: false).Data);
            return [.. all];
        }
        finally
        {
            Threading.t_override = saved;
        }
    }
}
