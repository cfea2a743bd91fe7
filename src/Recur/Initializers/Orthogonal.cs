using Recur.Tensors;

namespace Recur.Initializers;

/// <summary>
/// A random orthogonal matrix times <see cref="Gain"/> (Saxe et al.): Keras's default
/// <c>recurrent_initializer</c> and PyTorch's <c>orthogonal_</c>.
/// </summary>
/// <remarks>
/// <para>
/// The tensor is viewed as a matrix W of <c>rows = Dim(0)</c> and <c>cols = Length / rows</c>
/// (PyTorch's flattening; for a weight <c>[out, in]</c> it is the weight itself). A
/// Gaussian matrix A of shape <c>[max(rows, cols), min(rows, cols)]</c> is drawn in
/// row-major order from <see cref="Rng.NextGaussian"/>, factored A = QR in double, and Q is
/// sign-corrected so that diag(R) &gt; 0 — the unique QR with a positive diagonal, which
/// makes Q Haar-distributed. W = gain·Q when rows ≥ cols (orthonormal columns:
/// WᵀW = gain²·I) and W = gain·Qᵀ otherwise (orthonormal rows: WWᵀ = gain²·I). This is
/// Keras 3's <c>Orthogonal</c> algorithm; since Keras's kernels are <c>[in, out]</c>, the
/// transpose of Recur's <c>[out, in]</c>, a Keras recurrent kernel <c>[H, 4H]</c> with
/// orthonormal rows corresponds to Recur's <c>weight_hh</c> <c>[4H, H]</c> with orthonormal
/// columns.
/// </para>
/// <para>
/// The QR factorisation is modified Gram–Schmidt with one re-orthogonalisation pass
/// ("twice is enough"), which keeps Q orthonormal to double rounding; Gram–Schmidt
/// produces R with a positive diagonal directly, so the sign correction is built in.
/// The fans are ignored. Cost: about 4·max·min² flops, in scalar double with a fixed
/// summation order, so the result is the same on every machine.
/// </para>
/// </remarks>
public sealed record Orthogonal : IInitializer
{
    /// <summary>Creates the initializer.</summary>
    /// <param name="gain">The scale applied to the orthogonal matrix; finite and positive.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="gain"/> is not finite and positive.</exception>
    public Orthogonal(float gain = 1f)
    {
        Gain = gain;
    }

    /// <summary>The scale applied to the orthogonal matrix; finite and positive.</summary>
    public float Gain
    {
        get;
        init
        {
            if (!(value > 0f) || !float.IsFinite(value))
            {
                throw new ArgumentOutOfRangeException(
                    "gain", value, $"Orthogonal gain must be finite and positive, got {value}.");
            }

            field = value;
        }
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentException"><paramref name="tensor"/> has rank below 2.</exception>
    public void Fill(Tensor tensor, int fanIn, int fanOut, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(tensor);
        ArgumentNullException.ThrowIfNull(rng);
        if (tensor.Rank < 2)
        {
            throw new ArgumentException(
                $"Orthogonal needs a tensor of rank 2 or more, got shape {Tensor.FormatShape(tensor.Shape)}.", nameof(tensor));
        }

        if (tensor.Length == 0)
        {
            return;
        }

        int rows = tensor.Dim(0);
        int cols = tensor.Length / rows;
        int m = Math.Max(rows, cols);
        int n = Math.Min(rows, cols);

        // q holds A column by column (column j at [j*m, (j+1)*m)); A is drawn row-major.
        var q = new double[checked(m * n)];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                q[j * m + i] = rng.NextGaussian();
            }
        }

        Orthonormalize(q, m, n);

        Span<float> w = tensor.Span;
        double gain = Gain;
        if (rows >= cols)
        {
            // W[i, j] = gain·Q[i, j], W is [m, n].
            for (int i = 0; i < m; i++)
            {
                for (int j = 0; j < n; j++)
                {
                    w[i * n + j] = (float)(gain * q[j * m + i]);
                }
            }
        }
        else
        {
            // W[i, j] = gain·Q[j, i], W is [n, m]: row i of W is column i of Q.
            for (int i = 0; i < n; i++)
            {
                for (int j = 0; j < m; j++)
                {
                    w[i * m + j] = (float)(gain * q[i * m + j]);
                }
            }
        }
    }

    /// <summary>
    /// Replaces the n columns (each of length m, stored contiguously) of a full-rank matrix
    /// by the Q of its QR factorisation with positive diag(R): modified Gram–Schmidt, two passes.
    /// </summary>
    internal static void Orthonormalize(double[] columns, int m, int n)
    {
        for (int j = 0; j < n; j++)
        {
            Span<double> v = columns.AsSpan(j * m, m);
            for (int pass = 0; pass < 2; pass++)
            {
                for (int i = 0; i < j; i++)
                {
                    ReadOnlySpan<double> qi = columns.AsSpan(i * m, m);
                    double r = Dot(qi, v);
                    for (int k = 0; k < m; k++)
                    {
                        v[k] -= r * qi[k];
                    }
                }
            }

            double norm = Math.Sqrt(Dot(v, v));
            if (!(norm > 0.0) || !double.IsFinite(norm))
            {
                throw new InvalidOperationException(
                    $"Orthogonal: column {j} of the Gaussian matrix is numerically dependent (norm {norm}); use another seed.");
            }

            double inverse = 1.0 / norm;
            for (int k = 0; k < m; k++)
            {
                v[k] *= inverse;
            }
        }
    }

    /// <summary>A dot product in a fixed order (four interleaved partial sums, combined pairwise).</summary>
    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        int k = 0;
        for (; k + 4 <= a.Length; k += 4)
        {
            s0 += a[k] * b[k];
            s1 += a[k + 1] * b[k + 1];
            s2 += a[k + 2] * b[k + 2];
            s3 += a[k + 3] * b[k + 3];
        }

        for (; k < a.Length; k++)
        {
            s0 += a[k] * b[k];
        }

        return (s0 + s1) + (s2 + s3);
    }
}
