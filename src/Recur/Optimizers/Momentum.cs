using System.Numerics;
using System.Runtime.InteropServices;
using Recur.Layers;

namespace Recur.Optimizers;

/// <summary>
/// SGD with (heavy-ball or Nesterov) momentum, with <c>torch.optim.SGD(momentum=μ)</c>'s
/// semantics (no dampening, no weight decay), elementwise in float32:
/// <code>
/// buf ← g                  on a parameter's first step (as PyTorch)
/// buf ← μ·buf + g          afterwards
/// θ   ← θ − lr·buf         (classical)
/// θ   ← θ − lr·(g + μ·buf) (nesterov)
/// </code>
/// </summary>
/// <remarks>
/// TensorFlow 1's <c>MomentumOptimizer</c> computes <c>accum ← μ·accum + g;
/// θ ← θ − lr·accum</c> (Nesterov: <c>θ ← θ − lr·(g + μ·accum)</c>) with accum starting at 0,
/// so its first accum is g too: the two are the same update. Both apply lr outside the
/// buffer, so they differ from Keras's <c>SGD(momentum)</c> (<c>v ← μ·v − lr·g</c>) only
/// when the learning rate changes between steps.
/// </remarks>
public sealed class Momentum : Optimizer
{
    private readonly Dictionary<Parameter, float[]> _buffers = new(ReferenceEqualityComparer.Instance);

    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">The step size lr; finite and positive.</param>
    /// <param name="momentum">The momentum factor μ, in [0, 1); must be positive with Nesterov.</param>
    /// <param name="nesterov">Whether to use Nesterov momentum.</param>
    /// <exception cref="ArgumentOutOfRangeException">An argument is out of range.</exception>
    public Momentum(double learningRate, double momentum = 0.9, bool nesterov = false)
        : base(learningRate)
    {
        Coefficient = CheckUnitInterval(momentum, nameof(momentum));
        if (nesterov && momentum == 0.0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(momentum), momentum, "momentum must be positive when nesterov is true, got 0.");
        }

        Nesterov = nesterov;
    }

    /// <summary>The momentum factor μ (the <c>momentum</c> constructor argument).</summary>
    public double Coefficient { get; }

    /// <summary>Whether the update uses Nesterov momentum.</summary>
    public bool Nesterov { get; }

    /// <inheritdoc/>
    protected override void Update(Parameter parameter)
    {
        Span<float> theta = parameter.Value.Span;
        ReadOnlySpan<float> g = parameter.Grad.Span;
        float lr = (float)LearningRate;
        float mu = (float)Coefficient;

        Span<float> buf;
        if (_buffers.TryGetValue(parameter, out float[]? existing))
        {
            buf = existing;
            ScaleAdd(buf, mu, g);
        }
        else
        {
            var created = new float[theta.Length];
            _buffers.Add(parameter, created);
            buf = created;
            g.CopyTo(buf);
        }

        if (Nesterov)
        {
            ApplyNesterov(theta, g, buf, lr, mu);
        }
        else
        {
            ApplyClassical(theta, buf, lr);
        }
    }

    /// <inheritdoc/>
    protected override void ResetState() => _buffers.Clear();

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, float[]>> GetSlots(Parameter parameter) =>
        _buffers.TryGetValue(parameter, out float[]? b) ? [new("momentum_buffer", b)] : [];

    /// <inheritdoc/>
    protected override void SetSlots(Parameter parameter, IReadOnlyDictionary<string, float[]> slots, long step)
    {
        if (slots.TryGetValue("momentum_buffer", out float[]? b))
        {
            _buffers[parameter] = b;
        }
    }

    /// <summary>buf ← μ·buf + g.</summary>
    private static void ScaleAdd(Span<float> buf, float mu, ReadOnlySpan<float> g)
    {
        Span<Vector<float>> bufV = MemoryMarshal.Cast<float, Vector<float>>(buf);
        ReadOnlySpan<Vector<float>> gV = MemoryMarshal.Cast<float, Vector<float>>(g);
        var muV = new Vector<float>(mu);
        for (int i = 0; i < bufV.Length; i++)
        {
            bufV[i] = muV * bufV[i] + gV[i];
        }

        for (int i = bufV.Length * Vector<float>.Count; i < buf.Length; i++)
        {
            buf[i] = mu * buf[i] + g[i];
        }
    }

    /// <summary>θ ← θ − lr·buf.</summary>
    private static void ApplyClassical(Span<float> theta, ReadOnlySpan<float> buf, float lr)
    {
        Span<Vector<float>> thetaV = MemoryMarshal.Cast<float, Vector<float>>(theta);
        ReadOnlySpan<Vector<float>> bufV = MemoryMarshal.Cast<float, Vector<float>>(buf);
        var lrV = new Vector<float>(lr);
        for (int i = 0; i < thetaV.Length; i++)
        {
            thetaV[i] -= lrV * bufV[i];
        }

        for (int i = thetaV.Length * Vector<float>.Count; i < theta.Length; i++)
        {
            theta[i] -= lr * buf[i];
        }
    }

    /// <summary>θ ← θ − lr·(g + μ·buf).</summary>
    private static void ApplyNesterov(Span<float> theta, ReadOnlySpan<float> g, ReadOnlySpan<float> buf, float lr, float mu)
    {
        Span<Vector<float>> thetaV = MemoryMarshal.Cast<float, Vector<float>>(theta);
        ReadOnlySpan<Vector<float>> gV = MemoryMarshal.Cast<float, Vector<float>>(g);
        ReadOnlySpan<Vector<float>> bufV = MemoryMarshal.Cast<float, Vector<float>>(buf);
        var lrV = new Vector<float>(lr);
        var muV = new Vector<float>(mu);
        for (int i = 0; i < thetaV.Length; i++)
        {
            thetaV[i] -= lrV * (gV[i] + muV * bufV[i]);
        }

        for (int i = thetaV.Length * Vector<float>.Count; i < theta.Length; i++)
        {
            theta[i] -= lr * (g[i] + mu * buf[i]);
        }
    }
}
