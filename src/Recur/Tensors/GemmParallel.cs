namespace Recur.Tensors;

/// <summary>
/// One large product split across the <see cref="WorkerPool"/>: part p computes a block of rows of C (a
/// multiple of MR rows) when C has at least as many rows as columns, else a block of columns (a multiple
/// of NR). Every element of C is computed exactly as in one call, so the split changes no bit.
/// </summary>
internal sealed unsafe class GemmParallel : IParallelWork
{
    [ThreadStatic]
    private static GemmParallel? t_work;

    private GemmPath _path;
    private GemmOperands _op;
    private int _m;
    private int _n;
    private int _k;
    private float _beta;
    private bool _byRows;
    private int _align;

    /// <summary>Runs the product <paramref name="op"/> in <paramref name="parts"/> parts; the operands must stay pinned until it returns.</summary>
    public static void Run(GemmPath path, in GemmOperands op, int m, int n, int k, float beta, int parts)
    {
        var (mr, nr, _, _, _) = Gemm.BlockSizes(path);
        GemmParallel work = t_work ??= new GemmParallel();
        work._path = path;
        work._op = op;
        work._m = m;
        work._n = n;
        work._k = k;
        work._beta = beta;
        // Each part packs all of the operand that is not split: split the longer side of C, so the
        // duplicated packing is of the smaller operand (rows of C: B is packed by every part).
        work._byRows = m >= n ? m >= mr * parts || n < nr * parts : n < nr * parts;
        work._align = work._byRows ? mr : nr;
        int units = (work._byRows ? m : n) / work._align;
        parts = Math.Max(1, Math.Min(parts, units));
        WorkerPool.Shared.Run(work, parts);
    }

    /// <inheritdoc/>
    public void Run(int part, int parts)
    {
        ref readonly GemmOperands op = ref _op;
        int size = _byRows ? _m : _n;
        int start = WorkerPool.Split(size, parts, part, _align);
        int end = WorkerPool.Split(size, parts, part + 1, _align);
        if (end <= start)
        {
            return;
        }

        if (_byRows)
        {
            float* a = op.TransA ? op.A + start : op.A + (start * op.Lda);
            var sub = new GemmOperands(a, op.Lda, op.TransA, op.B, op.Ldb, op.TransB, op.C + (start * op.Ldc), op.Ldc, op.Alpha);
            Gemm.Run(_path, in sub, end - start, _n, _k, _beta, null, 0);
        }
        else
        {
            float* b = op.TransB ? op.B + (start * op.Ldb) : op.B + start;
            var sub = new GemmOperands(op.A, op.Lda, op.TransA, b, op.Ldb, op.TransB, op.C + start, op.Ldc, op.Alpha);
            Gemm.Run(_path, in sub, _m, end - start, _k, _beta, null, 0);
        }
    }
}
