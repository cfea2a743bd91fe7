using Recur.Layers;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Layers;

public class LstmTests(ITestOutputHelper output)
{
    private const double ForwardTolerance = 1e-5;
    private const double GradientTolerance = 1e-4;

    /// <summary>An Lstm holding the fixture's weights; PyTorch's two biases are summed into Recur's one.</summary>
    private static Lstm FromFixture(Fixture f, bool returnSequences)
    {
        var lstm = new Lstm((int)f.Config("input_size"), (int)f.Config("hidden_size"),
            forgetBias: (float)f.Config("forget_bias"), returnSequences: returnSequences);
        if (f.Has("bias"))
        {
            lstm.WeightIh.Value.CopyFrom(f["weight_ih"]);
            lstm.WeightHh.Value.CopyFrom(f["weight_hh"]);
            lstm.Bias.Value.CopyFrom(f["bias"]);
        }
        else
        {
            lstm.CopyFromPyTorch(f["weight_ih"], f["weight_hh"], f["bias_ih"], f["bias_hh"]);
        }

        return lstm;
    }

    [Theory]
    [InlineData("lstm_torch_state.json")] // torch.nn.LSTM, forgetBias 0, with an initial state
    [InlineData("lstm_fb1.json")]         // BasicLSTMCell written out in PyTorch ops, forgetBias 1
    public void SequenceWithInitialStateMatchesPyTorch(string file)
    {
        var f = Fixture.Load(file);
        Lstm lstm = FromFixture(f, returnSequences: true);
        Tensor y = lstm.Forward(f["x"], new LstmState(f["h0"], f["c0"]), training: true);
        f.AssertClose("y", y, ForwardTolerance, output);
        f.AssertClose("hn", lstm.FinalState.H, ForwardTolerance, output);
        f.AssertClose("cn", lstm.FinalState.C, ForwardTolerance, output);

        Tensor dx = lstm.Backward(f["dy"], f["dhn"], f["dcn"]);
        f.AssertClose("dx", dx, GradientTolerance, output);
        f.AssertClose("dweight_ih", lstm.WeightIh.Grad, GradientTolerance, output);
        f.AssertClose("dweight_hh", lstm.WeightHh.Grad, GradientTolerance, output);
        f.AssertClose("dbias", lstm.Bias.Grad, GradientTolerance, output);
        f.AssertClose("dh0", lstm.InitialStateGradient.H, GradientTolerance, output);
        f.AssertClose("dc0", lstm.InitialStateGradient.C, GradientTolerance, output);
    }

    [Fact]
    public void LastStepFromZeroStateMatchesTorchLstm()
    {
        var f = Fixture.Load("lstm_torch_nostate.json");
        Lstm lstm = FromFixture(f, returnSequences: false);
        Tensor y = lstm.Forward(f["x"], training: true);
        f.AssertClose("y_last", y, ForwardTolerance, output);
        f.AssertClose("hn", lstm.FinalState.H, ForwardTolerance, output);
        f.AssertClose("cn", lstm.FinalState.C, ForwardTolerance, output);

        Tensor dx = lstm.Backward(f["dy_last"]);
        f.AssertClose("dx", dx, GradientTolerance, output);
        f.AssertClose("dweight_ih", lstm.WeightIh.Grad, GradientTolerance, output);
        f.AssertClose("dweight_hh", lstm.WeightHh.Grad, GradientTolerance, output);
        f.AssertClose("dbias", lstm.Bias.Grad, GradientTolerance, output);
    }

    [Theory]
    [InlineData(true, 1f)]
    [InlineData(false, 1f)]
    [InlineData(true, 0f)]
    public void GradientsMatchFiniteDifferences(bool returnSequences, float forgetBias)
    {
        const int b = 2, t = 4, i = 3, h = 3;
        var lstm = new Lstm(i, h, forgetBias, returnSequences, rng: new Rng(11));
        // Larger than default weights so every gate is away from its linear region.
        lstm.WeightIh.Value.CopyFrom(GradCheck.Values(1, 0.8f, 4 * h, i));
        lstm.WeightHh.Value.CopyFrom(GradCheck.Values(2, 0.8f, 4 * h, h));
        lstm.Bias.Value.CopyFrom(GradCheck.Values(3, 0.5f, 4 * h));
        Tensor x = GradCheck.Values(4, 1f, b, t, i);
        var state = new LstmState(GradCheck.Values(5, 0.5f, b, h), GradCheck.Values(6, 0.5f, b, h));
        Tensor wy = returnSequences ? GradCheck.Values(7, 1f, b, t, h) : GradCheck.Values(7, 1f, b, h);
        Tensor wh = GradCheck.Values(8, 1f, b, h), wc = GradCheck.Values(9, 1f, b, h);

        double Loss()
        {
            Tensor y = lstm.Forward(x, state);
            return GradCheck.Dot(y, wy) + GradCheck.Dot(lstm.FinalState.H, wh) + GradCheck.Dot(lstm.FinalState.C, wc);
        }

        lstm.Forward(x, state, training: true);
        Tensor dx = lstm.Backward(wy, wh, wc).Clone();
        LstmState d0 = lstm.InitialStateGradient.Copy();
        GradCheck.Check("lstm.x", x, dx, Loss, output);
        GradCheck.Check("lstm.weight_ih", lstm.WeightIh.Value, lstm.WeightIh.Grad, Loss, output);
        GradCheck.Check("lstm.weight_hh", lstm.WeightHh.Value, lstm.WeightHh.Grad, Loss, output);
        GradCheck.Check("lstm.bias", lstm.Bias.Value, lstm.Bias.Grad, Loss, output);
        GradCheck.Check("lstm.h0", state.H, d0.H, Loss, output);
        GradCheck.Check("lstm.c0", state.C, d0.C, Loss, output);
    }

