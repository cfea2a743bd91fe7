using System.Numerics;
using System.Runtime.InteropServices;
using Recur.Layers;

namespace Recur.Optimizers;

/// <summary>
/// Adam (Kingma and Ba) in PyTorch's formulation (<c>torch.optim.Adam</c>, no weight decay,
/// no AMSGrad). With t the parameter's own step count (1 on its first step):
/// <code>
/// m ← β1·m + (1 − β1)·g
/// v ← β2·v + (1 − β2)·g²
/// m̂ = m / (1 − β1ᵗ),  v̂ = v / (1 − β2ᵗ)
/// θ ← θ − lr·m̂ / (√v̂ + ε)
/// </code>
/// </summary>
/// <remarks>
/// <para>
/// ε placement: this is PyTorch's and Keras 3's — ε is added to √v̂, after the bias
/// correction. TensorFlow 1's <c>AdamOptimizer</c> instead computes
/// lr_t = lr·√(1 − β2ᵗ)/(1 − β1ᵗ) and θ ← θ − lr_t·m/(√v + ε̂): its ε̂ sits outside the bias
/// correction, and equals ours when ε̂ = ε·√(1 − β2ᵗ). The two differ only while √v̂ is
/// comparable to ε (early steps, tiny gradients); TensorFlow 1's default ε̂ is also 1e-8.
/// </para>
/// <para>
/// Numerics: β1ᵗ and β2ᵗ are computed in double by exponentiation by squaring (the same on
/// every machine); the step size lr/(1 − β1ᵗ) and √(1 − β2ᵗ) are then rounded to float once
/// per step, and each element runs in float32 exactly as
/// <c>θ ← θ − stepSize·(m / (√v / √(1 − β2ᵗ) + ε))</c> (PyTorch's operation order). The
/// vectorised loop performs the same IEEE operations in the same order as the scalar tail,
/// so every element equals that scalar formula bit for bit, whatever the vector width.
/// </para>
/// <para>
/// t is counted per parameter, as PyTorch's <c>state["step"]</c>: a parameter frozen for
/// some steps resumes its own count. On the first step m̂ = g and v̂ = g², so each element
/// moves by lr·g/(|g| + ε) ≈ lr·sign(g).
/// </para>
/// </remarks>
public sealed class Adam : Optimizer
{
    private readonly Dictionary<Parameter, State> _states = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates the optimizer; the defaults are PyTorch's and Keras's.</summary>
    /// <param name="learningRate">The step size lr; finite and positive.</param>
    /// <param name="beta1">The first-moment decay β1, in [0, 1).</param>
    /// <param name="beta2">The second-moment decay β2, in [0, 1).</param>
    /// <param name="epsilon">ε, added to √v̂; finite and positive.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public Adam(double learningRate = 0.001, double beta1 = 0.9, double beta2 = 0.999, double epsilon = 1e-8)
        : base(learningRate)
    {
        Beta1 = CheckUnitInterval(beta1, nameof(beta1));
        Beta2 = CheckUnitInterval(beta2, nameof(beta2));
        Epsilon = CheckPositive(epsilon, nameof(epsilon));
    }

    /// <summary>The first-moment decay β1.</summary>
    public double Beta1 { get; }

    /// <summary>The second-moment decay β2.</summary>
    public double Beta2 { get; }

    /// <summary>ε, added to √v̂.</summary>
    public double Epsilon { get; }

    /// <inheritdoc/>
    protected override void Update(Parameter parameter)
    {
        if (!_states.TryGetValue(parameter, out State? state))
        {
            state = new State(parameter.Value.Length);
            _states.Add(parameter, state);
        }

        long t = ++state.Step;
        double bias1 = 1.0 - PowInt(Beta1, t);
        double bias2 = 1.0 - PowInt(Beta2, t);
        var k = new Coefficients(
            Beta1: (float)Beta1,
            OneMinusBeta1: (float)(1.0 - Beta1),
            Beta2: (float)Beta2,
            OneMinusBeta2: (float)(1.0 - Beta2),
            StepSize: (float)(LearningRate / bias1),
            Bias2Sqrt: (float)Math.Sqrt(bias2),
            Epsilon: (float)Epsilon);

        Apply(parameter.Value.Span, parameter.Grad.Span, state.M, state.V, k);
    }

