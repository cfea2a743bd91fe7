using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;

namespace Recur.Layers;

/// <summary>
/// The weights of a <see cref="RecurrentLayout.Stacked"/> layer (<see cref="Lstm"/>, <see cref="SimpleRnn"/>) side by
/// side, <c>[W_ih, W_hh, bias] [G, I + H + 1]</c>, and their gradients back into the three parameters.
/// </summary>
internal static class StackedWeights
{
    /// <summary>Writes <c>[W_ih [G, I], W_hh [G, H], bias [G]]</c> into <paramref name="weights"/> <c>[G, I + H + 1]</c>.</summary>
    public static void Fill(Span<float> weights, Parameter weightIh, Parameter weightHh, Parameter bias)
    {
        int gates = weightIh.Value.Dim(0), i = weightIh.Value.Dim(1), h = weightHh.Value.Dim(1), ld = i + h + 1;
        ReadOnlySpan<float> wih = weightIh.Value.Span, whh = weightHh.Value.Span, b = bias.Value.Span;
        for (int g = 0; g < gates; g++)
        {
            wih.Slice(g * i, i).CopyTo(weights.Slice(g * ld, i));
            whh.Slice(g * h, h).CopyTo(weights.Slice((g * ld) + i, h));
            weights[(g * ld) + i + h] = b[g];
        }
    }

    /// <summary>Adds <paramref name="gradient"/> <c>d[W_ih, W_hh, bias] [G, I + H + 1]</c> into the three parameters' gradients.</summary>
    public static void AddGradients(ReadOnlySpan<float> gradient, Parameter weightIh, Parameter weightHh, Parameter bias)
    {
        int gates = weightIh.Value.Dim(0), i = weightIh.Value.Dim(1), h = weightHh.Value.Dim(1), ld = i + h + 1;
        Span<float> dWih = weightIh.Grad.Span, dWhh = weightHh.Grad.Span, dBias = bias.Grad.Span;
        for (int g = 0; g < gates; g++)
        {
            // dW_ih[g] += d[g, :I]; dW_hh[g] += d[g, I:I + H]; dbias[g] += d[g, I + H]
            ReadOnlySpan<float> row = gradient.Slice(g * ld, ld);
            TensorPrimitives.Add(dWih.Slice(g * i, i), row[..i], dWih.Slice(g * i, i));
            TensorPrimitives.Add(dWhh.Slice(g * h, h), row.Slice(i, h), dWhh.Slice(g * h, h));
            dBias[g] += row[i + h];
        }
    }

    /// <summary>
    /// Writes the weights of a <see cref="RecurrentLayout.Normalized"/> layout into <paramref name="weights"/>
    /// <c>[G, I + H]</c>: <c>W_ih [P, I]</c> in rows <c>[0, P)</c>, columns <c>[0, I)</c>; <c>W_hh [P, H]</c> in rows
    /// <c>[P, 2P)</c>, columns <c>[I, I + H)</c>; zeros elsewhere.
    /// </summary>
    public static void FillApart(Span<float> weights, Parameter weightIh, Parameter weightHh)
    {
        int gates = weightIh.Value.Dim(0), i = weightIh.Value.Dim(1), h = weightHh.Value.Dim(1), ld = i + h;
        ReadOnlySpan<float> wih = weightIh.Value.Span, whh = weightHh.Value.Span;
        weights.Clear();
        for (int g = 0; g < gates; g++)
        {
            wih.Slice(g * i, i).CopyTo(weights.Slice(g * ld, i));
            whh.Slice(g * h, h).CopyTo(weights.Slice(((gates + g) * ld) + i, h));
        }
    }

    /// <summary>Adds the two gradient blocks of a <see cref="RecurrentLayout.Normalized"/> layout, <c>dW_ih [P, I]</c> and <c>dW_hh [P, H]</c>, into the weights' gradients.</summary>
    public static void AddGradientsApart(RecurrentLoop loop, Parameter weightIh, Parameter weightHh)
    {
        Span<float> dWih = weightIh.Grad.Span, dWhh = weightHh.Grad.Span;
        TensorPrimitives.Add(dWih, loop.WeightGradient(0), dWih);
        TensorPrimitives.Add(dWhh, loop.WeightGradient(1), dWhh);
    }
}
