using Recur.Layers;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Layers;

/// <summary>
/// Sequence masks in the recurrent layers (Keras's semantics, PyTorch's lengths): against an oracle that runs each
/// sequence alone on its valid steps, against finite differences, across thread counts, and a full mask against none.
/// </summary>
public class MaskedRecurrentTests(ITestOutputHelper output)
{
    public static TheoryData<string> Kinds => ["lstm", "gru", "rnn_tanh", "rnn_relu", "lstm_ln", "gru_ln"];

    /// <summary>The mask patterns: lengths (padding at the end), padding in front (Keras's pad_sequences), holes.</summary>
    public static TheoryData<string, string> KindsAndPatterns()
    {
        var cases = new TheoryData<string, string>();
        foreach (string kind in new[] { "lstm", "gru", "rnn_tanh", "rnn_relu", "lstm_ln", "gru_ln" })
        {
            foreach (string pattern in new[] { "lengths", "front", "holes" })
            {
                cases.Add(kind, pattern);
            }
        }

        return cases;
    }

    private static RecurrentLayer Create(string kind, int input, int hidden, bool returnSequences, int seed) => kind.StartsWith("lstm", StringComparison.Ordinal)
        ? new Lstm(input, hidden, forgetBias: 0.5f, returnSequences: returnSequences, rng: new Rng((ulong)seed), layerNorm: kind == "lstm_ln")
        : RecurrentLayerTests.Create(kind, input, hidden, returnSequences, new Rng((ulong)seed));

    /// <summary>A mask of <paramref name="b"/> × <paramref name="t"/> with lengths 1 … t in a scrambled order, laid out by <paramref name="pattern"/>.</summary>
    internal static SequenceMask MakeMask(string pattern, int b, int t, int seed = 0)
    {
        var mask = new SequenceMask(b, t);
        var rng = new Rng((ulong)(seed + 100));
        for (int i = 0; i < b; i++)
        {
            int len = i == 0 ? t : i == 1 ? 1 : 1 + (int)(rng.NextFloat() * t);
            len = Math.Min(len, t);
            for (int s = 0; s < t; s++)
            {
                bool valid = pattern switch
                {
                    "lengths" => s < len,
                    "front" => s >= t - len,
                    _ => i == 0 || (i == 1 ? s == t / 2 : ((s * 7) + i) % 3 != 0 || s == t - 1),
                };
                mask.Set(i, s, valid);
            }
        }

        mask.Seal();
        return mask;
    }

    /// <summary>Runs a layer forward on <paramref name="x"/> under <paramref name="mask"/>, returning a copy of the output.</summary>
    private static Tensor Run(RecurrentLayer layer, Tensor x, SequenceMask? mask, bool training)
    {
        layer.InputMask = mask;
        return layer.Forward(x, training).Clone();
    }

    /// <summary>Sequence <paramref name="i"/>'s valid steps of <paramref name="x"/>, compacted: <c>[1, len, I]</c>.</summary>
    private static Tensor Compact(Tensor x, SequenceMask mask, int i)
    {
        int t = x.Dim(1), f = x.Dim(2);
        var result = new Tensor(1, mask.Length(i), f);
        for (int s = 0, k = 0; s < t; s++)
        {
            if (mask.IsValid(i, s))
            {
                x.Span.Slice(((i * t) + s) * f, f).CopyTo(result.Span.Slice(k++ * f, f));
            }
        }

        return result;
    }

