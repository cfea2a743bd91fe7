using Recur.Layers;
using Recur.Optimizers;
using Recur.Tensors;

namespace Recur.Tests.Layers;

/// <summary>
/// Training with <c>dropout</c> and <c>recurrent_dropout</c> gives the bits of one thread on 2 and 3, and the same bits
/// again from the same seed (as <see cref="RecurrentThreadingTests"/>; in its collection, so it runs alone).
/// </summary>
[Collection(nameof(ThreadingTests))]
public class RecurrentDropoutThreadingTests
{
    public static TheoryData<string, int, int, int, bool> Cases()
    {
        var cases = new TheoryData<string, int, int, int, bool>();
        foreach (string kind in RecurrentDropoutTests.Kinds)
        {
            cases.Add(kind, 28, 41, 20, false); // the tutorial's rows, an odd batch of uneven shards
            cases.Add(kind, 1, 23, 20, true);   // pixel-like input (the dot-product input gradient), every step's output
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void TrainingWithDropoutMasksIsBitIdenticalForAnyThreadCountAndRepeatable(string kind, int input, int batch, int hidden, bool returnSequences) =>
        RecurrentThreadingTests.AssertSameBitsOnAnyThreads(threads => Train(threads, kind, input, batch, hidden, returnSequences));

    /// <summary>Three Adam steps of the layer with both masks (from an initial state) and a Dense head; returns every weight, output, mask and gradient.</summary>
    private static float[] Train(int threads, string kind, int input, int batch, int hidden, bool returnSequences)
    {
        const int Steps = 6;
        int saved = Threading.t_override;
        Threading.t_override = threads;
        try
        {
            var rng = new Rng(3);
            RecurrentLayer layer = RecurrentDropoutTests.Create(kind, input, hidden, returnSequences, rng);
            (layer.Dropout, layer.RecurrentDropout) = (0.25f, 0.35f);
            var dense = new Dense(hidden, 4, rng: rng);
            Parameter[] parameters = [.. layer.Parameters, .. dense.Parameters];
            var adam = new Adam(0.01);
            Tensor x = GradCheck.Values(1, 1f, batch, Steps, input), h0 = GradCheck.Values(2, 0.5f, batch, hidden), c0 = GradCheck.Values(3, 0.5f, batch, hidden);
            var all = new List<float>();
            for (int step = 0; step < 3; step++)
            {
                adam.ZeroGrad(parameters);
                Tensor y = RecurrentDropoutTests.Forward(layer, x, h0, c0, true);
                all.AddRange(y.Data);
                all.AddRange(layer.Loop.RecurrentDropoutMask!.Data);
                Tensor logits = dense.Forward(y, training: true);
                Tensor dh = RecurrentDropoutTests.States(layer, false).H.Clone();
                all.AddRange(RecurrentDropoutTests.Backward(layer, dense.Backward(logits.Clone()), dh, null).Data);
                all.AddRange(RecurrentDropoutTests.States(layer, true).DH0.Data);
                adam.Step(parameters);
            }

            all.AddRange(RecurrentDropoutTests.Forward(layer, x, h0, c0, false).Data); // inference, on the same shards
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
