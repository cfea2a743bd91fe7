using Recur.Layers;
using Recur.Optimizers;

namespace Recur.Tests.Optimizers;

public class OptimizerTests
{
    public static TheoryData<string> AllOptimizers =>
    [
        "sgd", "momentum", "nesterov", "adam", "rmsprop", "rmsprop-momentum", "rmsprop-centered", "rmsprop-centered-momentum",
    ];

    [Fact]
    public void SgdHandWorkedTwoSteps()
    {
        // θ = 1, lr = 0.1: g = 0.1 → 0.99; g = −0.2 → 1.01.
        var p = Scalar(1f);
        var opt = new Sgd(0.1);
        StepWith(opt, p, 0.1f);
        Assert.Equal(0.99f, p.Value.Data[0], 6);
        StepWith(opt, p, -0.2f);
        Assert.Equal(1.01f, p.Value.Data[0], 6);
    }

    [Fact]
    public void MomentumFirstStepUsesTheGradientAsBuffer()
    {
        // μ = 0.9, lr = 0.1, θ = 1. Step 1: buf = g = 0.1 (not (1−μ)·g), θ = 0.99.
        // Step 2: g = −0.2, buf = 0.9·0.1 − 0.2 = −0.11, θ = 0.99 + 0.011 = 1.001.
        var p = Scalar(1f);
        var opt = new Momentum(0.1, momentum: 0.9);
        StepWith(opt, p, 0.1f);
        Assert.Equal(0.99f, p.Value.Data[0], 6);
        StepWith(opt, p, -0.2f);
        Assert.Equal(1.001f, p.Value.Data[0], 6);
    }

    [Fact]
    public void NesterovHandWorkedTwoSteps()
    {
        // Step 1: buf = 0.1, θ = 1 − 0.1·(0.1 + 0.9·0.1) = 0.981.
        // Step 2: buf = −0.11, θ = 0.981 − 0.1·(−0.2 + 0.9·(−0.11)) = 1.0109.
        var p = Scalar(1f);
        var opt = new Momentum(0.1, momentum: 0.9, nesterov: true);
        StepWith(opt, p, 0.1f);
        Assert.Equal(0.981f, p.Value.Data[0], 6);
        StepWith(opt, p, -0.2f);
        Assert.Equal(1.0109f, p.Value.Data[0], 6);
    }

    [Fact]
    public void AdamHandWorkedTwoSteps()
    {
        // lr = 0.1, β = (0.9, 0.999), ε = 1e-8, θ = 1.
        // Step 1, g = 0.1: m̂ = 0.1, v̂ = 0.01, θ = 1 − 0.1·0.1/(0.1 + 1e-8).
        // Step 2, g = −0.2: m = 0.9·0.01 − 0.02, v = 0.999·1e-5 + 4e-5, bias corrections 1 − 0.9², 1 − 0.999².
        var p = Scalar(1f);
        var opt = new Adam(0.1);
        StepWith(opt, p, 0.1f);
        double theta = 1 - 0.1 * 0.1 / (0.1 + 1e-8);
        Assert.Equal(theta, p.Value.Data[0], 6);

        double m = 0.1 * 0.1, v = 0.001 * 0.01;
        m = 0.9 * m + 0.1 * -0.2;
        v = 0.999 * v + 0.001 * 0.04;
        theta -= 0.1 * (m / (1 - 0.81)) / (Math.Sqrt(v / (1 - 0.998001)) + 1e-8);
        StepWith(opt, p, -0.2f);
        Assert.Equal(theta, p.Value.Data[0], 6);
        Assert.Equal(2, opt.Iterations);
    }

    [Theory]
    [MemberData(nameof(AllOptimizers))]
    public void FirstTwoStepsMatchTheFormulaInDouble(string name)
    {
        // 37 elements so that both the vector body and the scalar tail run.
        var rng = new Rng(31);
        const int n = 37;
        float[] theta0 = RandomArray(rng, n, 1.0);
        float[] g1 = RandomArray(rng, n, 0.5);
        float[] g2 = RandomArray(rng, n, 0.5);

        var (opt, reference) = Create(name);
        var p = new Parameter("w", n);
        theta0.CopyTo(p.Value.Data, 0);
        double[] expected = Array.ConvertAll(theta0, x => (double)x);

        foreach (float[] g in new[] { g1, g2 })
        {
            g.CopyTo(p.Grad.Data, 0);
            opt.Step([p]);
            reference.Step(expected, Array.ConvertAll(g, x => (double)x));
            for (int i = 0; i < n; i++)
            {
                double tolerance = 2e-6 * (1 + Math.Abs(expected[i]));
                Assert.True(
                    Math.Abs(p.Value.Data[i] - expected[i]) <= tolerance,
                    $"{name}: element {i} is {p.Value.Data[i]:R}, formula gives {expected[i]:R}");
            }
        }
    }