    [Theory]
    [MemberData(nameof(KindsAndPatterns))]
    public void MaskedBatchEqualsEachSequenceRunAloneOnItsValidSteps(string kind, string pattern)
    {
        const int b = 11, t = 9, input = 5, hidden = 6;
        RecurrentLayer masked = Create(kind, input, hidden, returnSequences: true, seed: 3);
        RecurrentLayer single = Create(kind, input, hidden, returnSequences: true, seed: 3);
        Tensor x = GradCheck.Values(1, 1f, b, t, input);
        Tensor dy = GradCheck.Values(2, 1f, b, t, hidden);
        SequenceMask mask = MakeMask(pattern, b, t);
        Assert.Equal(pattern == "lengths", mask.IsPrefix);

        Tensor y = Run(masked, x, mask, training: true);
        Tensor dx = masked.Backward(dy).Clone();
        var expectedGrads = masked.Parameters.Select(p => new Tensor(p.Value.Shape.ToArray())).ToArray();
        double worstY = 0, worstDx = 0;
        for (int i = 0; i < b; i++)
        {
            Tensor xi = Compact(x, mask, i);
            int len = xi.Dim(1);
            foreach (Parameter p in single.Parameters)
            {
                p.Grad.Fill(0f);
            }

            Tensor yi = Run(single, xi, null, training: true);
            var dyi = new Tensor(1, len, hidden);
            int k = -1;
            for (int s = 0; s < t; s++)
            {
                k += mask.IsValid(i, s) ? 1 : 0;
                ReadOnlySpan<float> got = y.Span.Slice(((i * t) + s) * hidden, hidden);
                for (int j = 0; j < hidden; j++)
                {
                    // Keras: a masked step repeats the previous output, zeros before the first valid step.
                    float expected = k < 0 ? 0f : yi.Span[(k * hidden) + j];
                    worstY = Math.Max(worstY, Math.Abs(got[j] - expected));
                    if (k >= 0)
                    {
                        dyi.Span[(k * hidden) + j] += dy.Span[(((i * t) + s) * hidden) + j];
                    }
                }
            }

            Tensor dxi = single.Backward(dyi);
            for (int s = 0, kk = 0; s < t; s++)
            {
                for (int j = 0; j < input; j++)
                {
                    float expected = mask.IsValid(i, s) ? dxi.Span[(kk * input) + j] : 0f;
                    worstDx = Math.Max(worstDx, Math.Abs(dx.Span[(((i * t) + s) * input) + j] - expected));
                }

                kk += mask.IsValid(i, s) ? 1 : 0;
            }

            for (int p = 0; p < expectedGrads.Length; p++)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(expectedGrads[p].Span, single.Parameters[p].Grad.Span, expectedGrads[p].Span);
            }
        }

