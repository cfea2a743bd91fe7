using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;

namespace Recur.Tests.Models;

/// <summary>Small models for the tests of saving and loading.</summary>
internal static class SmallModels
{
    /// <summary>A small compiled model, one training step in, so that all three of its files exist; its weights depend on <paramref name="seed"/>.</summary>
    public static Sequential Trained(ulong seed, int hidden = 4)
    {
        var rng = new Rng(seed);
        var model = new Sequential { new Lstm(3, hidden, rng: rng), new Dense(hidden, 2, rng: rng) };
        model.Compile(new SoftmaxCrossEntropy(), new Adam(0.01));
        var x = new Tensor(4, 5, 3);
        var y = new Tensor(4, 2);
        for (int i = 0; i < x.Length; i++)
        {
            x.Data[i] = (float)rng.NextGaussian();
        }

        for (int b = 0; b < 4; b++)
        {
            y.Data[b * 2 + b % 2] = 1f;
        }

        model.TrainOnBatch(x, y);
        return model;
    }
}
