using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Tensors;

/// <summary>
/// Single-precision matrix multiply (sgemm) on row-major storage, built the way BLIS builds it: blocks
/// of op(A) and op(B) are packed into cache-sized, zero-padded panels and a register-blocked SIMD
/// micro-kernel (Vector512, Vector256 or Vector128 with fused multiply-add, or scalar) computes C one
/// micro-tile at a time. Deterministic (the same inputs give bit-identical results on every call, whatever the number of
/// threads), and allocation-free once the calling thread has seen a problem of that size. Large products
/// are split across <see cref="Threading.MaxThreads"/> threads by blocks of rows or columns of C.
/// </summary>
/// <remarks>
/// <para>The loops, outermost first, each in its own method (BLIS's frame/3/gemm):</para>
/// <list type="number">
/// <item>rows of C in blocks of MC (<see cref="LoopOverRowBlocks{TKernel}"/>);</item>
/// <item>depth in blocks of KC, packing the MC × KC block of op(A) (<see cref="LoopOverDepthBlocks{TKernel}"/>);</item>
/// <item>columns of C in blocks of NC, packing the KC × NC block of op(B) (<see cref="LoopOverColumnBlocks{TKernel}"/>);</item>
/// <item>MR-row micro-panels of the packed A (<see cref="LoopOverMicroRows{TKernel}"/>);</item>
/// <item>NR-column micro-panels of the packed B, one micro-kernel call each (<see cref="LoopOverMicroColumns{TKernel}"/>).</item>
/// </list>
/// <para>
/// The micro-kernel broadcasts elements of A and loads vectors of B along a row of C, so the vector
/// dimension is n. In BLIS terms this is the column-major kernel applied to Cᵀ = op(B)ᵀ·op(A)ᵀ, and
/// the cache roles follow BLIS's Zen 4 configuration (32 × 12 sgemm kernel, KC 480, MC 512, NC 6144)
/// with the names of m and n swapped: the A micro-panel (MR × KC) is the one reused from L1 across a
/// whole row of micro-tiles, the B block (KC × NC) stays in L2 and the A block (MC × KC) in L3.
/// The block sizes of each path, and why, are on its kernel struct (GemmKernel512.cs and siblings).
/// </para>
/// <para>
/// In the small-m regime of an RNN step (a batch times the weights) packing B costs more than it
/// saves, so when B is stored [k, n] and m is at most a few micro-rows, the kernel reads B's rows in
/// place (BLIS's "sup" idea); only a partial last micro-panel is packed, to keep the zero padding.
/// </para>
/// <para>
/// Calls from different threads may run at the same time: each thread packs into its own
/// workspace (<see cref="GemmWorkspace"/>), which grows to at most (MC + NC)·KC floats, about
/// 2.3 MiB on the AVX-512 path, and is kept for the thread's lifetime.
/// </para>
/// </remarks>
public static class Gemm
{
    /// <summary>
    /// Computes <c>C = alpha·op(A)·op(B) + beta·C</c> on row-major storage, where op(A) is <c>[m, k]</c>,
    /// op(B) is <c>[k, n]</c> and C is <c>[m, n]</c>.
    /// </summary>
    /// <remarks>
    /// As in BLAS, beta == 0 means C is not read, so NaN or garbage in C is overwritten; alpha == 0 or
    /// k == 0 means A and B are not read and C becomes beta·C. Elements of <paramref name="c"/> outside
    /// the m × n matrix (between n and <paramref name="ldc"/> in a row, or after the last row) are never
    /// written. Sums run over k in a fixed blocked order that depends only on k, so results are
    /// bit-identical from call to call on the same machine, and each element of C depends only on its
    /// row of op(A), its column of op(B) and its old value: splitting a product into blocks of rows or
    /// columns (across threads, say) gives the same bits as one call. They may differ in the last
    /// bits from <see cref="GemmReference"/>, which sums without fused multiply-adds.
    /// </remarks>
    /// <param name="transA">False: A is stored <c>[m, k]</c>. True: A is stored <c>[k, m]</c> and op(A) = Aᵀ.</param>
    /// <param name="transB">False: B is stored <c>[k, n]</c>. True: B is stored <c>[n, k]</c> and op(B) = Bᵀ.</param>
    /// <param name="m">Rows of C and of op(A).</param>
    /// <param name="n">Columns of C and of op(B).</param>
    /// <param name="k">Columns of op(A) and rows of op(B).</param>
    /// <param name="alpha">Scale of the product. When 0, A and B are not read.</param>
    /// <param name="a">Storage of A; at least (rows - 1)·<paramref name="lda"/> + columns elements of A as stored.</param>
    /// <param name="lda">Row stride of A as stored; at least its number of columns (k, or m when <paramref name="transA"/>).</param>
    /// <param name="b">Storage of B; at least (rows - 1)·<paramref name="ldb"/> + columns elements of B as stored.</param>
    /// <param name="ldb">Row stride of B as stored; at least its number of columns (n, or k when <paramref name="transB"/>).</param>
    /// <param name="beta">Scale of the old C. When 0, C is not read (NaN in C is overwritten).</param>
    /// <param name="c">Storage of C <c>[m, n]</c>; at least (m - 1)·<paramref name="ldc"/> + n elements. Must not overlap A or B.</param>
    /// <param name="ldc">Row stride of C; at least <paramref name="n"/>.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size is negative, or a leading dimension is smaller than the row length of its matrix.</exception>
    /// <exception cref="ArgumentException">A span is shorter than the matrix it holds, or <paramref name="c"/> overlaps A or B.</exception>
    public static void Multiply(bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc) =>
        Multiply(DefaultPath, Threading.Effective, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    /// <summary>The widest micro-kernel the machine accelerates; chosen once, used by <see cref="Multiply(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>.</summary>
    internal static GemmPath DefaultPath { get; } =
        Vector512.IsHardwareAccelerated ? GemmPath.Vector512
        : Vector256.IsHardwareAccelerated ? GemmPath.Vector256
        : Vector128.IsHardwareAccelerated ? GemmPath.Vector128
        : GemmPath.Scalar;

    /// <summary>
    /// <see cref="Multiply(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>
    /// on one thread with the micro-kernel family chosen by the caller; tests use it to exercise every path on
    /// one machine. A path the hardware does not accelerate still gives correct results, slowly.
    /// </summary>
    internal static void Multiply(GemmPath path, bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc) =>
        Multiply(path, 1, transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);

    /// <summary>
    /// The product on up to <paramref name="threads"/> threads: a product of at least
    /// <see cref="ParallelMinFlops"/> is cut into blocks of rows of C (or of columns, when C has few rows),
    /// one per thread, which gives the same bits as one call (see the remarks of
    /// <see cref="Multiply(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>).
    /// </summary>
    internal static unsafe void Multiply(GemmPath path, int threads, bool transA, bool transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        GemmChecks.Check(transA, transB, m, n, k, a, lda, b, ldb, c, ldc);
        if (IsTrivial(m, n, k, alpha, beta, c, ldc))
        {
            return;
        }

        fixed (float* pa = a)
        fixed (float* pb = b)
        fixed (float* pc = c)
        {
            var op = new GemmOperands(pa, lda, transA, pb, ldb, transB, pc, ldc, alpha);
            int parts = threads <= 1 || 2.0 * m * n * k < ParallelMinFlops ? 1 : Math.Min(threads, Threading.MaxSupportedThreads);
            if (parts > 1)
            {
                GemmParallel.Run(path, in op, m, n, k, beta, parts);
            }
            else
            {
                Run(path, in op, m, n, k, beta, null, 0);
            }
        }
    }

    /// <summary>
    /// <c>C = alpha·op(A)·B + beta·C</c> on one thread with B packed beforehand (<see cref="PackedMatrix"/>
    /// <c>[k, n]</c>): the product a recurrent layer repeats at every step with the same weights. Gives the
    /// same bits as <see cref="Multiply(bool, bool, int, int, int, float, ReadOnlySpan{float}, int, ReadOnlySpan{float}, int, float, Span{float}, int)"/>
    /// on the unpacked B.
    /// </summary>
    internal static unsafe void Multiply(bool transA, int m, float alpha, ReadOnlySpan<float> a, int lda,
        PackedMatrix b, float beta, Span<float> c, int ldc)
    {
        int n = b.Columns, k = b.Depth;
        long aNeeded = transA ? GemmChecks.MinimumLength(k, m, lda) : GemmChecks.MinimumLength(m, k, lda);
        if (m < 0 || lda < (transA ? m : k) || a.Length < aNeeded || ldc < n || c.Length < GemmChecks.MinimumLength(m, n, ldc))
        {
            throw new ArgumentException(
                $"Gemm with a packed B [{k}, {n}]: m = {m}, lda = {lda}, ldc = {ldc} do not fit a ({a.Length} elements) or c ({c.Length} elements).");
        }

        if (IsTrivial(m, n, k, alpha, beta, c, ldc))
        {
            return;
        }

        fixed (float* pa = a)
        fixed (float* pc = c)
        {
            var op = new GemmOperands(pa, lda, transA, null, 0, false, pc, ldc, alpha);
            Run(b.Path, in op, m, n, k, beta, b.Data, b.PaddedColumns);
        }
    }

    /// <summary>Runs the loops of <paramref name="path"/>'s kernel; <paramref name="prepacked"/> is B packed whole (<see cref="PackedMatrix"/>) or null.</summary>
    internal static unsafe void Run(GemmPath path, in GemmOperands op, int m, int n, int k, float beta, float* prepacked, nint packedWidth)
    {
        switch (path)
        {
            case GemmPath.Vector512:
                LoopOverRowBlocks<GemmKernel512>(in op, m, n, k, beta, prepacked, packedWidth);
                break;
            case GemmPath.Vector256:
                LoopOverRowBlocks<GemmKernel256>(in op, m, n, k, beta, prepacked, packedWidth);
                break;
            case GemmPath.Vector128:
                LoopOverRowBlocks<GemmKernel128>(in op, m, n, k, beta, prepacked, packedWidth);
                break;
            case GemmPath.Scalar:
                LoopOverRowBlocks<GemmKernelScalar>(in op, m, n, k, beta, prepacked, packedWidth);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(path), path, $"path = {path} is not a GemmPath.");
        }
    }

