using System.Numerics;
using System.Runtime.InteropServices;
using Recur.Layers;

namespace Recur.Optimizers;

/// <summary>
/// RMSprop with <c>torch.optim.RMSprop</c>'s semantics (no weight decay), elementwise in
/// float32, all buffers starting at 0:
/// <code>
/// v   ← α·v + (1 − α)·g²
/// a   ← α·a + (1 − α)·g                       (centered only)
/// den = √v + ε,  or √(v − a²) + ε             (centered)
/// θ   ← θ − lr·g/den                           (momentum = 0)
/// buf ← μ·buf + g/den;  θ ← θ − lr·buf         (momentum μ &gt; 0)
/// </code>
/// The defaults are PyTorch's: lr = 0.01, α = 0.99, ε = 1e-8.
/// </summary>
/// <remarks>
/// Other frameworks' RMSprop differ in more than names. Keras 3's <c>RMSprop(rho=0.9,
/// epsilon=1e-7)</c> (default lr 0.001) puts ε inside the square root — θ ← θ − lr·g/√(v + ε)
/// — and accumulates lr inside the momentum buffer (buf ← μ·buf + lr·g/√(v + ε); θ ← θ − buf).
/// TensorFlow 1's <c>RMSPropOptimizer(decay=0.9, epsilon=1e-10)</c> also puts ε inside the
/// square root and lr inside the momentum, and initialises v to 1 rather than 0, so its
/// first steps are much smaller. To approximate Keras, pass <c>alpha: 0.9</c> and a small ε;
/// the results agree once √v ≫ ε.
/// </remarks>
public sealed class RmsProp : Optimizer
{
    private readonly Dictionary<Parameter, State> _states = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">The step size lr; finite and positive.</param>
    /// <param name="alpha">The smoothing constant α of the squared-gradient average, in [0, 1).</param>
    /// <param name="epsilon">ε, added to the root; finite and positive.</param>
    /// <param name="momentum">The momentum factor μ, in [0, 1); 0 disables the momentum buffer.</param>
    /// <param name="centered">Whether to normalise by the estimated variance instead of the second moment.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public RmsProp(double learningRate = 0.01, double alpha = 0.99, double epsilon = 1e-8, double momentum = 0.0, bool centered = false)
        : base(learningRate)
    {
        Alpha = CheckUnitInterval(alpha, nameof(alpha));
        Epsilon = CheckPositive(epsilon, nameof(epsilon));
        Momentum = CheckUnitInterval(momentum, nameof(momentum));
        Centered = centered;
    }

    /// <summary>The smoothing constant α.</summary>
    public double Alpha { get; }

    /// <summary>ε, added to the root.</summary>
    public double Epsilon { get; }

    /// <summary>The momentum factor μ; 0 when momentum is off.</summary>
    public double Momentum { get; }

    /// <summary>Whether the centered variant is used.</summary>
    public bool Centered { get; }

    /// <inheritdoc/>
    protected override void Update(Parameter parameter)
    {
        if (!_states.TryGetValue(parameter, out State? state))
        {
            int length = parameter.Value.Length;
            state = new State(
                new float[length],
                Centered ? new float[length] : [],
                Momentum > 0.0 ? new float[length] : []);
            _states.Add(parameter, state);
        }

        var k = new Coefficients(
            Alpha: (float)Alpha,
            OneMinusAlpha: (float)(1.0 - Alpha),
            Epsilon: (float)Epsilon,
            LearningRate: (float)LearningRate,
            Momentum: (float)Momentum);

        Span<float> theta = parameter.Value.Span;
        ReadOnlySpan<float> g = parameter.Grad.Span;
        UpdateCore(theta, g, state.SquareAverage, state.GradAverage, state.Buffer, k, Centered, Momentum > 0.0);
    }

