using Recur.Initializers;
using Recur.Layers;

namespace Recur.Tests.Layers;

public class ChronoInitTests
{
    [Fact]
    public void LstmGatesGetTimeScalesSpreadUpToTheSequenceLength()
    {
        const int h = 256, steps = 784;
        var lstm = new Lstm(1, h, forgetBias: 1f);
        lstm.InitializeChrono(steps, new Rng(3));
        ReadOnlySpan<float> bias = lstm.Bias.Value.Span;
        float maxLog = MathF.Log(steps - 1);
        var forget = new float[h];
        for (int j = 0; j < h; j++)
        {
            forget[j] = bias[h + j] + lstm.ForgetBias; // the forget gate's whole pre-activation bias
            Assert.InRange(forget[j], 0f, maxLog + 1e-5f);
            Assert.Equal(-forget[j], bias[j], 5);      // input gate: −log u
            Assert.Equal(0f, bias[(2 * h) + j]);       // g and o untouched
            Assert.Equal(0f, bias[(3 * h) + j]);
        }

        // log u for u uniform in [1, 783]: the mean of log u is about log 783 − 1 = 5.66; a quarter of the units
        // remember longer than 588 steps (σ(log u) = u / (1 + u)).
        Assert.InRange(forget.Average(), 5.3f, 6.0f);
        Assert.InRange(forget.Count(f => MathF.Exp(f) > 588f) / (float)h, 0.15f, 0.35f);
    }

    [Fact]
    public void GruUpdateGateGetsLogUInItsInputBias()
    {
        const int h = 64;
        var gru = new Gru(2, h);
        gru.BiasHh.Value.Fill(0.5f);
        gru.InitializeChrono(100, new Rng(1));
        for (int j = 0; j < h; j++)
        {
            Assert.InRange(gru.BiasIh.Value.Span[h + j], 0f, MathF.Log(99f) + 1e-5f);
            Assert.Equal(0f, gru.BiasHh.Value.Span[h + j]);       // z's two biases sum to log u
            Assert.Equal(0.5f, gru.BiasHh.Value.Span[j]);         // r untouched
            Assert.Equal(0f, gru.BiasIh.Value.Span[(2 * h) + j]); // n untouched
        }

        Assert.Throws<ArgumentOutOfRangeException>(() => gru.InitializeChrono(2, new Rng(1)));
    }

    [Fact]
    public void AsABiasInitializerItIsInitializeChronoWithAForkTakenAfterTheWeights()
    {
        var rng = new Rng(3);
        var lstm = new Lstm(2, 8, forgetBias: 1f, rng: rng);
        lstm.InitializeChrono(20, rng.Fork());
        var chrono = new Lstm(2, 8, forgetBias: 1f, biasInitializer: new Chrono(20), rng: new Rng(3));
        Assert.Equal(lstm.WeightHh.Value.Data, chrono.WeightHh.Value.Data);
        Assert.Equal(lstm.Bias.Value.Data, chrono.Bias.Value.Data);
        Assert.NotEqual(new Lstm(2, 8, forgetBias: 1f, rng: new Rng(3)).Bias.Value.Data, chrono.Bias.Value.Data);

        rng = new Rng(4);
        var gru = new Gru(2, 8, rng: rng);
        gru.InitializeChrono(20, rng.Fork());
        var gruChrono = new Gru(2, 8, biasInitializer: new Chrono(20), rng: new Rng(4));
        Assert.Equal(gru.BiasIh.Value.Data, gruChrono.BiasIh.Value.Data);
        Assert.Equal(gru.BiasHh.Value.Data, gruChrono.BiasHh.Value.Data);
        Assert.Contains(gruChrono.BiasIh.Value.Data, v => v > 0f);

        // Only a gated layer knows where its gates' biases are.
        var e = Assert.Throws<NotSupportedException>(() => new SimpleRnn(2, 3, biasInitializer: new Chrono(5)));
        Assert.Contains("Chrono initialises the gate biases of an LSTM or a GRU", e.Message);
        Assert.Throws<NotSupportedException>(() => new Dense(2, 3, biasInitializer: new Chrono(5)));
        Assert.Contains("at least 3", Assert.Throws<ArgumentOutOfRangeException>(() => new Chrono(2)).Message);
    }
}