    /// <summary>
    /// Products smaller than this many floating-point operations run on one thread: below it, waking a
    /// worker costs more than half the product saves. 8 MFLOP is about 80 µs on one Zen 4 core.
    /// </summary>
    internal const double ParallelMinFlops = 8e6;

    /// <summary>The equal depth blocks a product of depth <paramref name="k"/> is cut into: their number and the largest one.</summary>
    internal static (nint Blocks, nint KcMax) DepthBlocks<TKernel>(nint k)
        where TKernel : struct, IGemmMicroKernel
    {
        // The depth is split into equal blocks of at most KC, so k = KC + 1 does not leave a sliver
        // of depth 1 that would cost a whole extra pass over C.
        nint depthBlocks = Math.Max(1, (k + TKernel.KC - 1) / TKernel.KC);
        return (depthBlocks, (k + depthBlocks - 1) / depthBlocks);
    }

    /// <summary>The register and cache block sizes of <paramref name="path"/>; tests size their sweeps from them.</summary>
    internal static (int MR, int NR, int MC, int KC, int NC) BlockSizes(GemmPath path) => path switch
    {
        GemmPath.Vector512 => Sizes<GemmKernel512>(),
        GemmPath.Vector256 => Sizes<GemmKernel256>(),
        GemmPath.Vector128 => Sizes<GemmKernel128>(),
        _ => Sizes<GemmKernelScalar>(),
    };

