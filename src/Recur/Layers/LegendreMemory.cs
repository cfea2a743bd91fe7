using System.Globalization;
using System.Numerics;

namespace Recur.Layers;

/// <summary>
/// The fixed linear system of a Legendre Memory Unit (Voelker, Kajić and Eliasmith 2019): the continuous Legendre
/// delay system of order d for a window θ, <c>A[i, j] = (2i+1)/θ · (−1 if i &lt; j else (−1)^(i−j+1))</c>,
/// <c>B[i] = (2i+1)(−1)^i/θ</c>, discretised by zero-order hold for a step of 1: <c>Ā = e^A</c>,
/// <c>B̄ = A⁻¹(e^A − I)B</c>. Everything is computed in double; the layer keeps float copies.
/// </summary>
/// <remarks>
/// <c>Ā</c> and <c>B̄</c> come from one exponential of the augmented matrix <c>[[A, B], [0, 0]]</c>, whose top
/// right column is <c>∫₀¹ e^(As) ds · B = B̄</c> — no inverse of A (what SciPy's <c>cont2discrete(method="zoh")</c>
/// does). The exponential is scaling and squaring around a Taylor series (<see cref="Exp"/>).
/// </remarks>
internal static class LegendreMemory
{
    /// <summary>The continuous system: <c>A [d, d]</c> row-major and <c>B [d]</c>.</summary>
    public static (double[] A, double[] B) Continuous(int order, double theta)
    {
        var a = new double[order * order];
        var b = new double[order];
        for (int i = 0; i < order; i++)
        {
            double scale = ((2 * i) + 1) / theta;
            b[i] = (i % 2 == 0 ? 1 : -1) * scale;
            for (int j = 0; j < order; j++)
            {
                a[(i * order) + j] = scale * (i < j ? -1 : ((i - j + 1) % 2 == 0 ? 1 : -1));
            }
        }

        return (a, b);
    }

    /// <summary>The zero-order-hold discretisation for a step of 1: <c>Ā [d, d]</c> row-major and <c>B̄ [d]</c>.</summary>
    public static (double[] ABar, double[] BBar) Discrete(int order, double theta)
    {
        (double[] a, double[] b) = Continuous(order, theta);
        int n = order + 1;
        var augmented = new double[n * n];
        for (int i = 0; i < order; i++)
        {
            Array.Copy(a, i * order, augmented, i * n, order);
            augmented[(i * n) + order] = b[i];
        }

        double[] e = Exp(augmented, n);
        var aBar = new double[order * order];
        var bBar = new double[order];
        for (int i = 0; i < order; i++)
        {
            Array.Copy(e, i * n, aBar, i * order, order);
            bBar[i] = e[(i * n) + order];
        }

        return (aBar, bBar);
    }

    /// <summary>
    /// The impulse response for <paramref name="steps"/> steps, <c>[T, d]</c> row-major: row j is <c>Ā^(T−1−j)·B̄</c>,
    /// so the memory after the last step, from a zero start, is <c>m_T = Σ_j u_j · row j</c>.
    /// </summary>
    public static double[] ImpulseResponse(double[] aBar, double[] bBar, int steps)
    {
        int d = bBar.Length;
        var h = new double[steps * d];
        var v = (double[])bBar.Clone();
        var next = new double[d];
        for (int j = steps - 1; j >= 0; j--)
        {
            Array.Copy(v, 0, h, j * d, d);
            if (j > 0)
            {
                for (int i = 0; i < d; i++)
                {
                    next[i] = Dot(aBar.AsSpan(i * d, d), v);
                }

                (v, next) = (next, v);
            }
        }

        return h;
    }

    /// <summary>
    /// The matrix exponential of <paramref name="m"/> <c>[n, n]</c> (row-major): scale by 2^−s so the 1-norm is at
    /// most 1/4, sum the Taylor series to 14 terms (remainder below 0.25¹⁵/15! ≈ 8·10⁻²¹ of the norm), square s times.
    /// </summary>
    public static double[] Exp(double[] m, int n)
    {
        double norm = 0;
        for (int j = 0; j < n; j++)
        {
            double column = 0;
            for (int i = 0; i < n; i++)
            {
                column += Math.Abs(m[(i * n) + j]);
            }

            norm = Math.Max(norm, column);
        }

        if (!double.IsFinite(norm))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"LegendreMemory.Exp: the matrix has a non-finite entry (1-norm {norm})."), nameof(m));
        }

        int squarings = norm > 0.25 ? (int)Math.Ceiling(Math.Log2(norm / 0.25)) : 0;
        double scale = Math.Pow(2, -squarings);
        var x = new double[n * n];
        for (int i = 0; i < x.Length; i++)
        {
            x[i] = m[i] * scale;
        }

        // Horner: e^X ≈ I + X(I + X/2(I + X/3(… (I + X/14)))).
        var sum = Identity(n);
        var product = new double[n * n];
        for (int k = 14; k >= 1; k--)
        {
            Multiply(x, sum, product, n);
            for (int i = 0; i < product.Length; i++)
            {
                product[i] /= k;
            }

            for (int i = 0; i < n; i++)
            {
                product[(i * n) + i] += 1;
            }

            (sum, product) = (product, sum);
        }

        for (int s = 0; s < squarings; s++)
        {
            Multiply(sum, sum, product, n);
            (sum, product) = (product, sum);
        }

        return sum;
    }

    private static double[] Identity(int n)
    {
        var id = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            id[(i * n) + i] = 1;
        }

        return id;
    }

    /// <summary><c>c = a·b</c>, all <c>[n, n]</c> row-major; <paramref name="c"/> overlaps neither.</summary>
    private static void Multiply(double[] a, double[] b, double[] c, int n)
    {
        Array.Clear(c);
        int width = Vector<double>.Count;
        for (int i = 0; i < n; i++)
        {
            Span<double> row = c.AsSpan(i * n, n);
            for (int k = 0; k < n; k++)
            {
                double aik = a[(i * n) + k];
                if (aik == 0)
                {
                    continue;
                }

                ReadOnlySpan<double> bk = b.AsSpan(k * n, n);
                var va = new Vector<double>(aik);
                int j = 0;
                for (; j <= n - width; j += width)
                {
                    (new Vector<double>(row[j..]) + (va * new Vector<double>(bk[j..]))).CopyTo(row[j..]);
                }

                for (; j < n; j++)
                {
                    row[j] += aik * bk[j];
                }
            }
        }
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double s = 0;
        for (int i = 0; i < a.Length; i++)
        {
            s += a[i] * b[i];
        }

        return s;
    }
}
