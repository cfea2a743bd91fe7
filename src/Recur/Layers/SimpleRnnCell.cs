using System.Runtime.CompilerServices;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// The cell of <see cref="SimpleRnn"/>, forward and backward, over a block of batch rows: <c>h' = act(z)</c>
/// with act tanh or relu, written once over <see cref="ISimd{TV}"/> and compiled per vector width; a row's tail
/// narrower than a vector runs the same operations one float at a time, so every width gives the same bits.
/// </summary>
internal static unsafe class SimpleRnnCell
{
    /// <summary>
    /// Forward over <paramref name="rows"/> rows: <paramref name="z"/> <c>[rows, H]</c>, the pre-activations,
    /// becomes <c>act(z)</c>, which is also written to <paramref name="h"/> (row stride <paramref name="ldh"/>).
    /// </summary>
    public static void Forward(SimdWidth width, float* z, float* h, int ldh, int rows, int hidden, RnnActivation activation)
    {
        switch (width)
        {
            case SimdWidth.Vector512:
                Forward<Simd512, System.Runtime.Intrinsics.Vector512<float>>(z, h, ldh, rows, hidden, activation);
                break;
            case SimdWidth.Vector256:
                Forward<Simd256, System.Runtime.Intrinsics.Vector256<float>>(z, h, ldh, rows, hidden, activation);
                break;
            case SimdWidth.Vector128:
                Forward<Simd128, System.Runtime.Intrinsics.Vector128<float>>(z, h, ldh, rows, hidden, activation);
                break;
            default:
                Forward<SimdScalar, float>(z, h, ldh, rows, hidden, activation);
                break;
        }
    }

    /// <summary>
    /// Backward over <paramref name="rows"/> rows: from the outputs <paramref name="a"/> <c>[rows, H]</c> (what
    /// <see cref="Forward"/> left in z) and their gradient <paramref name="dh"/>, writes the gradient of the
    /// pre-activations <c>dh·act'</c> (<c>dh·(1 − h²)</c> for tanh, <c>dh</c> where h &gt; 0 and 0 elsewhere for relu)
    /// to <paramref name="dz"/>, which may be <paramref name="a"/> itself.
    /// </summary>
    public static void Backward(SimdWidth width, float* a, float* dh, float* dz, int rows, int hidden, RnnActivation activation)
    {
        switch (width)
        {
            case SimdWidth.Vector512:
                Backward<Simd512, System.Runtime.Intrinsics.Vector512<float>>(a, dh, dz, rows * hidden, activation);
                break;
            case SimdWidth.Vector256:
                Backward<Simd256, System.Runtime.Intrinsics.Vector256<float>>(a, dh, dz, rows * hidden, activation);
                break;
            case SimdWidth.Vector128:
                Backward<Simd128, System.Runtime.Intrinsics.Vector128<float>>(a, dh, dz, rows * hidden, activation);
                break;
            default:
                Backward<SimdScalar, float>(a, dh, dz, rows * hidden, activation);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Forward<TS, TV>(float* z, float* h, int ldh, int rows, int hidden, RnnActivation activation)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        bool relu = activation == RnnActivation.Relu;
        nint hh = hidden;
        for (int r = 0; r < rows; r++)
        {
            float* zr = z + (r * hh), hr = h + (r * (nint)ldh);
            nint j = 0;
            for (; j + TS.Count <= hh; j += TS.Count)
            {
                ForwardAt<TS, TV>(zr + j, hr + j, relu);
            }

            for (; j < hh; j++)
            {
                ForwardAt<SimdScalar, float>(zr + j, hr + j, relu);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardAt<TS, TV>(float* z, float* h, bool relu)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        TV v = TS.Load(z);
        v = relu ? TS.Max(v, TS.Broadcast(0f)) : SimdMath.Tanh<TS, TV>(v);
        TS.Store(v, z);
        TS.Store(v, h);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Backward<TS, TV>(float* a, float* dh, float* dz, int count, RnnActivation activation)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        bool relu = activation == RnnActivation.Relu;
        nint n = count, j = 0;
        for (; j + TS.Count <= n; j += TS.Count)
        {
            BackwardAt<TS, TV>(a + j, dh + j, dz + j, relu);
        }

        for (; j < n; j++)
        {
            BackwardAt<SimdScalar, float>(a + j, dh + j, dz + j, relu);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardAt<TS, TV>(float* a, float* dh, float* dz, bool relu)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        TV h = TS.Load(a), d = TS.Load(dh);
        TS.Store(relu ? TS.IfPositive(h, d) : TS.Multiply(d, TS.Subtract(TS.Broadcast(1f), TS.Multiply(h, h))), dz);
    }
}
