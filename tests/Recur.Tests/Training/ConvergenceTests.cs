using Recur.Layers;
using Recur.Losses;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Tests.Layers;
using Xunit.Abstractions;

namespace Recur.Tests.Training;

/// <summary>
/// End to end on a synthetic task (MNIST convergence belongs to the data and CLI work): the label of a
/// sequence is the sign of the running sum of its first feature, which a recurrent layer must carry across all steps.
/// </summary>
public class ConvergenceTests(ITestOutputHelper output)
{
    private static (Tensor X, int[] Labels) Task(Rng rng, int n, int steps)
    {
        var x = new Tensor(n, steps, 2);
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            double sum = 0;
            for (int s = 0; s < steps; s++)
            {
                float v = (float)rng.NextGaussian();
                x[i, s, 0] = v;
                x[i, s, 1] = (float)rng.NextGaussian(); // a distractor
                sum += v;
            }

            labels[i] = sum > 0 ? 1 : 0;
        }

        return (x, labels);
    }

    [Fact]
    public void LstmLearnsASequenceSumWithAdam()
    {
        var rng = new Rng(2024);
        var model = new LstmClassifier(new Lstm(2, 16, forgetBias: 1f, rng: rng), new Dense(16, 2, rng: rng));
        var adam = new Adam(0.01);
        (Tensor test, int[] testLabels) = Task(rng, 500, 10);

        float first = 0, last = 0;
        for (int step = 0; step < 300; step++)
        {
            (Tensor x, int[] y) = Task(rng, 32, 10);
            float l = model.TrainStep(x, y, adam, clipNorm: 5f);
            if (step == 0)
            {
                first = l;
            }

            last = l;
        }

        float accuracy = Accuracy.FromClasses(model.Logits(test), testLabels);
        output.WriteLine($"loss {first:F4} → {last:F4}, held-out accuracy {accuracy:F3}");
        // Chance is 0.5; the task is learnable to near 1. 0.9 leaves room for seeds, not for a broken backward.
        Assert.True(accuracy >= 0.9f, $"held-out accuracy {accuracy:F3} < 0.9");
        Assert.True(last < first / 2, $"loss went from {first} to {last}");
    }

    [Theory]
    [MemberData(nameof(RecurrentLayerTests.Kinds), MemberType = typeof(RecurrentLayerTests))]
    public void GruAndSimpleRnnLearnASequenceSumWithAdam(string kind)
    {
        var rng = new Rng(2024);
        RecurrentLayer<Tensor> layer = RecurrentLayerTests.Create(kind, 2, 16, rng: rng);
        var dense = new Dense(16, 2, rng: rng);
        Parameter[] parameters = [.. layer.Parameters, .. dense.Parameters];
        var loss = new SoftmaxCrossEntropy();
        var adam = new Adam(0.01);
        (Tensor test, int[] testLabels) = Task(rng, 500, 10);

        float first = 0, last = 0;
        for (int step = 0; step < 300; step++)
        {
            (Tensor x, int[] y) = Task(rng, 32, 10);
            adam.ZeroGrad(parameters);
            last = loss.Forward(dense.Forward(layer.Forward(x, training: true), training: true), y);
            layer.Backward(dense.Backward(loss.Gradient));
            GradientClipping.ClipByGlobalNorm(parameters, 5f);
            adam.Step(parameters);
            first = step == 0 ? last : first;
        }

        float accuracy = Accuracy.FromClasses(dense.Forward(layer.Forward(test)), testLabels);
        output.WriteLine($"{kind}: loss {first:F4} → {last:F4}, held-out accuracy {accuracy:F3}");
        Assert.True(accuracy >= 0.9f, $"held-out accuracy {accuracy:F3} < 0.9");
        Assert.True(last < first / 2, $"loss went from {first} to {last}");
    }

    [Fact]
    public void SameSeedGivesBitIdenticalWeights()
    {
        float[] Train()
        {
            var rng = new Rng(7);
            var model = new LstmClassifier(new Lstm(2, 8, rng: rng), new Dense(8, 2, rng: rng));
            var adam = new Adam(0.01);
            for (int step = 0; step < 20; step++)
            {
                (Tensor x, int[] y) = Task(rng, 16, 6);
                model.TrainStep(x, y, adam);
            }

            return [.. model.Lstm.WeightHh.Value.Data, .. model.Dense.Weight.Value.Data];
        }

        Assert.Equal(Train(), Train());
    }
}
