using Recur.Layers;
using Recur.Models;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Layers;

/// <summary>
/// The Legendre Memory Unit: its matrix exponential and zero-order hold in double, both forms against each other,
/// finite differences for every parameter and the input in both forms, the PyTorch fixtures of
/// <c>tools/make_lmu_fixtures.py</c>, bad options, and a save/load round trip.
/// </summary>
public class LmuTests(ITestOutputHelper output)
{
    [Fact]
    public void ExpOfARotationGeneratorIsTheRotation()
    {
        // exp([[0, −a], [a, 0]]) = [[cos a, −sin a], [sin a, cos a]]; a = 7 needs squarings.
        double a = 7;
        double[] e = LegendreMemory.Exp([0, -a, a, 0], 2);
        double[] expected = [Math.Cos(a), -Math.Sin(a), Math.Sin(a), Math.Cos(a)];
        double worst = e.Zip(expected, (x, y) => Math.Abs(x - y)).Max();
        output.WriteLine($"exp(rotation generator) largest difference {worst:E2}");
        Assert.True(worst < 1e-13, $"largest difference {worst:E2}");
    }

    [Fact]
    public void ExpOfTheLegendreMatrixTimesExpOfItsNegativeIsTheIdentity()
    {
        int n = 12;
        (double[] a, _) = LegendreMemory.Continuous(n, 10);
        double[] e = LegendreMemory.Exp(a, n), f = LegendreMemory.Exp([.. a.Select(v => -v)], n);
        double worst = 0;
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j < n; j++)
            {
                double s = 0;
                for (int k = 0; k < n; k++)
                {
                    s += e[(i * n) + k] * f[(k * n) + j];
                }

                worst = Math.Max(worst, Math.Abs(s - (i == j ? 1 : 0)));
            }
        }

        output.WriteLine($"|e^A e^−A − I| largest {worst:E2} (order {n})");
        Assert.True(worst < 1e-11, $"largest {worst:E2}");
    }

    [Fact]
    public void ZeroOrderHoldSatisfiesABBarEqualsABarMinusIdentityB()
    {
        foreach ((int order, double theta) in new[] { (6, 8.0), (64, 784.0), (256, 784.0) })
        {
            (double[] a, double[] b) = LegendreMemory.Continuous(order, theta);
            (double[] aBar, double[] bBar) = LegendreMemory.Discrete(order, theta);
            double worst = 0, scale = 0;
            for (int i = 0; i < order; i++)
            {
                double left = 0, right = 0;
                for (int k = 0; k < order; k++)
                {
                    left += a[(i * order) + k] * bBar[k];
                    right += (aBar[(i * order) + k] - (i == k ? 1 : 0)) * b[k];
                }

                worst = Math.Max(worst, Math.Abs(left - right));
                scale = Math.Max(scale, Math.Abs(right));
            }

            output.WriteLine($"order {order}, θ {theta}: |A·B̄ − (Ā − I)·B| largest {worst:E2} (entries up to {scale:E2})");
            Assert.True(worst < 1e-12 * Math.Max(1, scale), $"order {order}: largest {worst:E2}");
        }
    }

    [Fact]
    public void MatricesMatchTorchMatrixExp()
    {
        var f = Fixture.Load("lmu_matrices.json");
        var layer = new Lmu(1, (int)f.Config("order"), (float)f.Config("theta"));
        int d = layer.Order;
        f.AssertClose("a_bar", new Tensor(layer.DiscreteA, d, d), 1e-6, output);
        f.AssertClose("b_bar", new Tensor(layer.DiscreteB, d), 1e-6, output);
    }

    [Theory]
    [InlineData("lmu_all_options.json")]
    [InlineData("lmu_hidden_last.json")]
    [InlineData("lmu_memory_last.json")]
    [InlineData("lmu_memory_sequences.json")]
    public void MatchesTheEquationsInPyTorch(string fixture)
    {
        var f = Fixture.Load(fixture);
        int units = (int)f.Config("units");
        var layer = new Lmu(
            (int)f.Config("input_size"), (int)f.Config("order"), (float)f.Config("theta"), units == 0 ? null : units,
            f.Config("hidden_to_memory") == 1, f.Config("memory_to_memory") == 1, f.Config("input_to_hidden") == 1,
            f.Config("return_sequences") == 1);
        foreach (Parameter p in layer.Parameters)
        {
            f[p.Name].Span.CopyTo(p.Value.Span);
        }

        f.AssertClose("a_bar", new Tensor(layer.DiscreteA, layer.Order, layer.Order), 1e-6, output);
        foreach (bool parallel in new[] { true, false })
        {
            layer.AllowParallelForm = parallel;
            output.WriteLine($"{(layer.UsesParallelForm ? "parallel form" : "recurrence")}:");
            foreach (Parameter p in layer.Parameters)
            {
                p.ZeroGrad();
            }

            f.AssertClose("y", layer.Forward(f["x"], training: true), 1e-5, output);
            f.AssertClose("dx", layer.Backward(f["dy"]), 1e-5, output);
            foreach (Parameter p in layer.Parameters)
            {
                f.AssertClose("d_" + p.Name, p.Grad, 1e-5, output);
            }
        }
    }

    public static TheoryData<string, LmuLayer> GradientCases => new()
    {
        { "memory only, last step (parallel)", new LmuLayer(4, 3.5f) },
        { "memory only, sequences", new LmuLayer(4, 3.5f, ReturnSequences: true) },
        { "memory to memory", new LmuLayer(3, 4f, MemoryToMemory: true) },
        { "hidden cell, last step", new LmuLayer(3, 5f, Units: 3) },
        { "every connection, sequences", new LmuLayer(3, 4f, Units: 3, ReturnSequences: true, HiddenToMemory: true, MemoryToMemory: true, InputToHidden: true) },
    };

    [Theory]
    [MemberData(nameof(GradientCases))]
    public void GradientsMatchFiniteDifferences(string name, LmuLayer config)
    {
        var layer = (Lmu)config.Build([5, 2], new Rng(3));
        foreach (Parameter p in layer.Parameters)
        {
            // Larger than the initialisation so every term counts.
            GradCheck.Values(p.Name.Length, 0.6f, p.Value.Shape.ToArray()).Span.CopyTo(p.Value.Span);
        }

        Tensor x = GradCheck.Values(11, 1f, 2, 5, 2);
        int[] outShape = config.ReturnSequences ? [2, 5, layer.OutputSize] : [2, layer.OutputSize];
        Tensor w = GradCheck.Values(12, 1f, outShape);
        foreach (bool parallel in new[] { true, false })
        {
            layer.AllowParallelForm = parallel;
            output.WriteLine($"{name}, {(layer.UsesParallelForm ? "parallel form" : "recurrence")}:");
            double Loss() => GradCheck.Dot(layer.Forward(x, training: true), w);
            foreach (Parameter p in layer.Parameters)
            {
                p.ZeroGrad();
            }

            layer.Forward(x, training: true);
            Tensor dx = layer.Backward(w).Clone();
            GradCheck.Check("x", x, dx, Loss, output);
            foreach (Parameter p in layer.Parameters)
            {
                GradCheck.Check(p.Name, p.Value, p.Grad.Clone(), Loss, output);
            }
        }
    }

    [Fact]
    public void TheParallelFormAgreesWithTheRecurrenceAtThePsMnistSize()
    {
        // 784 steps of one pixel, order 256, θ = 784: the paper's psMNIST memory.
        var layer = new Lmu(1, 256, 784f, rng: new Rng(5));
        Tensor x = GradCheck.Values(21, 1f, 3, 784, 1);
        Tensor dy = GradCheck.Values(22, 1f, 3, 256);
        Assert.True(layer.UsesParallelForm);
        Tensor yParallel = layer.Forward(x, training: true).Clone();
        Tensor dxParallel = layer.Backward(dy).Clone();
        Tensor gParallel = layer.InputEncoders.Grad.Clone();
        layer.InputEncoders.ZeroGrad();
        layer.AllowParallelForm = false;
        Tensor yRecurrent = layer.Forward(x, training: true).Clone();
        Tensor dxRecurrent = layer.Backward(dy).Clone();
        double scale = yRecurrent.Data.Max(Math.Abs);
        output.WriteLine($"largest |m_T| {scale:G4}");
        Fixture.AssertClose("m_T", yRecurrent, yParallel, 2e-5, output, "parallel vs recurrence");
        Fixture.AssertClose("dx", dxRecurrent, dxParallel, 2e-5, output, "parallel vs recurrence");
        Fixture.AssertClose("d_input_encoders", layer.InputEncoders.Grad, gParallel, 2e-4, output, "parallel vs recurrence");

        // Inference keeps two steps of state and gives the same output.
        Fixture.AssertClose("m_T (inference)", yRecurrent, layer.Forward(x), 0, output, "recurrence");
    }

    [Theory]
    [InlineData(0, 10f, "Order must be at least 1; received 0")]
    [InlineData(-3, 10f, "Order must be at least 1; received -3")]
    [InlineData(4, 0f, "Theta must be a finite number above 0")]
    [InlineData(4, -1f, "Theta must be a finite number above 0")]
    [InlineData(4, float.NaN, "Theta must be a finite number above 0")]
    public void BadOrderOrThetaIsRefusedInOneLineNamingTheOption(int order, float theta, string expected)
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => new LmuLayer(order, theta).OutputShape([10, 1]));
        output.WriteLine(e.Message);
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.ThrowsAny<ArgumentException>(() => new Lmu(1, order, theta));
    }

    [Fact]
    public void AnOptionThatNeedsAHiddenCellIsRefusedWithoutOne()
    {
        var e = Assert.ThrowsAny<ArgumentException>(() => new LmuLayer(4, 10f, HiddenToMemory: true).OutputShape([10, 1]));
        output.WriteLine(e.Message);
        Assert.Contains("HiddenToMemory needs a hidden cell", e.Message);
    }

    [Fact]
    public void SavedAndLoadedItPredictsTheSame()
    {
        var model = new Sequential(7);
        model.Add(new LmuLayer(8, 12f, Units: 5, InputToHidden: true, MemoryToMemory: true) { InputShape = [12, 2] });
        model.Add(new DenseLayer(3));
        Tensor x = GradCheck.Values(31, 1f, 4, 12, 2);
        Tensor y = model.Predict(x).Clone();
        using var dir = new TempDirectory();
        ModelFile.Save(model, dir.Path);
        string config = File.ReadAllText(dir.File(ModelFile.ConfigFileName));
        Assert.Contains("\"class_name\": \"LMU\"", config);
        Assert.Contains("\"theta\": 12", config);
        (Sequential again, _) = ModelFile.Load(dir.Path);
        Assert.Equal(model.Configs, again.Configs);
        Fixture.AssertClose("output", y, again.Predict(x), 0, output, "loaded");

        // No torch module: a PyTorch state dict carries its parameters under their own names.
        var state = Recur.Export.PyTorchStateDict.From(model);
        Assert.Equal(model.Layers[0].Parameters.Select(p => "lmu." + p.Name).Order(StringComparer.Ordinal), state.Keys.Where(k => k.StartsWith("lmu.", StringComparison.Ordinal)).Order(StringComparer.Ordinal));
    }
}
