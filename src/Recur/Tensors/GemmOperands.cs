namespace Recur.Tensors;

/// <summary>
/// The pinned operands of one <see cref="Gemm"/> call, passed by reference down the loop levels:
/// A (<c>[m, k]</c>, or <c>[k, m]</c> when <see cref="TransA"/>), B (<c>[k, n]</c>, or <c>[n, k]</c> when
/// <see cref="TransB"/>), C (<c>[m, n]</c>), their row strides, and alpha.
/// </summary>
internal readonly unsafe struct GemmOperands
{
    public readonly float* A;
    public readonly nint Lda;
    public readonly bool TransA;
    public readonly float* B;
    public readonly nint Ldb;
    public readonly bool TransB;
    public readonly float* C;
    public readonly nint Ldc;
    public readonly float Alpha;

    public GemmOperands(float* a, nint lda, bool transA, float* b, nint ldb, bool transB, float* c, nint ldc, float alpha)
    {
        A = a;
        Lda = lda;
        TransA = transA;
        B = b;
        Ldb = ldb;
        TransB = transB;
        C = c;
        Ldc = ldc;
        Alpha = alpha;
    }
}
