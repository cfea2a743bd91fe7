using Recur.Layers;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Layers;

/// <summary>
/// Masked recurrent layers against PyTorch's <c>pack_padded_sequence</c> (tools/make_packed_fixtures.py): nn.LSTM,
/// nn.GRU, nn.RNN (tanh, relu), two layers, bidirectional, and a Keras mask with holes — outputs in Keras's semantics
/// (a masked step repeats the previous output), final states and every gradient.
/// </summary>
public class PackedSequenceTests(ITestOutputHelper output)
{
    private const double ForwardTolerance = 1e-5;
    private const double GradientTolerance = 1e-4;

    private static SequenceMask Lengths(Fixture f) => SequenceMask.FromLengths(f.Classes("lengths"), (int)f.Config("steps"));

    private static SequenceMask Mask(Fixture f)
    {
        if (f.Has("lengths"))
        {
            return Lengths(f);
        }

        Tensor m = f["mask"];
        return SequenceMask.FromValid(m.Data.Select(v => v != 0f ? (byte)1 : (byte)0).ToArray(), m.Dim(0), m.Dim(1));
    }

    private static Lstm LstmFrom(Fixture f, string suffix, bool returnSequences, string name = "lstm", int? input = null)
    {
        var lstm = new Lstm(input ?? (int)f.Config("input_size"), (int)f.Config("hidden_size"), forgetBias: 0f, returnSequences: returnSequences, name: name)
        {
            ComputeInputGradient = true,
        };
        lstm.CopyFromPyTorch(f["weight_ih" + suffix], f["weight_hh" + suffix], f["bias_ih" + suffix], f["bias_hh" + suffix]);
        return lstm;
    }

    private static RecurrentLayer<Tensor> HiddenStateFrom(Fixture f, string kind, string suffix = "", string? name = null)
    {
        int i = (int)f.Config("input_size"), h = (int)f.Config("hidden_size");
        RecurrentLayer<Tensor> layer = kind == "gru"
            ? new Gru(i, h, returnSequences: true, name: name ?? "gru")
            : new SimpleRnn(i, h, f.ConfigString("nonlinearity") == "relu" ? RnnActivation.Relu : RnnActivation.Tanh, returnSequences: true, name: name ?? "rnn");
        layer.ComputeInputGradient = true;
        layer.CopyFromPyTorch(f["weight_ih" + suffix], f["weight_hh" + suffix], f["bias_ih" + suffix], f["bias_hh" + suffix]);
        return layer;
    }

    [Theory]
    [InlineData("lstm_packed.json")]
    [InlineData("lstm_masked_holes.json")]
    public void LstmMatchesPyTorch(string fixture)
    {
        var f = Fixture.Load(fixture);
        Lstm lstm = LstmFrom(f, "", returnSequences: true);
        lstm.InputMask = Mask(f);
        LstmState? state = f.Has("h0") ? new LstmState(f["h0"], f["c0"]) : null;
        Tensor y = lstm.Forward(f["x"], state, training: true);
        f.AssertClose("y", y, ForwardTolerance, output);
        f.AssertClose("hn", lstm.FinalState.H, ForwardTolerance, output);
        f.AssertClose("cn", lstm.FinalState.C, ForwardTolerance, output);
        Tensor dx = lstm.Backward(f["dy"], f["dhn"], f["dcn"]);
        f.AssertClose("dx", dx, GradientTolerance, output);
        f.AssertClose("dweight_ih", lstm.WeightIh.Grad, GradientTolerance, output);
        f.AssertClose("dweight_hh", lstm.WeightHh.Grad, GradientTolerance, output);
        f.AssertClose("dbias_ih", lstm.Bias.Grad, GradientTolerance, output); // one bias: the gradient of either of PyTorch's
        if (state is not null)
        {
            f.AssertClose("dh0", lstm.InitialStateGradient.H, GradientTolerance, output);
            f.AssertClose("dc0", lstm.InitialStateGradient.C, GradientTolerance, output);
        }
    }

    [Fact]
    public void LstmLastOutputMatchesPyTorch()
    {
        var f = Fixture.Load("lstm_packed_last.json");
        Lstm lstm = LstmFrom(f, "", returnSequences: false);
        lstm.InputMask = Lengths(f);
        f.AssertClose("y_last", lstm.Forward(f["x"], training: true), ForwardTolerance, output);
        f.AssertClose("cn", lstm.FinalState.C, ForwardTolerance, output);
        f.AssertClose("dx", lstm.Backward(f["dy_last"]), GradientTolerance, output);
        f.AssertClose("dweight_ih", lstm.WeightIh.Grad, GradientTolerance, output);
        f.AssertClose("dweight_hh", lstm.WeightHh.Grad, GradientTolerance, output);
        f.AssertClose("dbias_ih", lstm.Bias.Grad, GradientTolerance, output);
    }

    [Theory]
    [InlineData("gru_packed.json", "gru")]
    [InlineData("rnn_tanh_packed.json", "rnn")]
    [InlineData("rnn_relu_packed.json", "rnn")]
    public void GruAndRnnMatchPyTorch(string fixture, string kind)
    {
        var f = Fixture.Load(fixture);
        RecurrentLayer<Tensor> layer = HiddenStateFrom(f, kind);
        layer.InputMask = Lengths(f);
        Tensor y = layer.Forward(f["x"], f["h0"], training: true);
        f.AssertClose("y", y, ForwardTolerance, output);
        f.AssertClose("hn", layer.FinalState, ForwardTolerance, output);
        Tensor dx = layer.Backward(f["dy"], f["dhn"]);
        f.AssertClose("dx", dx, GradientTolerance, output);
        f.AssertClose("dh0", layer.InitialStateGradient, GradientTolerance, output);
        f.AssertClose("dweight_ih", layer.WeightIh.Grad, GradientTolerance, output);
        f.AssertClose("dweight_hh", layer.WeightHh.Grad, GradientTolerance, output);
        if (kind == "gru")
        {
            f.AssertClose("dbias_ih", layer.Parameters[2].Grad, GradientTolerance, output);
            f.AssertClose("dbias_hh", layer.Parameters[3].Grad, GradientTolerance, output);
        }
        else
        {
            f.AssertClose("dbias_ih", layer.Parameters[2].Grad, GradientTolerance, output);
        }
    }

