using Recur.Layers;
using Recur.Optimizers;
using Recur.Tensors;

namespace Recur.Tests.Layers;

/// <summary>
/// <see cref="Gru"/> and <see cref="SimpleRnn"/> training gives the bits of one thread on 2 and 3 (as
/// <see cref="ThreadingTests"/> for the LSTM; in its collection, so it runs alone).
/// </summary>
[Collection(nameof(ThreadingTests))]
public class RecurrentThreadingTests
{
    public static TheoryData<string, int, int, int, bool> Cases()
    {
        var cases = new TheoryData<string, int, int, int, bool>();
        foreach (string kind in RecurrentLayerTests.Kinds)
        {
            cases.Add(kind, 28, 41, 20, false);  // the tutorial's rows, an odd batch of uneven shards
            cases.Add(kind, 1, 23, 20, true);    // pixel-like input (the dot-product input gradient), every step's output
            cases.Add(kind, 5, 151, 40, false);  // a larger odd batch
            cases.Add(kind, 28, 17, 130, true);  // wider layers
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TrainingIsBitIdenticalForAnyThreadCountAndRepeatable(string kind, int input, int batch, int hidden, bool returnSequences) =>
        AssertSameBitsOnAnyThreads(threads => Train(threads, kind, input, batch, hidden, returnSequences));

    /// <summary>Runs <paramref name="train"/> twice on 1 thread, then on 2 and 3, and asserts every run gives the first's bits.</summary>
    internal static void AssertSameBitsOnAnyThreads(Func<int, float[]> train)
    {
        float[] one = train(1);
        Bits.AssertEqual(one, train(1), "second run on 1 thread");
        Bits.AssertEqual(one, train(2), "2 threads");
        Bits.AssertEqual(one, train(3), "3 threads");
    }

    /// <summary>Three Adam steps of the layer (with an initial state) and a Dense head; returns every weight, the outputs and the last gradients.</summary>
    private static float[] Train(int threads, string kind, int input, int batch, int hidden, bool returnSequences)
    {
        const int Steps = 6;
        int saved = Threading.t_override;
        Threading.t_override = threads;
        try
        {
            var rng = new Rng(3);
            RecurrentLayer<Tensor> layer = RecurrentLayerTests.Create(kind, input, hidden, returnSequences, rng);
            var dense = new Dense(hidden, 4, rng: rng);
            Parameter[] parameters = [.. layer.Parameters, .. dense.Parameters];
            var adam = new Adam(0.01);
            Tensor x = GradCheck.Values(1, 1f, batch, Steps, input), h0 = GradCheck.Values(2, 0.5f, batch, hidden);
            var all = new List<float>();
            for (int step = 0; step < 3; step++)
            {
                adam.ZeroGrad(parameters);
                Tensor y = layer.Forward(x, h0, true);
                all.AddRange(y.Data);
                Tensor logits = dense.Forward(y, training: true);
                // d(loss)/d(logits): the logits themselves (loss = ½‖logits‖²), enough to exercise every gradient.
                all.AddRange(layer.Backward(dense.Backward(logits.Clone()), layer.FinalState.Clone()).Data);
                all.AddRange(layer.InitialStateGradient.Data);
                adam.Step(parameters);
            }

            all.AddRange(layer.Forward(x, h0, false).Data); // inference, on the same shards
            foreach (Parameter p in parameters)
            {
                all.AddRange(p.Value.Data);
            }

            return [.. all];
        }
        finally
        {
            Threading.t_override = saved;
        }
    }
}
