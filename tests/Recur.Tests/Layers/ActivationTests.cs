using Recur.Layers;
using Recur.Models;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Layers;

public class ActivationTests(ITestOutputHelper output)
{
    public static TheoryData<Activation, bool> Cases => new()
    {
        { Activation.Sigmoid, false }, { Activation.Sigmoid, true },
        { Activation.Tanh, false }, { Activation.Tanh, true },
        { Activation.Relu, false }, { Activation.Relu, true },
        { Activation.Softmax, true },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void DenseWithActivationGradientsMatchFiniteDifferences(Activation activation, bool sequence)
    {
        var model = new Sequential(seed: 3) { new DenseLayer(3, activation) { InputShape = sequence ? [4, 5] : [5] } };
        ILayer layer = model.Layers[0];
        Tensor x = sequence ? GradCheck.Values(1, 1.5f, 2, 4, 5) : GradCheck.Values(1, 1.5f, 3, 5);
        Tensor w = sequence ? GradCheck.Values(2, 1f, 2, 4, 3) : GradCheck.Values(2, 1f, 3, 3);
        double Loss() => GradCheck.Dot(layer.Forward(x, training: true), w);
        Loss();
        foreach (Parameter p in layer.Parameters)
        {
            p.Grad.Fill(0f);
        }

        Tensor dx = layer.Backward(w).Clone();
        GradCheck.Check($"{activation}.x", x, dx, Loss, output);
        foreach (Parameter p in layer.Parameters)
        {
            GradCheck.Check($"{activation}.{p.Name}", p.Value, p.Grad.Clone(), Loss, output);
        }
    }

    [Fact]
    public void ValuesAreTheFunctions()
    {
        Tensor x = Tensor.FromArray([-2f, -0.5f, 0f, 0.5f, 3f], 1, 5);
        foreach (Activation a in new[] { Activation.Sigmoid, Activation.Tanh, Activation.Relu })
        {
            Tensor y = new PointwiseActivation(a).Forward(x);
            for (int i = 0; i < x.Length; i++)
            {
                double v = x.Data[i], expected = a switch
                {
                    Activation.Sigmoid => 1 / (1 + Math.Exp(-v)),
                    Activation.Tanh => Math.Tanh(v),
                    _ => Math.Max(v, 0),
                };
                Assert.True(Math.Abs(y.Data[i] - expected) < 1e-6, $"{a}({v}) = {y.Data[i]}, expected {expected}");
            }
        }
    }

    [Theory]
    [InlineData(Activation.Sigmoid, "sigmoid")]
    [InlineData(Activation.Tanh, "tanh")]
    [InlineData(Activation.Relu, "relu")]
    public void KerasNamesInConfigAndDescribe(Activation activation, string name)
    {
        var model = new Sequential(seed: 1) { new DenseLayer(2, activation) { InputShape = [3] }, new ActivationLayer(activation) };
        string json = Recur.Layers.LayerKinds.Registry.ToJson(model.Configs[0]!).ToJsonString();
        Assert.Contains($"\"activation\":\"{name}\"", json);
        Assert.Equal($"Activation({name})", model.Configs[1]!.Describe());
        Assert.IsType<PointwiseActivation>(model.Layers[1]);
        Assert.Equal(activation, ((ActivationLayer)model.Layers[1].Options!).Activation);
    }

    [Fact]
    public void SavedModelWithActivationsPredictsTheSame()
    {
        using var dir = new TempDirectory();
        var model = new Sequential(seed: 5)
        {
            new LstmLayer(4, ReturnSequences: true) { InputShape = [3, 2] },
            new DenseLayer(3, Activation.Tanh),
            new ActivationLayer(Activation.Relu),
            new DenseLayer(2, Activation.Sigmoid),
        };
        Tensor x = GradCheck.Values(4, 1f, 2, 3, 2);
        Tensor before = model.Predict(x);
        string path = Path.Combine(dir.Path, "m");
        model.Save(path);
        Tensor after = Sequential.Load(path).Predict(x);
        Assert.Equal(before.Data, after.Data);
    }

    [Fact]
    public void SequenceLayersPassTheMaskOn()
    {
        var model = new Sequential(seed: 2) { new DenseLayer(3, Activation.Relu) { InputShape = [4, 2] }, new DenseLayer(2, Activation.Softmax), new ActivationLayer(Activation.Linear) };
        SequenceMask mask = SequenceMask.FromLengths([2, 4], 4);
        model.Forward(GradCheck.Values(1, 1f, 2, 4, 2), mask);
        Assert.Same(mask, model.OutputMask);
        model.Forward(GradCheck.Values(1, 1f, 2, 4, 2));
        Assert.Null(model.OutputMask);
    }
}