    private static (int MR, int NR, int MC, int KC, int NC) Sizes<TKernel>()
        where TKernel : struct, IGemmMicroKernel =>
        (TKernel.MR, TKernel.NR, TKernel.MC, TKernel.KC, TKernel.NC);

    /// <summary>
    /// Handles the products that need no multiplication: an empty C (nothing to do), or k == 0 or alpha == 0
    /// (C = beta·C). Returns whether it did.
    /// </summary>
    private static bool IsTrivial(int m, int n, int k, float alpha, float beta, Span<float> c, int ldc)
    {
        if (m == 0 || n == 0)
        {
            return true;
        }

        if (k == 0 || alpha == 0f)
        {
            Scale(m, n, beta, c, ldc);
            return true;
        }

        return false;
    }

    /// <summary>C = beta·C over the m × n matrix only; beta == 0 writes zeros without reading C.</summary>
    private static void Scale(int m, int n, float beta, Span<float> c, int ldc)
    {
        if (beta == 1f)
        {
            return;
        }

        for (int i = 0; i < m; i++)
        {
            Span<float> row = c.Slice(i * ldc, n);
            if (beta == 0f)
            {
                row.Clear();
            }
            else
            {
                for (int j = 0; j < row.Length; j++)
                {
                    row[j] *= beta;
                }
            }
        }
    }

