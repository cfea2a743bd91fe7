using Recur.Layers;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Layers;

/// <summary><see cref="Gru"/> against <c>torch.nn.GRU</c> (tools/make_rnn_fixtures.py), and its Keras parameter count.</summary>
public class GruTests(ITestOutputHelper output)
{
    private const double ForwardTolerance = 1e-5;
    private const double GradientTolerance = 1e-4;

    private static Gru FromFixture(Fixture f, bool returnSequences)
    {
        var gru = new Gru((int)f.Config("input_size"), (int)f.Config("hidden_size"), returnSequences);
        gru.CopyFromPyTorch(f["weight_ih"], f["weight_hh"], f["bias_ih"], f["bias_hh"]);
        return gru;
    }

    private void AssertParameterGradients(Fixture f, Gru gru)
    {
        f.AssertClose("dweight_ih", gru.WeightIh.Grad, GradientTolerance, output);
        f.AssertClose("dweight_hh", gru.WeightHh.Grad, GradientTolerance, output);
        f.AssertClose("dbias_ih", gru.BiasIh.Grad, GradientTolerance, output);
        f.AssertClose("dbias_hh", gru.BiasHh.Grad, GradientTolerance, output);
    }

    [Fact]
    public void SequenceWithInitialStateMatchesTorchGru()
    {
        var f = Fixture.Load("gru_state.json");
        Gru gru = FromFixture(f, returnSequences: true);
        Tensor y = gru.Forward(f["x"], f["h0"], training: true);
        f.AssertClose("y", y, ForwardTolerance, output);
        f.AssertClose("hn", gru.FinalState, ForwardTolerance, output);

        Tensor dx = gru.Backward(f["dy"], f["dhn"]);
        f.AssertClose("dx", dx, GradientTolerance, output);
        AssertParameterGradients(f, gru);
        f.AssertClose("dh0", gru.InitialStateGradient, GradientTolerance, output);
    }

    [Fact]
    public void LastStepFromZeroStateMatchesTorchGru()
    {
        // I = 3: the input gradient by dot products (RecurrentLoop.SmallInput).
        var f = Fixture.Load("gru_nostate.json");
        Gru gru = FromFixture(f, returnSequences: false);
        Tensor y = gru.Forward(f["x"], training: true);
        f.AssertClose("y_last", y, ForwardTolerance, output);
        f.AssertClose("hn", gru.FinalState, ForwardTolerance, output);

        Tensor dx = gru.Backward(f["dy_last"]);
        f.AssertClose("dx", dx, GradientTolerance, output);
        AssertParameterGradients(f, gru);
    }

    [Fact]
    public void ParameterCountMatchesKeras()
    {
        // Keras: GRU(128, reset_after=True) on 28 inputs has 3·128·(28 + 128) + 2·3·128 = 60,672 parameters.
        var gru = new Gru(28, 128);
        Assert.Equal(60_672, gru.Parameters.Sum(p => p.Value.Length));
        Assert.Equal(["weight_ih", "weight_hh", "bias_ih", "bias_hh"], gru.Parameters.Select(p => p.Name));
        Assert.True(gru.WeightIh.Value.HasShape(384, 28));
        Assert.True(gru.WeightHh.Value.HasShape(384, 128));
        Assert.True(gru.BiasHh.Value.HasShape(384));
        Assert.Equal("gru", gru.Name);
    }
}