    [Fact]
    public void StaticUnrollOfStepsEqualsDynamicForward()
    {
        // The tutorials' static_rnn (a list of per-step outputs) and dynamic_rnn ([B, T, H]) give the same numbers.
        const int b = 3, t = 5, i = 4, h = 6;
        var lstm = new Lstm(i, h, forgetBias: 1f, returnSequences: true, rng: new Rng(5));
        lstm.Bias.Value.CopyFrom(GradCheck.Values(1, 0.3f, 4 * h));
        Tensor x = GradCheck.Values(2, 1f, b, t, i);
        var initial = new LstmState(GradCheck.Values(3, 0.5f, b, h), GradCheck.Values(4, 0.5f, b, h));

        var steps = new List<Tensor>();
        for (int s = 0; s < t; s++)
        {
            var xs = new Tensor(b, i);
            for (int r = 0; r < b; r++)
            {
                x.Span.Slice((r * t + s) * i, i).CopyTo(xs.Row(r));
            }

            steps.Add(xs);
        }

        IReadOnlyList<Tensor> outputs = lstm.Unroll(steps, initial, out LstmState final);
        Tensor y = lstm.Forward(x, initial);
        Assert.Equal(t, outputs.Count);
        var stacked = new Tensor(b, t, h);
        for (int s = 0; s < t; s++)
        {
            for (int r = 0; r < b; r++)
            {
                outputs[s].Row(r).CopyTo(stacked.Span.Slice((r * t + s) * h, h));
            }
        }

        Fixture.AssertClose("static vs dynamic y", stacked, y, 1e-6, output);
        Fixture.AssertClose("static vs dynamic h", final.H, lstm.FinalState.H, 1e-6, output);
        Fixture.AssertClose("static vs dynamic c", final.C, lstm.FinalState.C, 1e-6, output);

        // And one step from ZeroState equals a one-step sequence.
        LstmState one = lstm.Step(steps[0], lstm.ZeroState(b));
        var single = new Lstm(i, h, forgetBias: 1f, returnSequences: false, rng: new Rng(5));
        single.Bias.Value.CopyFrom(lstm.Bias.Value);
        Tensor y1 = single.Forward(FirstStep(x, b, t, i));
        Fixture.AssertClose("step vs T=1 forward", one.H, y1, 1e-6, output);
    }

    private static Tensor FirstStep(Tensor x, int b, int t, int i)
    {
        var x1 = new Tensor(b, 1, i);
        for (int r = 0; r < b; r++)
        {
            x.Span.Slice(r * t * i, i).CopyTo(x1.Span.Slice(r * i, i));
        }

        return x1;
    }

    [Fact]
    public void PyTorchWeightsRoundTrip()
    {
        var f = Fixture.Load("lstm_torch_state.json");
        var lstm = new Lstm(5, 4, forgetBias: 0f);
        lstm.CopyFromPyTorch(f["weight_ih"], f["weight_hh"], f["bias_ih"], f["bias_hh"]);
        IReadOnlyDictionary<string, Tensor> dict = lstm.ToPyTorch();
        Assert.Equal(["weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"], dict.Keys);
        Assert.All(dict["bias_hh_l0"].Data, v => Assert.Equal(0f, v));
        var back = new Lstm(5, 4, forgetBias: 0f, rng: new Rng(99));
        back.CopyFromPyTorch(dict["weight_ih_l0"], dict["weight_hh_l0"], dict["bias_ih_l0"], dict["bias_hh_l0"]);
        Assert.Equal(lstm.WeightIh.Value.Data, back.WeightIh.Value.Data);
        Assert.Equal(lstm.WeightHh.Value.Data, back.WeightHh.Value.Data);
        Assert.Equal(lstm.Bias.Value.Data, back.Bias.Value.Data);

        var ex = Assert.Throws<ArgumentException>(() => back.CopyFromPyTorch(f["weight_hh"], f["weight_hh"], f["bias_ih"], f["bias_hh"]));
        Assert.Equal("weightIh", ex.ParamName);
        Assert.Contains("[16, 4]", ex.Message);
        Assert.Contains("[16, 5]", ex.Message);
    }