    /// <inheritdoc/>
    protected override void ResetState() => _states.Clear();

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, float[]>> GetSlots(Parameter parameter) =>
        _states.TryGetValue(parameter, out State? s) ? [new("exp_avg", s.M), new("exp_avg_sq", s.V)] : [];

    /// <inheritdoc/>
    protected override long? GetStep(Parameter parameter) => _states.TryGetValue(parameter, out State? s) ? s.Step : null;

    /// <inheritdoc/>
    protected override void SetSlots(Parameter parameter, IReadOnlyDictionary<string, float[]> slots, long step)
    {
        var state = new State(parameter.Value.Length) { Step = step };
        slots.GetValueOrDefault("exp_avg")?.CopyTo(state.M, 0);
        slots.GetValueOrDefault("exp_avg_sq")?.CopyTo(state.V, 0);
        _states[parameter] = state;
    }

    /// <summary>The float32 constants of one step.</summary>
    internal readonly record struct Coefficients(
        float Beta1, float OneMinusBeta1, float Beta2, float OneMinusBeta2, float StepSize, float Bias2Sqrt, float Epsilon);

    /// <summary>The elementwise update (vectorised body, scalar tail; identical operations).</summary>
    internal static void Apply(Span<float> theta, ReadOnlySpan<float> g, Span<float> m, Span<float> v, in Coefficients k)
    {
        Span<Vector<float>> thetaV = MemoryMarshal.Cast<float, Vector<float>>(theta);
        ReadOnlySpan<Vector<float>> gV = MemoryMarshal.Cast<float, Vector<float>>(g);
        Span<Vector<float>> mV = MemoryMarshal.Cast<float, Vector<float>>(m);
        Span<Vector<float>> vV = MemoryMarshal.Cast<float, Vector<float>>(v);
        var b1 = new Vector<float>(k.Beta1);
        var c1 = new Vector<float>(k.OneMinusBeta1);
        var b2 = new Vector<float>(k.Beta2);
        var c2 = new Vector<float>(k.OneMinusBeta2);
        var stepSize = new Vector<float>(k.StepSize);
        var bias2Sqrt = new Vector<float>(k.Bias2Sqrt);
        var eps = new Vector<float>(k.Epsilon);
        for (int i = 0; i < thetaV.Length; i++)
        {
            Vector<float> gi = gV[i];
            Vector<float> mi = b1 * mV[i] + c1 * gi;
            Vector<float> vi = b2 * vV[i] + c2 * (gi * gi);
            mV[i] = mi;
            vV[i] = vi;
            Vector<float> denom = Vector.SquareRoot(vi) / bias2Sqrt + eps;
            thetaV[i] -= stepSize * (mi / denom);
        }

        for (int i = thetaV.Length * Vector<float>.Count; i < theta.Length; i++)
        {
            float gi = g[i];
            float mi = k.Beta1 * m[i] + k.OneMinusBeta1 * gi;
            float vi = k.Beta2 * v[i] + k.OneMinusBeta2 * (gi * gi);
            m[i] = mi;
            v[i] = vi;
            float denom = MathF.Sqrt(vi) / k.Bias2Sqrt + k.Epsilon;
            theta[i] -= k.StepSize * (mi / denom);
        }
    }

    /// <summary>xⁿ for n ≥ 0 by exponentiation by squaring, in double.</summary>
    internal static double PowInt(double x, long n)
    {
        double result = 1.0;
        double power = x;
        while (n > 0)
        {
            if ((n & 1) != 0)
            {
                result *= power;
            }

            n >>= 1;
            if (n > 0)
            {
                power *= power;
            }
        }

        return result;
    }

    /// <summary>The moments of one parameter and its step count.</summary>
    private sealed class State(int length)
    {
        public float[] M { get; } = new float[length];

        public float[] V { get; } = new float[length];

        public long Step { get; set; }
    }
}
