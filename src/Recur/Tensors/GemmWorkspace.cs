using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Recur.Tensors;

/// <summary>
/// The pack buffers of one thread, kept between calls so that a <see cref="Gemm"/> call whose sizes were
/// seen before allocates nothing. Buffers only grow; they are pinned (pinned object heap) and their
/// pointers aligned to 64 bytes, the width of a cache line and of a Vector512.
/// </summary>
internal sealed unsafe class GemmWorkspace
{
    private const int Alignment = 64;

    [ThreadStatic]
    private static GemmWorkspace? t_current;

    private Buffer _packA;
    private Buffer _packB;
    private Buffer _tile;

    /// <summary>The workspace of the calling thread, created on first use.</summary>
    public static GemmWorkspace Current => t_current ??= new GemmWorkspace();

    /// <summary>Room for a packed block of op(A): at least <paramref name="length"/> floats, 64-byte aligned.</summary>
    public float* PackA(nint length) => _packA.Ensure(length);

    /// <summary>Room for a packed block of op(B): at least <paramref name="length"/> floats, 64-byte aligned.</summary>
    public float* PackB(nint length) => _packB.Ensure(length);

    /// <summary>Room for one MR × NR edge tile of C: at least <paramref name="length"/> floats, 64-byte aligned.</summary>
    public float* Tile(nint length) => _tile.Ensure(length);

    private struct Buffer
    {
        private float[]? _array;
        private float* _aligned;
        private nint _capacity;

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        public float* Ensure(nint length) => length <= _capacity ? _aligned : Grow(length);

        private float* Grow(nint length)
        {
            // Pinned arrays never move, so the aligned pointer stays valid for the array's lifetime,
            // which is the workspace's (the array is kept in _array).
            int extra = Alignment / sizeof(float);
            _array = GC.AllocateUninitializedArray<float>(checked((int)length + extra), pinned: true);
            nint start = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_array));
            nint aligned = (start + Alignment - 1) & ~(nint)(Alignment - 1);
            _aligned = (float*)aligned;
            _capacity = length;
            return _aligned;
        }
    }
}