    /// <summary>
    /// Loop 5: rows of C in blocks of MC; each block is an independent product. Also decides whether
    /// B is packed (see <see cref="ReadBInPlace{TKernel}"/>) and takes the pack buffers from the
    /// thread's workspace.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void LoopOverRowBlocks<TKernel>(in GemmOperands op, nint m, nint n, nint k, float beta,
        float* prepacked, nint packedWidth)
        where TKernel : struct, IGemmMicroKernel
    {
        nint kcMax = DepthBlocks<TKernel>(k).KcMax;
        nint mcMax = Math.Min(m, TKernel.MC);
        nint ncMax = Math.Min(n, TKernel.NC);
        bool bInPlace = prepacked == null && ReadBInPlace<TKernel>(op.TransB, m);

        // B read in place still packs its partial last micro-panel, so it needs one panel of room.
        GemmWorkspace workspace = GemmWorkspace.Current;
        float* packA = workspace.PackA(RoundUp(mcMax, TKernel.MR) * kcMax);
        float* packB = prepacked != null ? null
            : workspace.PackB((bInPlace ? TKernel.NR : RoundUp(ncMax, TKernel.NR)) * kcMax);
        float* tile = workspace.Tile(TKernel.MR * TKernel.NR);

        for (nint ic = 0; ic < m; ic += TKernel.MC)
        {
            nint mc = Math.Min(TKernel.MC, m - ic);
            LoopOverDepthBlocks<TKernel>(in op, ic, mc, n, k, kcMax, beta, packA, bInPlace, packB, tile, prepacked, packedWidth);
        }
    }

    /// <summary>Loop 4: depth in blocks of at most <paramref name="kcMax"/>; packs the mc × kc block of op(A).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void LoopOverDepthBlocks<TKernel>(in GemmOperands op, nint ic, nint mc, nint n, nint k,
        nint kcMax, float beta, float* packA, bool bInPlace, float* packB, float* tile, float* prepacked, nint packedWidth)
        where TKernel : struct, IGemmMicroKernel
    {
        for (nint pc = 0; pc < k; pc += kcMax)
        {
            nint kc = Math.Min(kcMax, k - pc);
            GemmPacking.PackA<TKernel>(in op, ic, mc, pc, kc, packA);

            // The first depth block applies the caller's beta; later ones accumulate onto it.
            float blockBeta = pc == 0 ? beta : 1f;
            float* packedBlock = prepacked == null ? null : prepacked + (pc * packedWidth);
            LoopOverColumnBlocks<TKernel>(in op, ic, mc, pc, kc, n, blockBeta, packA, bInPlace, packB, tile, packedBlock);
        }
    }

    /// <summary>
    /// Loop 3: columns of C in blocks of NC; packs the kc × nc block of op(B), or only its partial last
    /// micro-panel when B is read in place.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void LoopOverColumnBlocks<TKernel>(in GemmOperands op, nint ic, nint mc, nint pc, nint kc,
        nint n, float beta, float* packA, bool bInPlace, float* packB, float* tile, float* packedBlock)
        where TKernel : struct, IGemmMicroKernel
    {
        for (nint jc = 0; jc < n; jc += TKernel.NC)
        {
            nint nc = Math.Min(TKernel.NC, n - jc);
            nint fullColumns = nc - (nc % TKernel.NR);
            GemmPanels bPanels;
            if (packedBlock != null)
            {
                // Packed beforehand: the panels of columns jc … jc + nc start after jc / NR panels of kc rows.
                float* first = packedBlock + (jc * kc);
                bPanels = new GemmPanels(first, TKernel.NR * kc, TKernel.NR, first + (fullColumns * kc));
            }
            else if (!bInPlace)
            {
                GemmPacking.PackB<TKernel>(in op, pc, kc, jc, nc, packB);
                bPanels = new GemmPanels(packB, TKernel.NR * kc, TKernel.NR, packB + (fullColumns * kc));
            }
            else
            {
                // B stored [k, n]: micro-panel s is NR adjacent columns of the storage, row p at p·ldb.
                if (fullColumns < nc)
                {
                    GemmPacking.PackB<TKernel>(in op, pc, kc, jc + fullColumns, nc - fullColumns, packB);
                }

                bPanels = new GemmPanels(op.B + (pc * op.Ldb) + jc, TKernel.NR, op.Ldb, packB);
            }

            float* cBlock = op.C + (ic * op.Ldc) + jc;
            LoopOverMicroRows<TKernel>(mc, nc, kc, packA, in bPanels, cBlock, op.Ldc, op.Alpha, beta, tile);
        }
    }

    /// <summary>Loop 2 (the macro-kernel's outer loop): MR-row micro-panels of the packed A block.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void LoopOverMicroRows<TKernel>(nint mc, nint nc, nint kc, float* packA,
        in GemmPanels bPanels, float* c, nint ldc, float alpha, float beta, float* tile)
        where TKernel : struct, IGemmMicroKernel
    {
        for (nint ir = 0; ir < mc; ir += TKernel.MR)
        {
            nint rows = Math.Min(TKernel.MR, mc - ir);
            LoopOverMicroColumns<TKernel>(rows, nc, kc, packA + (ir * kc), in bPanels, c + (ir * ldc), ldc,
                alpha, beta, tile);
        }
    }

    /// <summary>
    /// Loop 1 (the macro-kernel's inner loop): NR-column micro-panels of the B block, one micro-kernel
    /// call per MR × NR tile of C. The A micro-panel stays in L1 for the whole loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static unsafe void LoopOverMicroColumns<TKernel>(nint rows, nint nc, nint kc, float* aPanel,
        in GemmPanels bPanels, float* c, nint ldc, float alpha, float beta, float* tile)
        where TKernel : struct, IGemmMicroKernel
    {
        nint fullColumns = nc - (nc % TKernel.NR);
        float* bPanel = bPanels.First;
        nint bStep = bPanels.Step;
        nint jr = 0;
        if (rows == TKernel.MR)
        {
            for (; jr < fullColumns; jr += TKernel.NR, bPanel += bPanels.PanelStride)
            {
                TKernel.Run(kc, aPanel, TKernel.MR, bPanel, bStep, c + jr, ldc, alpha, beta);
            }
        }
        else
        {
            for (; jr < fullColumns; jr += TKernel.NR, bPanel += bPanels.PanelStride)
            {
                EdgeTile<TKernel>(rows, TKernel.NR, kc, aPanel, bPanel, bStep, c + jr, ldc, alpha, beta, tile);
            }
        }

        if (jr < nc)
        {
            EdgeTile<TKernel>(rows, nc - jr, kc, aPanel, bPanels.Edge, TKernel.NR, c + jr, ldc, alpha, beta, tile);
        }
    }

    /// <summary>
    /// A tile at the bottom or right edge of C: the micro-kernel writes the full MR × NR product to
    /// <paramref name="tile"/>, and only its rows × cols corner is merged into C, with the same
    /// arithmetic as the kernel (alpha·t + beta·c, or alpha·t when beta == 0), so nothing outside C is
    /// touched and edge elements round exactly as interior ones.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining | MethodImplOptions.AggressiveOptimization)]
    private static unsafe void EdgeTile<TKernel>(nint rows, nint cols, nint kc, float* aPanel,
        float* bPanel, nint bStep, float* c, nint ldc, float alpha, float beta, float* tile)
        where TKernel : struct, IGemmMicroKernel
    {
        TKernel.Run(kc, aPanel, TKernel.MR, bPanel, bStep, tile, TKernel.NR, 1f, 0f);
        for (nint i = 0; i < rows; i++)
        {
            MergeRow(tile + (i * TKernel.NR), c + (i * ldc), cols, alpha, beta);
        }
    }

    /// <summary>
    /// <c>c[j] = alpha·t[j] + beta·c[j]</c> (or <c>alpha·t[j]</c> when beta == 0) for j &lt; <paramref name="cols"/>:
    /// element for element the arithmetic of the micro-kernels' store, in the widest vectors that fit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static unsafe void MergeRow(float* t, float* c, nint cols, float alpha, float beta)
    {
        nint j = 0;
        if (beta == 0f)
        {
            if (Vector512.IsHardwareAccelerated)
            {
                for (; j + 16 <= cols; j += 16)
                {
                    (Vector512.Load(t + j) * alpha).Store(c + j);
                }
            }

            if (Vector256.IsHardwareAccelerated)
            {
                for (; j + 8 <= cols; j += 8)
                {
                    (Vector256.Load(t + j) * alpha).Store(c + j);
                }
            }

            for (; j < cols; j++)
            {
                c[j] = t[j] * alpha;
            }
        }
        else
        {
            if (Vector512.IsHardwareAccelerated)
            {
                for (; j + 16 <= cols; j += 16)
                {
                    ((Vector512.Load(t + j) * alpha) + (Vector512.Load(c + j) * beta)).Store(c + j);
                }
            }

            if (Vector256.IsHardwareAccelerated)
            {
                for (; j + 8 <= cols; j += 8)
                {
                    ((Vector256.Load(t + j) * alpha) + (Vector256.Load(c + j) * beta)).Store(c + j);
                }
            }

            for (; j < cols; j++)
            {
                c[j] = (t[j] * alpha) + (c[j] * beta);
            }
        }
    }

    /// <summary>
    /// Whether the B micro-panels are read straight from the caller's matrix instead of packed: only
    /// possible when B is stored [k, n] (rows of op(B) are contiguous), and only worth it when each B
    /// micro-panel serves few micro-rows (m small, the RNN regime of one batch times the weights).
    /// Packing then costs a read and a write of all of B for little reuse; measured on Zen 4 (AVX-512),
    /// m = 16, n = 512, k = 128 goes from about 75 to about 110 GFLOP/s, while for large m the
    /// packed, sequential panels win (the in-place panel walks down B with stride ldb, a new page
    /// every row or two once ldb is large, which the hardware prefetchers do not follow). The
    /// same walk is why A, whose in-place panels would be strided the same way, is always packed.
    /// </summary>
    private static bool ReadBInPlace<TKernel>(bool transB, nint m)
        where TKernel : struct, IGemmMicroKernel =>
        !transB && m <= InPlaceBMaxMicroRows * TKernel.MR;

    /// <summary>Largest number of MR-row micro-panels of C for which B is read in place (see <see cref="ReadBInPlace{TKernel}"/>).</summary>
    private const int InPlaceBMaxMicroRows = 6;

    private static nint RoundUp(nint value, nint multiple) => (value + multiple - 1) / multiple * multiple;
}