    [Fact]
    public void ParameterCountMatchesKeras()
    {
        // Keras: LSTM(128) on 28 inputs has 4·128·(28 + 128) + 4·128 = 80,384 parameters.
        var lstm = new Lstm(28, 128);
        Assert.Equal(80_384, lstm.Parameters.Sum(p => p.Value.Length));
        Assert.Equal(["weight_ih", "weight_hh", "bias"], lstm.Parameters.Select(p => p.Name));
        Assert.True(lstm.WeightIh.Value.HasShape(512, 28));
        Assert.True(lstm.WeightHh.Value.HasShape(512, 128));
    }

    [Fact]
    public void DefaultInitialisationIsSeeded()
    {
        var a = new Lstm(3, 4, rng: new Rng(42));
        var b = new Lstm(3, 4, rng: new Rng(42));
        var c = new Lstm(3, 4, rng: new Rng(43));
        Assert.Equal(a.WeightIh.Value.Data, b.WeightIh.Value.Data);
        Assert.Equal(a.WeightHh.Value.Data, b.WeightHh.Value.Data);
        Assert.NotEqual(a.WeightIh.Value.Data, c.WeightIh.Value.Data);
    }

    [Fact]
    public void BadShapesAndSizesNameTheArgument()
    {
        var lstm = new Lstm(28, 16);
        var ex = Assert.Throws<ArgumentException>(() => lstm.Forward(new Tensor(4, 28, 27)));
        Assert.Equal("x", ex.ParamName);
        Assert.Contains("[4, 28, 27]", ex.Message);
        Assert.Contains("[batch, steps, 28]", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => lstm.Forward(new Tensor(4, 784)));
        Assert.Contains("[4, 784]", ex.Message);

        ex = Assert.Throws<ArgumentException>(() => lstm.Forward(new Tensor(4, 28, 28), new LstmState(new Tensor(3, 16), new Tensor(4, 16))));
        Assert.Equal("initialState", ex.ParamName);
        Assert.Contains("[3, 16]", ex.Message);
        Assert.Contains("[4, 16]", ex.Message);

        var zero = Assert.Throws<ArgumentOutOfRangeException>(() => new Lstm(28, 0));
        Assert.Equal("hiddenSize", zero.ParamName);
        Assert.Contains("received 0", zero.Message);

        Assert.Throws<InvalidOperationException>(() => new Lstm(2, 2).Backward(new Tensor(1, 2)));

        lstm.Forward(new Tensor(4, 28, 28), training: true);
        ex = Assert.Throws<ArgumentException>(() => lstm.Backward(new Tensor(4, 28, 16)));
        Assert.Equal("dy", ex.ParamName);
        Assert.Contains("[4, 16]", ex.Message);
    }

    [Theory]
    [InlineData(28, true)]
    [InlineData(28, false)]
    [InlineData(1, true)]
    public void InferenceForwardEqualsTrainingForwardBitForBit(int input, bool returnSequences)
    {
        // Inference keeps one step of gates and two of state instead of every step; the numbers are the same.
        const int B = 11, T = 7, H = 20;
        var lstm = new Lstm(input, H, returnSequences: returnSequences, rng: new Rng(8));
        Tensor x = GradCheck.Values(1, 1f, B, T, input);
        var state = new LstmState(GradCheck.Values(2, 0.5f, B, H), GradCheck.Values(3, 0.5f, B, H));
        Tensor trained = lstm.Forward(x, state, training: true).Clone();
        LstmState trainedFinal = lstm.FinalState.Copy();
        Tensor inferred = lstm.Forward(x, state, training: false);
        Assert.Equal(trained.Data, inferred.Data);
        Assert.Equal(trainedFinal.H.Data, lstm.FinalState.H.Data);
        Assert.Equal(trainedFinal.C.Data, lstm.FinalState.C.Data);

        var ex = Assert.Throws<InvalidOperationException>(() => lstm.Backward(inferred));
        Assert.Contains("training: true", ex.Message);
        lstm.Forward(x, state, training: true);
        lstm.Backward(trained);
        ex = Assert.Throws<InvalidOperationException>(() => lstm.Backward(trained));
        Assert.Contains("Forward again", ex.Message);
    }
}
