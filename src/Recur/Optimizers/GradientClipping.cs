using System.Numerics;
using System.Runtime.InteropServices;
using Recur.Layers;

namespace Recur.Optimizers;

/// <summary>
/// Gradient clipping, applied between the backward pass and <see cref="Optimizer.Step"/>.
/// Only trainable parameters are read and changed (frozen ones are what PyTorch sees as
/// parameters without a gradient). Neither method allocates.
/// </summary>
public static class GradientClipping
{
    /// <summary>
    /// Rescales the gradients so that their global L2 norm is at most about
    /// <paramref name="maxNorm"/>, with <c>torch.nn.utils.clip_grad_norm_</c>'s rule:
    /// norm = √(Σ g²) over every trainable parameter's <see cref="Parameter.Grad"/>;
    /// coef = maxNorm / (norm + 1e-6); when coef &lt; 1, every such gradient is multiplied by
    /// (float)coef. So clipping starts when norm &gt; maxNorm − 1e-6, and the clipped norm is
    /// slightly below maxNorm. (TensorFlow's <c>tf.clip_by_global_norm</c> uses
    /// maxNorm / max(norm, maxNorm), without the 1e-6.)
    /// </summary>
    /// <remarks>
    /// The sum of squares is accumulated in double, in list order and element order (four
    /// interleaved partial sums per tensor, combined in a fixed order), so the norm is the
    /// same on every machine. If the norm is NaN or infinite the gradients are left as they
    /// are and the non-finite norm is returned, for the caller to detect divergence.
    /// </remarks>
    /// <param name="parameters">The parameters whose gradients are clipped together.</param>
    /// <param name="maxNorm">The largest allowed global norm; finite and positive.</param>
    /// <returns>The global norm before clipping.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> or one of its items is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxNorm"/> is not finite and positive.</exception>
    public static float ClipByGlobalNorm(IReadOnlyList<Parameter> parameters, float maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0f) || !float.IsFinite(maxNorm))
        {
            throw new ArgumentOutOfRangeException(
                nameof(maxNorm), maxNorm, $"maxNorm must be finite and positive, got {maxNorm}.");
        }

        double sumOfSquares = 0.0;
        for (int i = 0; i < parameters.Count; i++)
        {
            Parameter p = parameters[i] ?? throw new ArgumentNullException(nameof(parameters), $"parameters[{i}] is null.");
            if (p.Trainable)
            {
                sumOfSquares += SumOfSquares(p.Grad.Span);
            }
        }

        double norm = Math.Sqrt(sumOfSquares);
        double coef = maxNorm / (norm + 1e-6);
        if (coef < 1.0)
        {
            float scale = (float)coef;
            for (int i = 0; i < parameters.Count; i++)
            {
                Parameter p = parameters[i];
                if (p.Trainable)
                {
                    Scale(p.Grad.Span, scale);
                }
            }
        }

        return (float)norm;
    }

    /// <summary>
    /// Clamps every element of every trainable gradient to [−<paramref name="clipValue"/>,
    /// <paramref name="clipValue"/>] (<c>torch.nn.utils.clip_grad_value_</c>, Keras's
    /// <c>clipvalue</c>). NaN elements stay NaN.
    /// </summary>
    /// <param name="parameters">The parameters whose gradients are clipped.</param>
    /// <param name="clipValue">The largest allowed magnitude; finite and positive.</param>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> or one of its items is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="clipValue"/> is not finite and positive.</exception>
    public static void ClipByValue(IReadOnlyList<Parameter> parameters, float clipValue)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(clipValue > 0f) || !float.IsFinite(clipValue))
        {
            throw new ArgumentOutOfRangeException(
                nameof(clipValue), clipValue, $"clipValue must be finite and positive, got {clipValue}.");
        }

        for (int i = 0; i < parameters.Count; i++)
        {
            Parameter p = parameters[i] ?? throw new ArgumentNullException(nameof(parameters), $"parameters[{i}] is null.");
            if (!p.Trainable)
            {
                continue;
            }

            Span<float> g = p.Grad.Span;
            for (int k = 0; k < g.Length; k++)
            {
                float x = g[k];
                if (x > clipValue)
                {
                    g[k] = clipValue;
                }
                else if (x < -clipValue)
                {
                    g[k] = -clipValue;
                }
            }
        }
    }

    /// <summary>Σ x² in double, in a fixed order: four interleaved partial sums, then ((s0 + s1) + (s2 + s3)).</summary>
    internal static double SumOfSquares(ReadOnlySpan<float> x)
    {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int k = 0;
        for (; k + 4 <= x.Length; k += 4)
        {
            double a = x[k], b = x[k + 1], c = x[k + 2], d = x[k + 3];
            s0 += a * a;
            s1 += b * b;
            s2 += c * c;
            s3 += d * d;
        }

        for (; k < x.Length; k++)
        {
            double a = x[k];
            s0 += a * a;
        }

        return (s0 + s1) + (s2 + s3);
    }

    private static void Scale(Span<float> x, float scale)
    {
        Span<Vector<float>> xV = MemoryMarshal.Cast<float, Vector<float>>(x);
        var s = new Vector<float>(scale);
        for (int i = 0; i < xV.Length; i++)
        {
            xV[i] *= s;
        }

        for (int i = xV.Length * Vector<float>.Count; i < x.Length; i++)
        {
            x[i] *= scale;
        }
    }
}
