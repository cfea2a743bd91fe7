using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Recur.Tensors;

/// <summary>
/// The B operand of a matrix product, op(B) <c>[k, n]</c>, packed once into the zero-padded micro-panels a
/// <see cref="GemmPath"/>'s kernel reads, so a product repeated with the same B (a recurrent layer's weights
/// at every step of a sequence) does not pack it again. Used by
/// <see cref="Gemm.Multiply(bool, int, float, ReadOnlySpan{float}, int, PackedMatrix, float, Span{float}, int)"/>.
/// </summary>
/// <remarks>
/// Layout: op(B) is cut into the same equal depth blocks as an unpacked product of depth k; depth block
/// [pc, pc + kc) starts at <c>pc · PaddedColumns</c> and holds <c>PaddedColumns / NR</c> micro-panels of
/// <c>kc × NR</c> floats each. The storage is pinned, 64-byte aligned and reused by later packs of the same
/// or a smaller size, so packing allocates nothing after the first time. Read-only once packed: several
/// threads may multiply with it at once.
/// </remarks>
internal sealed unsafe class PackedMatrix
{
    private const int Alignment = 64;
    private float[]? _array;
    private nint _capacity;

    /// <summary>The kernel family the panels are laid out for.</summary>
    public GemmPath Path { get; private set; }

    /// <summary>k, rows of op(B).</summary>
    public int Depth { get; private set; }

    /// <summary>n, columns of op(B).</summary>
    public int Columns { get; private set; }

    /// <summary>n rounded up to the kernel's NR.</summary>
    public int PaddedColumns { get; private set; }

    /// <summary>The first packed float.</summary>
    public float* Data { get; private set; }

    /// <summary>Packs op(B) <c>[k, n]</c>: B stored <c>[k, n]</c>, or <c>[n, k]</c> when <paramref name="transB"/>, row stride <paramref name="ldb"/>.</summary>
    /// <exception cref="ArgumentException">A size is negative or <paramref name="b"/> is too short for it.</exception>
    public void Pack(GemmPath path, bool transB, int k, int n, ReadOnlySpan<float> b, int ldb)
    {
        int rows = transB ? n : k, cols = transB ? k : n;
        if (k < 0 || n < 0 || ldb < cols || b.Length < GemmChecks.MinimumLength(rows, cols, ldb))
        {
            throw new ArgumentException(
                $"PackedMatrix.Pack: k = {k}, n = {n}, ldb = {ldb} (B stored [{rows}, {cols}]) do not fit b of {b.Length} elements.", nameof(b));
        }

        switch (path)
        {
            case GemmPath.Vector512:
                Pack<GemmKernel512>(transB, k, n, b, ldb);
                break;
            case GemmPath.Vector256:
                Pack<GemmKernel256>(transB, k, n, b, ldb);
                break;
            case GemmPath.Vector128:
                Pack<GemmKernel128>(transB, k, n, b, ldb);
                break;
            default:
                Pack<GemmKernelScalar>(transB, k, n, b, ldb);
                break;
        }

        Path = path;
    }

    private void Pack<TKernel>(bool transB, int k, int n, ReadOnlySpan<float> b, int ldb)
        where TKernel : struct, IGemmMicroKernel
    {
        nint padded = (n + TKernel.NR - 1) / TKernel.NR * TKernel.NR;
        Ensure(Math.Max(1, k * padded));
        Depth = k;
        Columns = n;
        PaddedColumns = (int)padded;
        if (k == 0 || n == 0)
        {
            return;
        }

        nint kcMax = Gemm.DepthBlocks<TKernel>(k).KcMax;
        fixed (float* pb = b)
        {
            var op = new GemmOperands(null, 0, false, pb, ldb, transB, null, 0, 1f);
            for (nint pc = 0; pc < k; pc += kcMax)
            {
                nint kc = Math.Min(kcMax, k - pc);
                float* block = Data + (pc * padded);
                for (nint jc = 0; jc < n; jc += TKernel.NC)
                {
                    GemmPacking.PackB<TKernel>(in op, pc, kc, jc, Math.Min(TKernel.NC, n - jc), block + (jc * kc));
                }
            }
        }
    }

    private void Ensure(nint length)
    {
        if (length <= _capacity)
        {
            return;
        }

        // Pinned arrays never move, so the aligned pointer stays valid while _array holds the array.
        _array = GC.AllocateUninitializedArray<float>(checked((int)length + (Alignment / sizeof(float))), pinned: true);
        nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
        Data = (float*)((start + Alignment - 1) & ~(nint)(Alignment - 1));
        _capacity = length;
    }
}
