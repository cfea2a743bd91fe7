using Recur.Layers;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Tests.Export;

/// <summary>
/// One model the ONNX tests export: how to build it, what it reads (features, token ids, or features padded with a mask
/// value), and whether its steps are fixed. Every parameter is redrawn uniform in ±0.5 (narrower for wide matrices) (<see cref="Build"/>), so zero biases
/// cannot hide a misplaced gate.
/// </summary>
/// <param name="Name">The case's name, as the theory shows it.</param>
/// <param name="Layers">The layer records after the first layer's input shape.</param>
/// <param name="Features">Features per step (the vocabulary for token ids).</param>
/// <param name="Input">What the model reads.</param>
/// <param name="MaskValue">The padding value of a <c>Masking</c> model.</param>
/// <param name="FixedSteps">The steps of a model built for a fixed length (the tutorial's 28), else null.</param>
internal sealed record OnnxCase(string Name, Func<LayerConfig[]> Layers, int Features, OnnxInput Input = OnnxInput.Features, float MaskValue = 0f, int? FixedSteps = null)
{
    public override string ToString() => Name;

    /// <summary>The model, built, its parameters redrawn from <paramref name="seed"/>.</summary>
    public Sequential Build(ulong seed = 1)
    {
        var model = new Sequential(seed, Name);
        LayerConfig[] layers = Layers();
        int steps = FixedSteps ?? -1; // -1: any length
        model.Add(layers[0] with { InputShape = Input == OnnxInput.Features || Input == OnnxInput.Masked ? [steps, Features] : [steps] });
        foreach (LayerConfig layer in layers.Skip(1))
        {
            model.Add(layer);
        }

        var rng = new Rng(seed, 7);
        foreach (Parameter p in model.Parameters)
        {
            // ±0.5, narrowed for wide matrices (the tutorial's 128 units) so that outputs stay of order 1.
            Span<float> values = p.Value.Span;
            float bound = p.Value.Rank == 2 ? 0.5f * MathF.Min(1f, MathF.Sqrt(8f / p.Value.Dim(1))) : 0.5f;
            for (int i = 0; i < values.Length; i++)
            {
                values[i] = ((2f * rng.NextFloat()) - 1f) * bound;
            }
        }

        return model;
    }

    /// <summary>
    /// A batch <c>[B, T, F]</c> (or ids <c>[B, T]</c>) and each sequence's valid steps: random features in ±1 (ids in
    /// [1, vocabulary), or [0, vocabulary) without a mask); a masked model's steps after its length hold the padding
    /// (the mask value, id 0). Lengths are random in [1, T].
    /// </summary>
    public (Tensor X, int[] Lengths) Data(int batch, int steps, Rng rng)
    {
        var lengths = new int[batch];
        for (int b = 0; b < batch; b++)
        {
            lengths[b] = 1 + (int)(rng.NextFloat() * steps) % steps;
        }

        bool ids = Input is OnnxInput.Ids or OnnxInput.MaskedIds;
        int f = ids ? 1 : Features;
        Tensor x = ids ? new Tensor(batch, steps) : new Tensor(batch, steps, f);
        Span<float> xs = x.Span;
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < steps; t++)
            {
                bool padding = t >= lengths[b] && Input is OnnxInput.Masked or OnnxInput.MaskedIds;
                for (int k = 0; k < f; k++)
                {
                    int at = (((b * steps) + t) * f) + k;
                    xs[at] = Input switch
                    {
                        OnnxInput.Ids => MathF.Floor(rng.NextFloat() * Features),
                        OnnxInput.MaskedIds => padding ? 0f : 1f + MathF.Floor(rng.NextFloat() * (Features - 1)),
                        _ => padding ? MaskValue : (rng.NextFloat() * 2f) - 1f,
                    };
                }
            }
        }

        return (x, lengths);
    }
}
