namespace Recur.Tensors;

/// <summary>
/// The naive twin of <see cref="Gemm"/>: the same contract computed by a plain triple loop, summing in
/// float in increasing k order. Slow on purpose; it is the oracle the tests compare the fast kernel with.
/// </summary>
public static class GemmReference
{
    /// <summary>
    /// Effectively computes <c>C = alpha·op(A)·op(B) + beta·C</c> on row-major storage, exactly as
    /// <see cref="Gemm.Multiply(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/> does, one dot product per element of C.
    /// </summary>
    /// <param name="transA">False: A is stored <c>[m, k]</c>. True: A is stored <c>[k, m]</c> and op(A) = Aᵀ.</param>
    /// <param name="transB">False: B is stored <c>[k, n]</c>. True: B is stored <c>[n, k]</c> and op(B) = Bᵀ.</param>
    /// <param name="m">Rows of C and of op(A).</param>
    /// <param name="n">Columns of C and of op(B).</param>
    /// <param name="k">Columns of op(A) and rows of op(B).</param>
    /// <param name="alpha">Scale of the product. When 0, A and B are not read.</param>
    /// <param name="a">Storage of A; at least (rows - 1)·<paramref name="lda"/> + columns elements.</param>
    /// <param name="lda">Row stride of A as stored; at least its number of columns.</param>
    /// <param name="b">Storage of B; at least (rows - 1)·<paramref name="ldb"/> + columns elements.</param>
    /// <param name="ldb">Row stride of B as stored; at least its number of columns.</param>
    /// <param name="beta">Scale of the old C. When 0, C is not read (NaN in C is overwritten).</param>
    /// <param name="c">Storage of C <c>[m, n]</c>; at least (m - 1)·<paramref name="ldc"/> + n elements. Must not overlap A or B.</param>
    /// <param name="ldc">Row stride of C; at least <paramref name="n"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative or a leading dimension is too small.</exception>
    /// <exception cref="ArgumentException">A span is too short, or <paramref name="c"/> overlaps an input.</exception>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        GemmChecks.Check(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        bool readInputs = k > 0 && alpha != 0f;
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j < n; j++)
            {
                float sum = 0f;
                if (readInputs)
                {
                    for (int p = 0; p < k; p++)
                    {
                        float aip = transA ? a[(p * lda) + i] : a[(i * lda) + p];
                        float bpj = transB ? b[(j * ldb) + p] : b[(p * ldb) + j];
                        sum += aip * bpj;
                    }
                }

                ref float cij = ref c[(i * ldc) + j];
                cij = beta == 0f ? alpha * sum : (alpha * sum) + (beta * cij);
            }
        }
    }
}