    [Fact]
    public void AdamVectorisedUpdateEqualsTheScalarFloatFormulaBitForBit()
    {
        var rng = new Rng(12);
        const int n = 133;
        var p = new Parameter("w", n);
        RandomArray(rng, n, 1.0).CopyTo(p.Value.Data, 0);
        float[] theta = (float[])p.Value.Data.Clone();
        var m = new float[n];
        var v = new float[n];
        var opt = new Adam(learningRate: 0.01, beta1: 0.8, beta2: 0.99, epsilon: 1e-6);
        for (int t = 1; t <= 3; t++)
        {
            float[] g = RandomArray(rng, n, 0.3);
            g.CopyTo(p.Grad.Data, 0);
            opt.Step([p]);

            float stepSize = (float)(0.01 / (1 - Math.Pow(0.8, t)));
            float bias2Sqrt = (float)Math.Sqrt(1 - Math.Pow(0.99, t));
            for (int i = 0; i < n; i++)
            {
                m[i] = 0.8f * m[i] + (float)(1 - 0.8) * g[i];
                v[i] = 0.99f * v[i] + (float)(1 - 0.99) * (g[i] * g[i]);
                float denom = MathF.Sqrt(v[i]) / bias2Sqrt + 1e-6f;
                theta[i] -= stepSize * (m[i] / denom);
            }

            Assert.Equal(theta, p.Value.Data);
        }
    }

    [Fact]
    public void AdamFirstStepIsAboutLearningRateTimesSignOfGradient()
    {
        float[] g = [1e-3f, -5f, 0.2f, -0.01f, 300f, -1e-2f, 7f, 0.5f, -0.5f, 2f, 3e-3f];
        var p = new Parameter("w", g.Length);
        g.CopyTo(p.Grad.Data, 0);
        new Adam(learningRate: 0.05).Step([p]);
        for (int i = 0; i < g.Length; i++)
        {
            // Exactly −lr·g/(|g| + ε); |g| ≥ 1e-3 and ε = 1e-8 make it lr·sign(g) to 1e-5 relative.
            Assert.Equal(-0.05 * Math.Sign(g[i]), p.Value.Data[i], 1e-6);
        }
    }

    [Fact]
    public void AdamCountsStepsPerParameter()
    {
        // A parameter frozen for two steps gets the first-step update (bias correction at t = 1)
        // when it is unfrozen, exactly like a fresh optimizer.
        var active = Scalar(0f);
        var late = Scalar(1f);
        late.Trainable = false;
        late.Grad.Data[0] = 0.3f;
        active.Grad.Data[0] = 0.1f;
        var opt = new Adam(0.1);
        opt.Step([active, late]);
        opt.Step([active, late]);
        Assert.Equal(1f, late.Value.Data[0]);
        late.Trainable = true;
        opt.Step([active, late]);

        var fresh = Scalar(1f);
        fresh.Grad.Data[0] = 0.3f;
        new Adam(0.1).Step([fresh]);
        Assert.Equal(fresh.Value.Data[0], late.Value.Data[0]);
        Assert.Equal(3, opt.Iterations);
    }

    [Theory]
    [MemberData(nameof(AllOptimizers))]
    public void FrozenParametersAreUntouchedAndGradientsAreNotZeroed(string name)
    {
        var (opt, _) = Create(name);
        var trained = new Parameter("w", 3, 5);
        var frozen = new Parameter("b", 5) { Trainable = false };
        trained.Value.Fill(1f);
        trained.Grad.Fill(0.5f);
        frozen.Value.Fill(2f);
        frozen.Grad.Fill(0.25f);

        opt.Step([trained, frozen]);
        opt.Step([trained, frozen]);

        Assert.All(frozen.Value.Data, x => Assert.Equal(2f, x));
        Assert.All(frozen.Grad.Data, x => Assert.Equal(0.25f, x));
        Assert.All(trained.Grad.Data, x => Assert.Equal(0.5f, x));
        Assert.All(trained.Value.Data, x => Assert.True(x < 1f));
        Assert.Equal(2, opt.Iterations);

        opt.ZeroGrad([trained, frozen]);
        Assert.All(trained.Grad.Data, x => Assert.Equal(0f, x));
        Assert.All(frozen.Grad.Data, x => Assert.Equal(0f, x));
    }