        output.WriteLine($"{kind} {pattern}: max |y − alone| = {worstY:E2}, max |dx − alone| = {worstDx:E2}");
        Assert.True(worstY <= 1e-6, $"outputs differ by {worstY}");
        // The test sums a masked stretch's dy before it reaches dh, the layer adds it step by step: a rounding apart, which
        // a normalisation (×1/σ) amplifies.
        Assert.True(worstDx <= (kind.EndsWith("_ln", StringComparison.Ordinal) ? 1e-5 : 1e-6), $"input gradients differ by {worstDx}");
        for (int p = 0; p < expectedGrads.Length; p++)
        {
            double worst = MaxDifference(masked.Parameters[p].Grad, expectedGrads[p]);
            output.WriteLine($"  d{masked.Parameters[p].Name}: max |masked − Σ alone| = {worst:E2}");
            Assert.True(worst <= 1e-5, $"d{masked.Parameters[p].Name} differs by {worst}");
        }
    }

    [Theory]
    [MemberData(nameof(KindsAndPatterns))]
    public void LastOutputAndFinalStateAreEachSequencesLastValidStep(string kind, string pattern)
    {
        const int b = 7, t = 6, input = 3, hidden = 4;
        RecurrentLayer last = Create(kind, input, hidden, returnSequences: false, seed: 5);
        RecurrentLayer all = Create(kind, input, hidden, returnSequences: true, seed: 5);
        Tensor x = GradCheck.Values(3, 1f, b, t, input);
        SequenceMask mask = MakeMask(pattern, b, t, seed: 1);
        foreach (bool training in new[] { true, false })
        {
            Tensor y = Run(last, x, mask, training);
            Tensor ys = Run(all, x, mask, training);
            for (int i = 0; i < b; i++)
            {
                // The output after a sequence's last valid step repeats it to the end: step T − 1 holds it.
                Assert.Equal(ys.Span.Slice(((i * t) + t - 1) * hidden, hidden).ToArray(), y.Span.Slice(i * hidden, hidden).ToArray());
            }

            Tensor finalH = last is Lstm lstm ? lstm.FinalState.H : ((RecurrentLayer<Tensor>)last).FinalState;
            Assert.Equal(y.Span.ToArray(), finalH.Span.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void FullMaskGivesTheBitsOfNoMask(string kind)
    {
        const int b = 5, t = 4, input = 3, hidden = 4;
        RecurrentLayer a = Create(kind, input, hidden, returnSequences: true, seed: 9);
        RecurrentLayer c = Create(kind, input, hidden, returnSequences: true, seed: 9);
        Tensor x = GradCheck.Values(4, 1f, b, t, input);
        Tensor dy = GradCheck.Values(5, 1f, b, t, hidden);
        Tensor y1 = Run(a, x, null, training: true);
        Tensor dx1 = a.Backward(dy).Clone();
        Tensor y2 = Run(c, x, SequenceMask.FromLengths([4, 4, 4, 4, 4], t), training: true);
        Tensor dx2 = c.Backward(dy).Clone();
        Assert.Equal(y1.Span.ToArray(), y2.Span.ToArray());
        Assert.Equal(dx1.Span.ToArray(), dx2.Span.ToArray());
        for (int p = 0; p < a.Parameters.Count; p++)
        {
            Assert.Equal(a.Parameters[p].Grad.Span.ToArray(), c.Parameters[p].Grad.Span.ToArray());
        }
    }

    /// <summary>
    /// Smooth cells only: central differences with ε = 1e-2 straddle relu's kink somewhere among this many
    /// pre-activations; the masked relu path is checked against the unmasked one (above), which has its own check.
    /// </summary>
    public static TheoryData<string, string> SmoothKindsAndPatterns()
    {
        var cases = new TheoryData<string, string>();
        foreach (string kind in new[] { "lstm", "gru", "rnn_tanh", "lstm_ln", "gru_ln" })
        {
            foreach (string pattern in new[] { "lengths", "front", "holes" })
            {
                cases.Add(kind, pattern);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(SmoothKindsAndPatterns))]
    public void MaskedGradientsMatchFiniteDifferences(string kind, string pattern)
    {
        const int b = 4, t = 5, input = 3, hidden = 3;
        foreach (bool returnSequences in new[] { true, false })
        {
            // A normalisation is scale-invariant, so its curvature grows as 1/|W·h|: a layer-normalised cell needs inputs
            // and weights of order 1 for central differences with ε = 1e-2 to be accurate (LayerNormTests).
            bool normalized = kind.EndsWith("_ln", StringComparison.Ordinal);
            RecurrentLayer layer = Create(kind, input, hidden, returnSequences, seed: 7);
            RecurrentLayerTests.SetWeights(layer, normalized ? 1f : 0.5f, seed: 30);
            foreach (Parameter gain in layer.Parameters.Where(p => p.Name.EndsWith("_gain", StringComparison.Ordinal)))
            {
                // Gains near 1, as trained ones are: a gain near 0 flattens a normalisation's output and with it h.
                System.Numerics.Tensors.TensorPrimitives.Add(GradCheck.Values(gain.Name.Length, 0.4f, gain.Value.Length).Span, 1f, gain.Value.Span);
            }
            layer.ComputeInputGradient = true;
            Tensor x = GradCheck.Values(6, normalized ? 2f : 1f, b, t, input);
            Tensor dy = returnSequences ? GradCheck.Values(7, 1f, b, t, hidden) : GradCheck.Values(7, 1f, b, hidden);
            SequenceMask mask = MakeMask(pattern, b, t, seed: 2);
            layer.InputMask = mask;
            foreach (Parameter p in layer.Parameters)
            {
                p.Grad.Fill(0f);
            }

            CheckGradients($"{kind} {pattern}", layer, x, dy);
        }
    }

    /// <summary>One training pass of <paramref name="layer"/> (its mask set), then dx and every parameter's gradient against finite differences of <c>Σ y·dy</c>.</summary>
    private void CheckGradients(string what, ILayer layer, Tensor x, Tensor dy)
    {
        layer.Forward(x, training: true);
        Tensor dx = layer.Backward(dy).Clone();
        double Loss() => GradCheck.Dot(layer.Forward(x), dy);
        GradCheck.Check($"{what} dx", x, dx, Loss, output);
        foreach (Parameter p in layer.Parameters)
        {
            GradCheck.Check($"{what} d{p.Name}", p.Value, p.Grad.Clone(), Loss, output);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void MaskedTrainingGivesTheSameBitsOnAnyThreadCount(string kind)
    {
        const int b = 37, t = 12, input = 10, hidden = 16;
        Tensor x = GradCheck.Values(8, 1f, b, t, input);
        Tensor dy = GradCheck.Values(9, 1f, b, t, hidden);
        SequenceMask mask = MakeMask("holes", b, t, seed: 3);
        float[]? reference = null;
        foreach (int threads in new[] { 1, 2, 3 })
        {
            int saved = Threading.t_override;
            Threading.t_override = threads;
            try
            {
                RecurrentLayer layer = Create(kind, input, hidden, returnSequences: true, seed: 11);
                layer.ComputeInputGradient = true;
                layer.Dropout = 0.2f;
                layer.RecurrentDropout = 0.3f;
                float[] bits = [.. Run(layer, x, mask, training: true).Span, .. layer.Backward(dy).Span, .. layer.Parameters.SelectMany(p => p.Grad.Span.ToArray())];
                if (reference is null)
                {
                    reference = bits;
                }
                else
                {
                    Assert.Equal(reference, bits);
                }
            }
            finally
            {
                Threading.t_override = saved;
            }
        }
    }

    [Theory]
    [InlineData("lengths", true)]
    [InlineData("holes", true)]
    [InlineData("lengths", false)]
    [InlineData("front", false)]
    public void MaskedBidirectionalEqualsEachSequenceRunAlone(string pattern, bool returnSequences)
    {
        // PyTorch's packed bidirectional: the backward direction starts at each sequence's own last valid step.
        const int b = 6, t = 7, input = 3, hidden = 4;
        Bidirectional Make() => new(
            new Lstm(input, hidden, forgetBias: 0f, returnSequences: returnSequences, rng: new Rng(1), name: "forward_lstm"),
            new Lstm(input, hidden, forgetBias: 0f, returnSequences: returnSequences, rng: new Rng(2), name: "backward_lstm"));
        Bidirectional masked = Make(), single = Make();
        Tensor x = GradCheck.Values(10, 1f, b, t, input);
        SequenceMask mask = MakeMask(pattern, b, t, seed: 4);
        masked.InputMask = mask;
        Tensor y = masked.Forward(x).Clone();
        int o = 2 * hidden;
        for (int i = 0; i < b; i++)
        {
            Tensor xi = Compact(x, mask, i);
            Tensor yi = single.Forward(xi);
            int len = xi.Dim(1);
            if (!returnSequences)
            {
                Assert.Equal(yi.Span.ToArray(), y.Span.Slice(i * o, o).ToArray());
                continue;
            }

            for (int s = 0, k = -1; s < t; s++)
            {
                bool valid = mask.IsValid(i, s);
                k += valid ? 1 : 0;
                ReadOnlySpan<float> got = y.Span.Slice(((i * t) + s) * o, o);
                // Forward half: the last valid output so far (zeros before any); backward half: at a valid step its own
                // output, at a masked step the output of the next valid step (zeros after the last).
                float[] forward = k < 0 ? new float[hidden] : yi.Span.Slice((k * o), hidden).ToArray();
                int next = valid ? k : k + 1;
                float[] backward = next >= len ? new float[hidden] : yi.Span.Slice((next * o) + hidden, hidden).ToArray();
                Assert.Equal(forward, got[..hidden].ToArray());
                Assert.Equal(backward, got[hidden..].ToArray());
            }
        }
    }

    [Theory]
    [InlineData("lengths", true)]
    [InlineData("holes", false)]
    public void MaskedBidirectionalGradientsMatchFiniteDifferences(string pattern, bool returnSequences)
    {
        const int b = 3, t = 5, input = 2, hidden = 3;
        var bi = new Bidirectional(
            new Gru(input, hidden, returnSequences, rng: new Rng(1), name: "forward_gru"),
            new Gru(input, hidden, returnSequences, rng: new Rng(2), name: "backward_gru"),
            BidirectionalMerge.Sum);
        Tensor x = GradCheck.Values(11, 1f, b, t, input);
        Tensor dy = returnSequences ? GradCheck.Values(12, 1f, b, t, hidden) : GradCheck.Values(12, 1f, b, hidden);
        bi.InputMask = MakeMask(pattern, b, t, seed: 5);
        CheckGradients($"bidirectional {pattern}", bi, x, dy);
    }

    [Fact]
    public void AMaskedTrainingStepAllocatesNothingAfterWarmUp()
    {
        const int b = 9, t = 7, input = 4, hidden = 5;
        var bi = new Bidirectional(
            new Lstm(input, hidden, returnSequences: true, rng: new Rng(1), name: "forward_lstm") { Dropout = 0.2f },
            new Lstm(input, hidden, returnSequences: true, rng: new Rng(2), name: "backward_lstm") { RecurrentDropout = 0.2f })
        {
            InputMask = MakeMask("holes", b, t),
        };
        Tensor x = GradCheck.Values(13, 1f, b, t, input);
        Tensor dy = GradCheck.Values(14, 1f, b, t, 2 * hidden);
        long allocated = SingleThread.AllocatedAfterWarmUp(() =>
        {
            bi.Forward(x, training: true);
            bi.Backward(dy);
        });
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void AMaskOfAnotherShapeIsRefused()
    {
        var lstm = new Lstm(3, 4) { InputMask = SequenceMask.FromLengths([1, 2], 5) };
        var e = Assert.Throws<ArgumentException>(() => lstm.Forward(new Tensor(2, 4, 3)));
        Assert.Contains("mask is [2, 5]", e.Message);
    }

    private static double MaxDifference(Tensor a, Tensor b)
    {
        double worst = 0;
        for (int i = 0; i < a.Length; i++)
        {
            worst = Math.Max(worst, Math.Abs(a.Span[i] - b.Span[i]));
        }

        return worst;
    }
}
