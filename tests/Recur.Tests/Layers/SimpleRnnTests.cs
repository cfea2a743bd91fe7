using Recur.Layers;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Layers;

/// <summary><see cref="SimpleRnn"/> against <c>torch.nn.RNN</c> (tools/make_rnn_fixtures.py), and its Keras parameter count.</summary>
public class SimpleRnnTests(ITestOutputHelper output)
{
    private const double ForwardTolerance = 1e-5;
    private const double GradientTolerance = 1e-4;

    /// <summary>A SimpleRnn holding the fixture's weights; PyTorch's two biases are summed into Recur's one.</summary>
    private static SimpleRnn FromFixture(Fixture f, bool returnSequences)
    {
        RnnActivation activation = f.ConfigString("nonlinearity") == "relu" ? RnnActivation.Relu : RnnActivation.Tanh;
        var rnn = new SimpleRnn((int)f.Config("input_size"), (int)f.Config("hidden_size"), activation, returnSequences);
        rnn.CopyFromPyTorch(f["weight_ih"], f["weight_hh"], f["bias_ih"], f["bias_hh"]);
        return rnn;
    }

    private void AssertParameterGradients(Fixture f, SimpleRnn rnn)
    {
        f.AssertClose("dweight_ih", rnn.WeightIh.Grad, GradientTolerance, output);
        f.AssertClose("dweight_hh", rnn.WeightHh.Grad, GradientTolerance, output);
        f.AssertClose("dbias_ih", rnn.Bias.Grad, GradientTolerance, output); // PyTorch's two bias gradients are equal
        f.AssertClose("dbias_hh", rnn.Bias.Grad, GradientTolerance, output);
    }

    [Theory]
    [InlineData("rnn_tanh_state.json")]
    [InlineData("rnn_relu_state.json")]
    public void SequenceWithInitialStateMatchesTorchRnn(string file)
    {
        var f = Fixture.Load(file);
        SimpleRnn rnn = FromFixture(f, returnSequences: true);
        Tensor y = rnn.Forward(f["x"], f["h0"], training: true);
        f.AssertClose("y", y, ForwardTolerance, output);
        f.AssertClose("hn", rnn.FinalState, ForwardTolerance, output);

        Tensor dx = rnn.Backward(f["dy"], f["dhn"]);
        f.AssertClose("dx", dx, GradientTolerance, output);
        AssertParameterGradients(f, rnn);
        f.AssertClose("dh0", rnn.InitialStateGradient, GradientTolerance, output);
    }

    [Fact]
    public void LastStepFromZeroStateMatchesTorchReluRnn()
    {
        var f = Fixture.Load("rnn_relu_nostate.json");
        SimpleRnn rnn = FromFixture(f, returnSequences: false);
        Tensor y = rnn.Forward(f["x"], training: true);
        f.AssertClose("y_last", y, ForwardTolerance, output);
        f.AssertClose("hn", rnn.FinalState, ForwardTolerance, output);

        Tensor dx = rnn.Backward(f["dy_last"]);
        f.AssertClose("dx", dx, GradientTolerance, output);
        AssertParameterGradients(f, rnn);
    }

    [Fact]
    public void ParameterCountMatchesKeras()
    {
        // Keras: SimpleRNN(128) on 28 inputs has 128·(28 + 128) + 128 = 20,096 parameters.
        var rnn = new SimpleRnn(28, 128);
        Assert.Equal(20_096, rnn.Parameters.Sum(p => p.Value.Length));
        Assert.Equal(["weight_ih", "weight_hh", "bias"], rnn.Parameters.Select(p => p.Name));
        Assert.Equal(RnnActivation.Tanh, rnn.Activation);
        Assert.Equal("simple_rnn", rnn.Name);
    }

    [Fact]
    public void ToPyTorchPutsTheBiasInBiasIh()
    {
        var rnn = new SimpleRnn(2, 3, RnnActivation.Relu);
        rnn.Bias.Value.CopyFrom(GradCheck.Values(1, 1f, 3));
        IReadOnlyDictionary<string, Tensor> dict = rnn.ToPyTorch();
        Assert.Equal(rnn.Bias.Value.Data, dict["bias_ih_l0"].Data);
        Assert.All(dict["bias_hh_l0"].Data, v => Assert.Equal(0f, v));
    }
}