    [Fact]
    public void LearningRateCanChangeBetweenStepsAndIsValidated()
    {
        var p = Scalar(1f);
        var opt = new Sgd(0.1);
        opt.LearningRate = 0.5;
        StepWith(opt, p, 0.2f);
        Assert.Equal(0.9f, p.Value.Data[0], 6);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => opt.LearningRate = 0);
        Assert.Equal("learningRate", ex.ParamName);
        Assert.Equal(0.5, opt.LearningRate);
    }

    [Fact]
    public void ResetForgetsStateAndIterations()
    {
        var p = Scalar(1f);
        var opt = new Momentum(0.1, 0.9);
        StepWith(opt, p, 0.1f);
        opt.Reset();
        Assert.Equal(0, opt.Iterations);
        p.Value.Data[0] = 1f;
        StepWith(opt, p, 0.1f);
        Assert.Equal(0.99f, p.Value.Data[0], 6);
    }

    [Fact]
    public void ClipByGlobalNormHandWorked()
    {
        // Gradients [3, 4] and [12]: norm √(9 + 16 + 144) = 13. A frozen [100] is ignored.
        var (a, b, frozen) = ClipExample();
        float norm = GradientClipping.ClipByGlobalNorm([a, b, frozen], 6.5f);
        Assert.Equal(13f, norm);
        float coef = (float)(6.5 / (13 + 1e-6));
        Assert.Equal([3f * coef, 4f * coef], a.Grad.Data);
        Assert.Equal([12f * coef], b.Grad.Data);
        Assert.Equal([100f], frozen.Grad.Data);
        Assert.Equal(6.5, Math.Sqrt(GradientClipping.SumOfSquares(a.Grad.Span) + GradientClipping.SumOfSquares(b.Grad.Span)), 5);
    }

    [Fact]
    public void ClipByGlobalNormLeavesSmallGradientsAlone()
    {
        var (a, b, frozen) = ClipExample();
        float norm = GradientClipping.ClipByGlobalNorm([a, b, frozen], 13.5f);
        Assert.Equal(13f, norm);
        Assert.Equal([3f, 4f], a.Grad.Data);
        Assert.Equal([12f], b.Grad.Data);

        // PyTorch's rule: coef = max/(norm + 1e-6) < 1 even when norm == maxNorm, so it scales.
        (a, b, frozen) = ClipExample();
        GradientClipping.ClipByGlobalNorm([a, b, frozen], 13f);
        Assert.Equal(3f * (float)(13 / (13 + 1e-6)), a.Grad.Data[0]);
    }

    [Fact]
    public void ClipByValueClampsTrainableGradients()
    {
        var p = new Parameter("w", 4);
        float[] g = [-3f, 0.5f, 2f, -1f];
        g.CopyTo(p.Grad.Data, 0);
        var frozen = new Parameter("f", 1) { Trainable = false };
        frozen.Grad.Data[0] = 9f;
        GradientClipping.ClipByValue([p, frozen], 1f);
        Assert.Equal([-1f, 0.5f, 1f, -1f], p.Grad.Data);
        Assert.Equal(9f, frozen.Grad.Data[0]);
    }

    public static TheoryData<string, string, string> BadHyperparameters => new()
    {
        { "sgd lr 0", "learningRate", "0" },
        { "sgd lr negative", "learningRate", "-0.1" },
        { "sgd lr NaN", "learningRate", "NaN" },
        { "sgd lr infinite", "learningRate", double.PositiveInfinity.ToString() },
        { "adam beta1 1", "beta1", "1" },
        { "adam beta2 negative", "beta2", "-0.1" },
        { "adam epsilon 0", "epsilon", "0" },
        { "adam lr NaN", "learningRate", "NaN" },
        { "momentum 1.5", "momentum", "1.5" },
        { "nesterov without momentum", "momentum", "0" },
        { "rmsprop alpha 1", "alpha", "1" },
        { "rmsprop epsilon negative", "epsilon", "-1" },
        { "rmsprop momentum negative", "momentum", "-0.5" },
        { "set lr negative", "learningRate", "-2" },
        { "clip norm 0", "maxNorm", "0" },
        { "clip norm NaN", "maxNorm", "NaN" },
        { "clip value negative", "clipValue", "-1" },
    };

    [Theory]
    [MemberData(nameof(BadHyperparameters))]
    public void BadHyperparametersThrowNamingTheArgumentAndValue(string what, string argument, string valueText)
    {
        Parameter[] ps = [Scalar(1f)];
        Action act = what switch
        {
            "sgd lr 0" => () => _ = new Sgd(0),
            "sgd lr negative" => () => _ = new Sgd(-0.1),
            "sgd lr NaN" => () => _ = new Sgd(double.NaN),
            "sgd lr infinite" => () => _ = new Sgd(double.PositiveInfinity),
            "adam beta1 1" => () => _ = new Adam(beta1: 1.0),
            "adam beta2 negative" => () => _ = new Adam(beta2: -0.1),
            "adam epsilon 0" => () => _ = new Adam(epsilon: 0),
            "adam lr NaN" => () => _ = new Adam(learningRate: double.NaN),
            "momentum 1.5" => () => _ = new Momentum(0.1, momentum: 1.5),
            "nesterov without momentum" => () => _ = new Momentum(0.1, momentum: 0, nesterov: true),
            "rmsprop alpha 1" => () => _ = new RmsProp(alpha: 1),
            "rmsprop epsilon negative" => () => _ = new RmsProp(epsilon: -1),
            "rmsprop momentum negative" => () => _ = new RmsProp(momentum: -0.5),
            "set lr negative" => () => new Adam().LearningRate = -2,
            "clip norm 0" => () => GradientClipping.ClipByGlobalNorm(ps, 0f),
            "clip norm NaN" => () => GradientClipping.ClipByGlobalNorm(ps, float.NaN),
            "clip value negative" => () => GradientClipping.ClipByValue(ps, -1f),
            _ => throw new ArgumentException(what),
        };

        var ex = Assert.Throws<ArgumentOutOfRangeException>(act);
        Assert.Equal(argument, ex.ParamName);
        Assert.Contains(argument, ex.Message);
        Assert.Contains($"got {valueText}", ex.Message);
        Assert.True(ex.Message.Contains("must be", StringComparison.Ordinal), ex.Message);
    }

    [Theory]
    [MemberData(nameof(AllOptimizers))]
    public void SecondStepAllocatesNothing(string name)
    {
        var (opt, _) = Create(name);
        List<Parameter> ps = MakeAllocationParameters();
        opt.Step(ps);

        long before = GC.GetAllocatedBytesForCurrentThread();
        opt.Step(ps);
        opt.ZeroGrad(ps);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    [Fact]
    public void ClippingAllocatesNothing()
    {
        List<Parameter> ps = MakeAllocationParameters();
        GradientClipping.ClipByGlobalNorm(ps, 0.5f);
        GradientClipping.ClipByValue(ps, 0.1f);

        long before = GC.GetAllocatedBytesForCurrentThread();
        GradientClipping.ClipByGlobalNorm(ps, 0.5f);
        GradientClipping.ClipByValue(ps, 0.1f);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);
    }

    private static List<Parameter> MakeAllocationParameters()
    {
        var rng = new Rng(77);
        var ps = new List<Parameter> { new("weight", 64, 37), new("bias", 37), new("frozen", 8) { Trainable = false } };
        foreach (Parameter p in ps)
        {
            RandomArray(rng, p.Value.Length, 1.0).CopyTo(p.Value.Data, 0);
            RandomArray(rng, p.Grad.Length, 0.1).CopyTo(p.Grad.Data, 0);
        }

        return ps;
    }

    private static (Parameter A, Parameter B, Parameter Frozen) ClipExample()
    {
        var a = new Parameter("a", 2);
        a.Grad.Data[0] = 3f;
        a.Grad.Data[1] = 4f;
        var b = new Parameter("b", 1);
        b.Grad.Data[0] = 12f;
        var frozen = new Parameter("f", 1) { Trainable = false };
        frozen.Grad.Data[0] = 100f;
        return (a, b, frozen);
    }

    private static Parameter Scalar(float value)
    {
        var p = new Parameter("x", 1);
        p.Value.Data[0] = value;
        return p;
    }

    private static void StepWith(Optimizer opt, Parameter p, float grad)
    {
        p.Grad.Data[0] = grad;
        opt.Step([p]);
    }

    private static float[] RandomArray(Rng rng, int n, double scale)
    {
        var a = new float[n];
        for (int i = 0; i < n; i++)
        {
            a[i] = (float)(scale * rng.NextGaussian());
        }

        return a;
    }

    private static (Optimizer Optimizer, IReference Reference) Create(string name) => name switch
    {
        "sgd" => (new Sgd(0.1), new SgdReference(0.1)),
        "momentum" => (new Momentum(0.1, 0.9), new MomentumReference(0.1, 0.9, false)),
        "nesterov" => (new Momentum(0.1, 0.8, nesterov: true), new MomentumReference(0.1, 0.8, true)),
        "adam" => (new Adam(0.01), new AdamReference(0.01, 0.9, 0.999, 1e-8)),
        "rmsprop" => (new RmsProp(0.01), new RmsPropReference(0.01, 0.99, 1e-8, 0, false)),
        "rmsprop-momentum" => (new RmsProp(0.01, momentum: 0.9), new RmsPropReference(0.01, 0.99, 1e-8, 0.9, false)),
        "rmsprop-centered" => (new RmsProp(0.01, alpha: 0.9, centered: true), new RmsPropReference(0.01, 0.9, 1e-8, 0, true)),
        "rmsprop-centered-momentum" => (
            new RmsProp(0.01, alpha: 0.9, epsilon: 1e-6, momentum: 0.5, centered: true),
            new RmsPropReference(0.01, 0.9, 1e-6, 0.5, true)),
        _ => throw new ArgumentException(name),
    };

    /// <summary>The documented update rule, in double.</summary>
    private interface IReference
    {
        void Step(double[] theta, double[] g);
    }

    private sealed class SgdReference(double lr) : IReference
    {
        public void Step(double[] theta, double[] g)
        {
            for (int i = 0; i < theta.Length; i++)
            {
                theta[i] -= lr * g[i];
            }
        }
    }

    private sealed class MomentumReference(double lr, double mu, bool nesterov) : IReference
    {
        private double[]? _buf;

        public void Step(double[] theta, double[] g)
        {
            bool first = _buf is null;
            _buf ??= new double[theta.Length];
            for (int i = 0; i < theta.Length; i++)
            {
                _buf[i] = first ? g[i] : mu * _buf[i] + g[i];
                theta[i] -= lr * (nesterov ? g[i] + mu * _buf[i] : _buf[i]);
            }
        }
    }

    private sealed class AdamReference(double lr, double beta1, double beta2, double eps) : IReference
    {
        private double[]? _m;
        private double[]? _v;
        private int _t;

        public void Step(double[] theta, double[] g)
        {
            _m ??= new double[theta.Length];
            _v ??= new double[theta.Length];
            _t++;
            for (int i = 0; i < theta.Length; i++)
            {
                _m[i] = beta1 * _m[i] + (1 - beta1) * g[i];
                _v[i] = beta2 * _v[i] + (1 - beta2) * g[i] * g[i];
                double mHat = _m[i] / (1 - Math.Pow(beta1, _t));
                double vHat = _v[i] / (1 - Math.Pow(beta2, _t));
                theta[i] -= lr * mHat / (Math.Sqrt(vHat) + eps);
            }
        }
    }

    private sealed class RmsPropReference(double lr, double alpha, double eps, double mu, bool centered) : IReference
    {
        private double[]? _s;
        private double[]? _a;
        private double[]? _b;

        public void Step(double[] theta, double[] g)
        {
            _s ??= new double[theta.Length];
            _a ??= new double[theta.Length];
            _b ??= new double[theta.Length];
            for (int i = 0; i < theta.Length; i++)
            {
                _s[i] = alpha * _s[i] + (1 - alpha) * g[i] * g[i];
                _a[i] = alpha * _a[i] + (1 - alpha) * g[i];
                double den = Math.Sqrt(centered ? _s[i] - _a[i] * _a[i] : _s[i]) + eps;
                if (mu > 0)
                {
                    _b[i] = mu * _b[i] + g[i] / den;
                    theta[i] -= lr * _b[i];
                }
                else
                {
                    theta[i] -= lr * g[i] / den;
                }
            }
        }
    }
}
