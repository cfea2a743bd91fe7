using System.Numerics;
using System.Runtime.InteropServices;
using Recur.Layers;

namespace Recur.Optimizers;

/// <summary>
/// Plain stochastic gradient descent: θ ← θ − lr·g, elementwise in float32. TensorFlow 1's
/// <c>GradientDescentOptimizer</c>, <c>torch.optim.SGD</c> without momentum, weight decay
/// or dampening, and Keras's <c>SGD</c> with momentum 0. Keeps no state.
/// </summary>
public sealed class Sgd : Optimizer
{
    /// <summary>Creates the optimizer.</summary>
    /// <param name="learningRate">The step size lr; finite and positive.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is not finite and positive.</exception>
    public Sgd(double learningRate)
        : base(learningRate)
    {
    }

    /// <inheritdoc/>
    protected override void Update(Parameter parameter)
    {
        Span<float> theta = parameter.Value.Span;
        ReadOnlySpan<float> g = parameter.Grad.Span;
        float lr = (float)LearningRate;

        Span<Vector<float>> thetaV = MemoryMarshal.Cast<float, Vector<float>>(theta);
        ReadOnlySpan<Vector<float>> gV = MemoryMarshal.Cast<float, Vector<float>>(g);
        var lrV = new Vector<float>(lr);
        for (int i = 0; i < thetaV.Length; i++)
        {
            thetaV[i] -= lrV * gV[i];
        }

        for (int i = thetaV.Length * Vector<float>.Count; i < theta.Length; i++)
        {
            theta[i] -= lr * g[i];
        }
    }

    /// <inheritdoc/>
    protected override void ResetState()
    {
    }
}