    /// <inheritdoc/>
    protected override void ResetState() => _states.Clear();

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, float[]>> GetSlots(Parameter parameter)
    {
        if (!_states.TryGetValue(parameter, out State? s))
        {
            return [];
        }

        var slots = new List<KeyValuePair<string, float[]>> { new("square_avg", s.SquareAverage) };
        if (Centered)
        {
            slots.Add(new("grad_avg", s.GradAverage));
        }

        if (Momentum > 0.0)
        {
            slots.Add(new("momentum_buffer", s.Buffer));
        }

        return slots;
    }

    /// <inheritdoc/>
    protected override void SetSlots(Parameter parameter, IReadOnlyDictionary<string, float[]> slots, long step)
    {
        int length = parameter.Value.Length;
        _states[parameter] = new State(
            slots.GetValueOrDefault("square_avg") ?? new float[length],
            Centered ? slots.GetValueOrDefault("grad_avg") ?? new float[length] : [],
            Momentum > 0.0 ? slots.GetValueOrDefault("momentum_buffer") ?? new float[length] : []);
    }

    private readonly record struct Coefficients(float Alpha, float OneMinusAlpha, float Epsilon, float LearningRate, float Momentum);

    /// <summary>
    /// One step over a parameter. <paramref name="avg"/> (the running mean of g, used when
    /// <paramref name="centered"/>) and <paramref name="buf"/> (used when <paramref name="useMomentum"/>)
    /// may be empty otherwise. The vector loop and the scalar tail perform the same float operations.
    /// </summary>
    private static void UpdateCore(
        Span<float> theta, ReadOnlySpan<float> g, Span<float> sq, Span<float> avg, Span<float> buf, in Coefficients k,
        bool centered, bool useMomentum)
    {
        Span<Vector<float>> thetaV = MemoryMarshal.Cast<float, Vector<float>>(theta);
        ReadOnlySpan<Vector<float>> gV = MemoryMarshal.Cast<float, Vector<float>>(g);
        Span<Vector<float>> sqV = MemoryMarshal.Cast<float, Vector<float>>(sq);
        Span<Vector<float>> avgV = MemoryMarshal.Cast<float, Vector<float>>(avg);
        Span<Vector<float>> bufV = MemoryMarshal.Cast<float, Vector<float>>(buf);
        var alpha = new Vector<float>(k.Alpha);
        var oneMinusAlpha = new Vector<float>(k.OneMinusAlpha);
        var eps = new Vector<float>(k.Epsilon);
        var lr = new Vector<float>(k.LearningRate);
        var mu = new Vector<float>(k.Momentum);
        for (int i = 0; i < thetaV.Length; i++)
        {
            Vector<float> gi = gV[i];
            Vector<float> si = alpha * sqV[i] + oneMinusAlpha * (gi * gi);
            sqV[i] = si;
            Vector<float> variance = si;
            if (centered)
            {
                Vector<float> ai = alpha * avgV[i] + oneMinusAlpha * gi;
                avgV[i] = ai;
                variance = si - ai * ai;
            }

            Vector<float> den = Vector.SquareRoot(variance) + eps;
            if (useMomentum)
            {
                Vector<float> bi = mu * bufV[i] + gi / den;
                bufV[i] = bi;
                thetaV[i] -= lr * bi;
            }
            else
            {
                thetaV[i] -= lr * (gi / den);
            }
        }

        for (int i = thetaV.Length * Vector<float>.Count; i < theta.Length; i++)
        {
            float gi = g[i];
            float si = k.Alpha * sq[i] + k.OneMinusAlpha * (gi * gi);
            sq[i] = si;
            float variance = si;
            if (centered)
            {
                float ai = k.Alpha * avg[i] + k.OneMinusAlpha * gi;
                avg[i] = ai;
                variance = si - ai * ai;
            }

            float den = MathF.Sqrt(variance) + k.Epsilon;
            if (useMomentum)
            {
                float bi = k.Momentum * buf[i] + gi / den;
                buf[i] = bi;
                theta[i] -= k.LearningRate * bi;
            }
            else
            {
                theta[i] -= k.LearningRate * (gi / den);
            }
        }
    }

    /// <summary>Per-parameter buffers; unused ones are empty.</summary>
    private sealed record State(float[] SquareAverage, float[] GradAverage, float[] Buffer);
}
