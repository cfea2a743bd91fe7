namespace Recur.Tensors;

/// <summary>
/// A register-blocked GEMM micro-kernel and the cache block sizes that feed it. Implemented by structs
/// so that the generic loops in <see cref="Gemm"/> are compiled once per kernel with the sizes as constants.
/// </summary>
internal unsafe interface IGemmMicroKernel
{
    /// <summary>Rows of the register block: rows of C per micro-tile, rows of a packed A micro-panel.</summary>
    static abstract int MR { get; }

    /// <summary>Columns of the register block: columns of C per micro-tile, columns of a packed B micro-panel.</summary>
    static abstract int NR { get; }

    /// <summary>Rows of op(A) packed at once (a multiple of <see cref="MR"/>).</summary>
    static abstract int MC { get; }

    /// <summary>Depth packed at once: columns of op(A) and rows of op(B) per pack.</summary>
    static abstract int KC { get; }

    /// <summary>Columns of op(B) packed at once (a multiple of <see cref="NR"/>).</summary>
    static abstract int NC { get; }

    /// <summary>
    /// <c>C[0..MR, 0..NR] = alpha·(A·B) + beta·C</c> for one micro-tile. Depth step p of the A
    /// micro-panel is the MR floats at <c>a + p·aStep</c> (column p of op(A)); depth step p of the B
    /// micro-panel is the NR floats at <c>b + p·bStep</c> (row p of op(B)). Packed panels have
    /// aStep = MR and bStep = NR; panels read in place have the caller's row stride. C has row stride
    /// <paramref name="ldc"/>; beta == 0 means C is not read. Products are summed in increasing p, with
    /// fused multiply-adds where the path has them.
    /// </summary>
    static abstract void Run(nint kc, float* a, nint aStep, float* b, nint bStep, float* c, nint ldc, float alpha, float beta);
}
