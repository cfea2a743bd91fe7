using Recur.Layers;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Layers;

/// <summary>
/// Keras's <c>dropout</c> and <c>recurrent_dropout</c> in <see cref="Lstm"/>, <see cref="Gru"/> and <see cref="SimpleRnn"/>:
/// PyTorch with the same masks (tools/make_dropout_fixtures.py), finite differences, the masks themselves, and rates of 0
/// changing nothing.
/// </summary>
public class RecurrentDropoutTests(ITestOutputHelper output)
{
    private const double ForwardTolerance = 1e-5;
    private const double GradientTolerance = 1e-4;

    public static TheoryData<string> Kinds => ["lstm", "gru", "rnn_tanh"];

    public static TheoryData<string, bool> GradCases()
    {
        var cases = new TheoryData<string, bool>();
        foreach (string kind in Kinds)
        {
            cases.Add(kind, true);
            cases.Add(kind, false);
        }

        return cases;
    }

    internal static RecurrentLayer Create(string kind, int input, int hidden, bool returnSequences, Rng? rng = null, float forgetBias = 1f) => kind switch
    {
        "lstm" => new Lstm(input, hidden, forgetBias, returnSequences, rng: rng),
        "gru" => new Gru(input, hidden, returnSequences, rng: rng),
        "rnn_tanh" => new SimpleRnn(input, hidden, RnnActivation.Tanh, returnSequences, rng: rng),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "lstm, gru or rnn_tanh"),
    };

    /// <summary>Forward from <c>h0</c> (and <c>c0</c> for an LSTM, whose state is the pair).</summary>
    internal static Tensor Forward(RecurrentLayer layer, Tensor x, Tensor h0, Tensor c0, bool training) => layer switch
    {
        RecurrentLayer<LstmState> l => l.Forward(x, new LstmState(h0, c0), training),
        RecurrentLayer<Tensor> r => r.Forward(x, h0, training),
        _ => throw new ArgumentException(layer.GetType().Name),
    };

    /// <summary>Backward with gradients for the output, the final h (and the final c of an LSTM).</summary>
    internal static Tensor Backward(RecurrentLayer layer, Tensor dy, Tensor? dh, Tensor? dc) => layer switch
    {
        Lstm l => l.Backward(dy, dh, dc),
        RecurrentLayer<Tensor> r => r.Backward(dy, dh),
        _ => throw new ArgumentException(layer.GetType().Name),
    };

    /// <summary>The final h, the final c (LSTM, else null), and the gradients of the initial ones.</summary>
    internal static (Tensor H, Tensor? C, Tensor DH0, Tensor? DC0) States(RecurrentLayer layer, bool gradients) => layer switch
    {
        RecurrentLayer<LstmState> l => (l.FinalState.H, l.FinalState.C, gradients ? l.InitialStateGradient.H : null!, gradients ? l.InitialStateGradient.C : null),
        RecurrentLayer<Tensor> r => (r.FinalState, null, gradients ? r.InitialStateGradient : null!, null),
        _ => throw new ArgumentException(layer.GetType().Name),
    };

    /// <summary>A fixed mask <c>[rows, cols]</c>: every third element dropped, the rest <c>1 / (1 − rate)</c>.</summary>
    private static Tensor DropoutMask(int rows, int cols, float rate, int offset)
    {
        var m = new Tensor(rows, cols);
        for (int k = 0; k < m.Length; k++)
        {
            m.Data[k] = (k + offset) % 3 == 1 ? 0f : 1f / (1f - rate);
        }

        return m;
    }

    [Theory]
    [InlineData("lstm_dropout_state.json", "lstm", true)]
    [InlineData("lstm_dropout_nostate.json", "lstm", false)]
    [InlineData("gru_dropout_state.json", "gru", true)]
    [InlineData("rnn_tanh_dropout.json", "rnn_tanh", false)]
    public void MatchesPyTorchCellsWithTheSameDropoutMasks(string file, string kind, bool sequences)
    {
        var f = Fixture.Load(file);
        int b = (int)f.Config("batch"), h = (int)f.Config("hidden_size");
        RecurrentLayer layer = Create(kind, (int)f.Config("input_size"), h, sequences, forgetBias: 0f);
        layer.CopyFromPyTorch(f["weight_ih"], f["weight_hh"], f["bias_ih"], f["bias_hh"]);

        // The fixture's rates, but its masks rather than drawn ones.
        (layer.Dropout, layer.RecurrentDropout) = ((float)f.Config("dropout"), (float)f.Config("recurrent_dropout"));
        layer.Loop.FixedDropoutMasks = (f["mask_x"], f["mask_h"]);
        Tensor h0 = f.Has("h0") ? f["h0"] : new Tensor(b, h), c0 = f.Has("c0") ? f["c0"] : new Tensor(b, h);
        Tensor y = Forward(layer, f["x"], h0, c0, training: true);
        f.AssertClose(sequences ? "y" : "y_last", y, ForwardTolerance, output);
        (Tensor hn, Tensor? cn, _, _) = States(layer, gradients: false);
        f.AssertClose("hn", hn, ForwardTolerance, output);
        if (f.Has("cn"))
        {
            f.AssertClose("cn", cn!, ForwardTolerance, output);
        }

        Tensor dx = sequences ? Backward(layer, f["dy"], f["dhn"], null) : Backward(layer, f["dy_last"], null, null);
        f.AssertClose("dx", dx, GradientTolerance, output);
        f.AssertClose("dweight_ih", layer.Parameters[0].Grad, GradientTolerance, output);
        f.AssertClose("dweight_hh", layer.Parameters[1].Grad, GradientTolerance, output);
        if (layer is Gru gru)
        {
            f.AssertClose("dbias_ih", gru.BiasIh.Grad, GradientTolerance, output);
            f.AssertClose("dbias_hh", gru.BiasHh.Grad, GradientTolerance, output);
        }
        else
        {
            f.AssertClose("dbias_ih", layer.Parameters[2].Grad, GradientTolerance, output); // the one bias gets bias_ih's gradient
        }

        (_, _, Tensor dh0, Tensor? dc0) = States(layer, gradients: true);
        if (f.Has("dh0"))
        {
            f.AssertClose("dh0", dh0, GradientTolerance, output);
        }

        if (f.Has("dc0"))
        {
            f.AssertClose("dc0", dc0!, GradientTolerance, output);
        }
    }

    [Theory]
    [MemberData(nameof(GradCases))]
    public void GradientsWithBothDropoutMasksMatchFiniteDifferences(string kind, bool returnSequences)
    {
        const int b = 2, t = 4, i = 3, h = 3;
        RecurrentLayer layer = Create(kind, i, h, returnSequences, new Rng(11));
        RecurrentLayerTests.SetWeights(layer, 0.8f);
        (layer.Dropout, layer.RecurrentDropout) = (0.3f, 0.4f);
        layer.Loop.FixedDropoutMasks = (DropoutMask(b, i, 0.3f, 0), DropoutMask(b, h, 0.4f, 2)); // the same masks for every pass of the check
        Tensor x = GradCheck.Values(4, 1f, b, t, i), h0 = GradCheck.Values(5, 0.5f, b, h), c0 = GradCheck.Values(6, 0.5f, b, h);
        Tensor wy = returnSequences ? GradCheck.Values(7, 1f, b, t, h) : GradCheck.Values(7, 1f, b, h);
        Tensor wh = GradCheck.Values(8, 1f, b, h), wc = GradCheck.Values(9, 1f, b, h);

        double Loss()
        {
            Tensor y = Forward(layer, x, h0, c0, training: true);
            (Tensor hn, Tensor? cn, _, _) = States(layer, gradients: false);
            return GradCheck.Dot(y, wy) + GradCheck.Dot(hn, wh) + (cn is null ? 0 : GradCheck.Dot(cn, wc));
        }

        Forward(layer, x, h0, c0, training: true);
        Assert.NotNull(layer.Loop.RecurrentDropoutMask);
        Tensor dx = Backward(layer, wy, wh, layer is Lstm ? wc : null).Clone();
        (_, _, Tensor dh0, Tensor? dc0) = States(layer, gradients: true);
        dh0 = dh0.Clone();
        dc0 = dc0?.Clone();
        Tensor[] grads = [.. layer.Parameters.Select(p => p.Grad.Clone())];
        GradCheck.Check($"{kind}.x", x, dx, Loss, output);
        for (int k = 0; k < grads.Length; k++)
        {
            GradCheck.Check($"{kind}.{layer.Parameters[k].Name}", layer.Parameters[k].Value, grads[k], Loss, output);
        }

        GradCheck.Check($"{kind}.h0", h0, dh0, Loss, output);
        if (dc0 is not null)
        {
            GradCheck.Check($"{kind}.c0", c0, dc0, Loss, output);
        }

        // Dropped inputs get no gradient.
        ReadOnlySpan<float> mx = layer.Loop.InputDropoutMask!.Span;
        for (int r = 0; r < b * t * i; r++)
        {
            if (mx[((r / (t * i)) * i) + (r % i)] == 0f)
            {
                Assert.Equal(0f, dx.Data[r]);
            }
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void RatesOfZeroChangeNothingAndDrawNothing(string kind)
    {
        const int b = 9, t = 5, i = 4, h = 6;
        var rngPlain = new Rng(21);
        var rngZero = new Rng(21);
        RecurrentLayer plain = Create(kind, i, h, true, rngPlain), zero = Create(kind, i, h, true, rngZero);
        (zero.Dropout, zero.RecurrentDropout) = (0.5f, 0.5f);
        (zero.Dropout, zero.RecurrentDropout) = (0f, 0f);
        Tensor x = GradCheck.Values(1, 1f, b, t, i), h0 = GradCheck.Values(2, 0.5f, b, h), c0 = GradCheck.Values(3, 0.5f, b, h);
        Tensor dy = GradCheck.Values(4, 1f, b, t, h);
        Bits.AssertEqual(Forward(plain, x, h0, c0, true).Span, Forward(zero, x, h0, c0, true).Span, "y");
        Assert.Null(zero.Loop.InputDropoutMask);
        Assert.Null(zero.Loop.RecurrentDropoutMask);
        Bits.AssertEqual(Backward(plain, dy, null, null).Span, Backward(zero, dy, null, null).Span, "dx");
        for (int k = 0; k < plain.Parameters.Count; k++)
        {
            Bits.AssertEqual(plain.Parameters[k].Grad.Span, zero.Parameters[k].Grad.Span, plain.Parameters[k].Name);
        }

        Bits.AssertEqual(States(plain, true).DH0.Span, States(zero, true).DH0.Span, "dh0");
        Assert.Equal(rngPlain.NextUInt64(), rngZero.NextUInt64()); // the training pass drew nothing
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void DropoutMasksOfOnesGiveTheUndroppedNumbers(string kind)
    {
        // The masked path with nothing dropped against the plain one: every buffer and product, one path each.
        const int b = 11, t = 4, i = 5, h = 7;
        RecurrentLayer plain = Create(kind, i, h, false, new Rng(5)), ones = Create(kind, i, h, false, new Rng(5));
        var one = new Tensor(b, h);
        one.Fill(1f);
        ones.Loop.FixedDropoutMasks = (null, one);
        Tensor x = GradCheck.Values(1, 1f, b, t, i), h0 = GradCheck.Values(2, 0.5f, b, h), c0 = GradCheck.Values(3, 0.5f, b, h);
        Tensor dy = GradCheck.Values(4, 1f, b, h), dh = GradCheck.Values(5, 1f, b, h);
        Bits.AssertEqual(Forward(plain, x, h0, c0, true).Span, Forward(ones, x, h0, c0, true).Span, "y");
        Assert.NotNull(ones.Loop.InputDropoutMask);
        Bits.AssertEqual(States(plain, false).H.Span, States(ones, false).H.Span, "final h");
        Tensor dxPlain = Backward(plain, dy, dh, null), dxOnes = Backward(ones, dy, dh, null);
        Fixture.AssertClose("dx", dxPlain, dxOnes, 1e-6, output, kind);
        for (int k = 0; k < plain.Parameters.Count; k++)
        {
            Fixture.AssertClose(plain.Parameters[k].Name, plain.Parameters[k].Grad, ones.Parameters[k].Grad, 1e-6, output, kind);
        }

        Fixture.AssertClose("dh0", States(plain, true).DH0, States(ones, true).DH0, 1e-6, output, kind);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void DropoutMasksAreDrawnPerPassKeepAboutOneMinusRateAndLeaveInferenceAlone(string kind)
    {
        const int b = 64, t = 3, i = 16, h = 32;
        RecurrentLayer layer = Create(kind, i, h, false, new Rng(8)), reference = Create(kind, i, h, false, new Rng(8));
        (layer.Dropout, layer.RecurrentDropout) = (0.3f, 0.4f);
        RecurrentLoop loop = layer.Loop;
        Tensor x = GradCheck.Values(1, 1f, b, t, i), h0 = GradCheck.Values(2, 0.5f, b, h), c0 = GradCheck.Values(3, 0.5f, b, h);

        Forward(layer, x, h0, c0, training: true);
        float[] firstX = loop.InputDropoutMask!.Data.ToArray(), firstH = loop.RecurrentDropoutMask!.Data.ToArray();
        Assert.True(loop.InputDropoutMask.HasShape(b, i) && loop.RecurrentDropoutMask.HasShape(b, h));
        AssertDropoutMask(firstX, 0.3f);
        AssertDropoutMask(firstH, 0.4f);
        Forward(layer, x, h0, c0, training: true);
        Assert.NotEqual(firstX, loop.InputDropoutMask!.Data);
        Assert.NotEqual(firstH, loop.RecurrentDropoutMask!.Data);

        // Inference drops nothing: the numbers of a layer without dropout, and no masks.
        Bits.AssertEqual(Forward(reference, x, h0, c0, false).Span, Forward(layer, x, h0, c0, false).Span, "inference y");
        Assert.Null(loop.InputDropoutMask);
        Assert.Null(loop.RecurrentDropoutMask);
    }

    private void AssertDropoutMask(float[] mask, float rate)
    {
        float keep = 1f / (1f - rate);
        Assert.All(mask, v => Assert.True(v == 0f || v == keep, $"mask value {v}"));
        double kept = mask.Count(v => v != 0f) / (double)mask.Length;
        output.WriteLine($"rate {rate}: kept {kept:F3} of {mask.Length}");
        Assert.InRange(kept, 1 - rate - 0.06, 1 - rate + 0.06);
    }

    [Theory]
    [InlineData("lstm")]
    [InlineData("rnn_tanh")]
    public void TheDrawnDropoutMasksHoldForEveryStep(string kind)
    {
        // In these cells h enters only the product, so a masked step is the one-step API fed x·maskX and h·maskH.
        const int b = 10, t = 6, i = 4, h = 5;
        RecurrentLayer layer = Create(kind, i, h, true, new Rng(13));
        RecurrentLayerTests.SetWeights(layer, 0.6f);
        (layer.Dropout, layer.RecurrentDropout) = (0.5f, 0.5f);
        Tensor x = GradCheck.Values(1, 1f, b, t, i), h0 = GradCheck.Values(2, 0.5f, b, h), c0 = GradCheck.Values(3, 0.5f, b, h);
        Tensor y = Forward(layer, x, h0, c0, training: true);
        Tensor mx = layer.Loop.InputDropoutMask!, mh = layer.Loop.RecurrentDropoutMask!;

        var expected = new Tensor(b, t, h);
        Tensor hs = h0.Clone(), cs = c0.Clone();
        for (int s = 0; s < t; s++)
        {
            var xs = new Tensor(b, i);
            for (int r = 0; r < b; r++)
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(x.Span.Slice(((r * t) + s) * i, i), mx.Span.Slice(r * i, i), xs.Span.Slice(r * i, i));
            }

            var masked = new Tensor(b, h);
            System.Numerics.Tensors.TensorPrimitives.Multiply(hs.Span, mh.Span, masked.Span);
            if (layer is Lstm lstm)
            {
                LstmState next = lstm.Step(xs, new LstmState(masked, cs));
                (hs, cs) = (next.H, next.C);
            }
            else
            {
                hs = ((SimpleRnn)layer).Step(xs, masked);
            }

            for (int r = 0; r < b; r++)
            {
                hs.Span.Slice(r * h, h).CopyTo(expected.Span.Slice(((r * t) + s) * h, h));
            }
        }

        Fixture.AssertClose("y", expected, y, 1e-5, output, kind);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void BadRatesNameTheProperty(string kind)
    {
        RecurrentLayer layer = Create(kind, 2, 3, false);
        foreach (float bad in new[] { -0.1f, 1f, 1.5f, float.NaN })
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => layer.Dropout = bad);
            Assert.Equal("Dropout", e.ParamName);
            Assert.Contains("must be at least 0 and below 1", e.Message);
            e = Assert.Throws<ArgumentOutOfRangeException>(() => layer.RecurrentDropout = bad);
            Assert.Equal("RecurrentDropout", e.ParamName);
            Assert.Contains("RecurrentDropout is the fraction", e.Message);
        }

        (layer.Dropout, layer.RecurrentDropout) = (0f, 0.999f);
        Assert.Equal(0.999f, layer.Loop.RecurrentDropout);
    }

    [Fact]
    public void BidirectionalDirectionsDrawTheirOwnDropoutMasks()
    {
        var model = new Recur.Models.Sequential(seed: 4)
        {
            new BidirectionalLayer(new GruLayer(6, Dropout: 0.2f, RecurrentDropout: 0.3f)) { InputShape = [5, 3] },
        };
        var bi = Assert.IsType<Bidirectional>(model.Layers[0]);
        var forward = Assert.IsType<Gru>(bi.ForwardLayer);
        var backward = Assert.IsType<Gru>(bi.BackwardLayer);
        Assert.Equal((0.2f, 0.3f), (forward.Dropout, forward.RecurrentDropout));
        Assert.Equal((0.2f, 0.3f), (backward.Dropout, backward.RecurrentDropout));
        Tensor x = GradCheck.Values(1, 1f, 16, 5, 3);
        Tensor y = bi.Forward(x, training: true);
        Assert.NotEqual(forward.Loop.RecurrentDropoutMask!.Data, backward.Loop.RecurrentDropoutMask!.Data);
        Assert.NotEqual(forward.Loop.InputDropoutMask!.Data, backward.Loop.InputDropoutMask!.Data);
        Tensor dx = bi.Backward(GradCheck.Values(2, 1f, y.Shape.ToArray()));
        Assert.All(dx.Data, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void RandomSourcesAreTheGeneratorsTheMasksComeFromAndRestoringOneRepeatsThem()
    {
        // What a checkpoint saves: the layers' generators. Restoring their state makes the next training pass draw
        // the same dropout masks, so the outputs repeat bit for bit.
        var shared = new Rng(3);
        var lstm = new Lstm(3, 4, returnSequences: true, rng: shared) { Dropout = 0.3f, RecurrentDropout = 0.5f };
        var dropout = new Dropout(0.4f, shared);
        Assert.Same(shared, Assert.Single(lstm.RandomSources));
        Assert.Same(shared, Assert.Single(dropout.RandomSources));
        Assert.NotSame(Assert.Single(new Gru(3, 4).RandomSources), Assert.Single(new Gru(3, 4).RandomSources)); // without one, each its own

        var first = new Rng(5);
        var second = new Rng(6);
        var bi = new Bidirectional(new Gru(3, 4, rng: first, name: "forward_gru"), new Gru(3, 4, rng: second, name: "backward_gru"));
        Assert.Equal(2, bi.RandomSources.Count);
        Assert.Same(first, bi.RandomSources[0]);
        Assert.Same(second, bi.RandomSources[1]);

        Tensor x = GradCheck.Values(1, 1f, 6, 5, 3);
        RngState saved = shared.State;
        float[] y = [.. dropout.Forward(lstm.Forward(x, training: true), training: true).Data];
        float[] masks = [.. lstm.Loop.InputDropoutMask!.Data, .. lstm.Loop.RecurrentDropoutMask!.Data];
        float[] other = [.. dropout.Forward(lstm.Forward(x, training: true), training: true).Data];
        Assert.NotEqual(y, other); // the generator moved on: new masks
        shared.State = saved;
        Bits.AssertEqual(y, dropout.Forward(lstm.Forward(x, training: true), training: true).Data, "output after the restore");
        Bits.AssertEqual(masks, [.. lstm.Loop.InputDropoutMask!.Data, .. lstm.Loop.RecurrentDropoutMask!.Data], "dropout masks after the restore");
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TrainingWithDropoutMasksAllocatesNothingAfterWarmUp(string kind)
    {
        RecurrentLayer layer = Create(kind, 28, 32, true, new Rng(1));
        (layer.Dropout, layer.RecurrentDropout) = (0.2f, 0.3f);
        Tensor x = GradCheck.Values(1, 1f, 16, 28, 28), h0 = GradCheck.Values(2, 0.5f, 16, 32), c0 = GradCheck.Values(3, 0.5f, 16, 32);
        Tensor dy = GradCheck.Values(4, 1f, 16, 28, 32);

        var state = new LstmState(h0, c0); // made once: a new record per call would be the test's allocation

        void Step()
        {
            if (layer is Lstm lstm)
            {
                lstm.Forward(x, state, training: true);
            }
            else
            {
                Forward(layer, x, h0, c0, training: true);
            }

            Backward(layer, dy, null, null);
        }

        long allocated = SingleThread.AllocatedAfterWarmUp(Step);
        output.WriteLine($"{kind}: allocated after warm-up: {allocated} bytes");
        Assert.Equal(0, allocated);
    }
}