    [Fact]
    public void TwoLayerLstmMatchesPyTorch()
    {
        var f = Fixture.Load("lstm_packed_two_layer.json");
        int h = (int)f.Config("hidden_size");
        Lstm first = LstmFrom(f, "_l0", returnSequences: true, "lstm");
        Lstm second = LstmFrom(f, "_l1", returnSequences: true, "lstm_1", input: h);
        SequenceMask mask = Lengths(f);
        first.InputMask = mask;
        second.InputMask = first.OutputMask;
        Tensor y = second.Forward(first.Forward(f["x"], training: true), training: true);
        f.AssertClose("y", y, ForwardTolerance, output);
        Tensor dx = first.Backward(second.Backward(f["dy"]));
        f.AssertClose("dx", dx, GradientTolerance, output);
        foreach ((Lstm layer, string suffix) in new[] { (first, "_l0"), (second, "_l1") })
        {
            f.AssertClose("dweight_ih" + suffix, layer.WeightIh.Grad, GradientTolerance, output);
            f.AssertClose("dweight_hh" + suffix, layer.WeightHh.Grad, GradientTolerance, output);
            f.AssertClose("dbias" + suffix, layer.Bias.Grad, GradientTolerance, output);
        }
    }

    [Theory]
    [InlineData("lstm_packed_bidirectional.json", true)]
    [InlineData("lstm_packed_bidirectional_last.json", false)]
    public void BidirectionalLstmMatchesPyTorch(string fixture, bool returnSequences)
    {
        var f = Fixture.Load(fixture);
        Lstm forward = LstmFrom(f, "_l0", returnSequences, "forward_lstm");
        Lstm backward = LstmFrom(f, "_l0_reverse", returnSequences, "backward_lstm");
        var bi = new Bidirectional(forward, backward) { InputMask = Lengths(f), ComputeInputGradient = true };
        Tensor y = bi.Forward(f["x"], training: true);
        f.AssertClose(returnSequences ? "y" : "last", y, ForwardTolerance, output);
        AssertFinalStates(f, forward.FinalState.H, backward.FinalState.H, "hn");
        AssertFinalStates(f, forward.FinalState.C, backward.FinalState.C, "cn");
        Tensor dx = bi.Backward(f[returnSequences ? "dy" : "dlast"]);
        f.AssertClose("dx", dx, GradientTolerance, output);
        foreach ((Lstm layer, string suffix) in new[] { (forward, "_l0"), (backward, "_l0_reverse") })
        {
            f.AssertClose("dweight_ih" + suffix, layer.WeightIh.Grad, GradientTolerance, output);
            f.AssertClose("dweight_hh" + suffix, layer.WeightHh.Grad, GradientTolerance, output);
            f.AssertClose("dbias" + suffix, layer.Bias.Grad, GradientTolerance, output);
        }
    }

    [Fact]
    public void BidirectionalGruMatchesPyTorch()
    {
        var f = Fixture.Load("gru_packed_bidirectional.json");
        RecurrentLayer<Tensor> forward = HiddenStateFrom(f, "gru", "_l0", "forward_gru");
        RecurrentLayer<Tensor> backward = HiddenStateFrom(f, "gru", "_l0_reverse", "backward_gru");
        var bi = new Bidirectional(forward, backward) { InputMask = Lengths(f), ComputeInputGradient = true };
        f.AssertClose("y", bi.Forward(f["x"], training: true), ForwardTolerance, output);
        AssertFinalStates(f, forward.FinalState, backward.FinalState, "hn");
        f.AssertClose("dx", bi.Backward(f["dy"]), GradientTolerance, output);
        foreach ((RecurrentLayer<Tensor> layer, string suffix) in new[] { (forward, "_l0"), (backward, "_l0_reverse") })
        {
            f.AssertClose("dweight_ih" + suffix, layer.WeightIh.Grad, GradientTolerance, output);
            f.AssertClose("dweight_hh" + suffix, layer.WeightHh.Grad, GradientTolerance, output);
            f.AssertClose("dbias_ih" + suffix, layer.Parameters[2].Grad, GradientTolerance, output);
            f.AssertClose("dbias_hh" + suffix, layer.Parameters[3].Grad, GradientTolerance, output);
        }
    }

    /// <summary>PyTorch's <c>h_n [2, B, H]</c> of a bidirectional layer: direction 0 forward, 1 backward.</summary>
    private void AssertFinalStates(Fixture f, Tensor forward, Tensor backward, string name)
    {
        Tensor expected = f[name];
        int n = forward.Length;
        Fixture.AssertClose(name + "[0]", new Tensor(expected.Data[..n], forward.Shape.ToArray()), forward, ForwardTolerance, output);
        Fixture.AssertClose(name + "[1]", new Tensor(expected.Data[n..], backward.Shape.ToArray()), backward, ForwardTolerance, output);
    }
}
