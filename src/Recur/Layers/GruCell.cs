using System.Runtime.CompilerServices;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// The fused gate update of <see cref="Gru"/>, forward and backward, over a block of batch rows: one pass over
/// the <c>[rows, 4H]</c> gate buffer per step, written once over <see cref="ISimd{TV}"/> and compiled per vector
/// width; a row's tail narrower than a vector runs the same operations one float at a time, so every width
/// gives the same bits.
/// </summary>
/// <remarks>
/// The gate buffer's four blocks of H columns are, in this order: <c>n_x = W_in·x + b_in</c>, the reset gate's
/// and the update gate's pre-activations <c>r</c> and <c>z</c> (both parts and both biases), and
/// <c>n_h = W_hn·h + b_hn</c> — the candidate's two parts apart, because the reset gate multiplies only the
/// second: <c>n = tanh(n_x + σ(r)·n_h)</c>, <c>h' = (1 − σ(z))·n + σ(z)·h = n + σ(z)·(h − n)</c>.
/// </remarks>
internal static unsafe class GruCell
{
    /// <summary>
    /// Forward over <paramref name="rows"/> rows. In: the pre-activations <paramref name="z"/> <c>[rows, 4H]</c>
    /// (n_x, r, z, n_h) and <paramref name="hPrev"/>. Out: <paramref name="z"/> holds n, σ(r), σ(z), n_h (the last
    /// block unchanged), and <paramref name="h"/> the new state. <paramref name="hPrev"/> and <paramref name="h"/>
    /// are <c>[rows, H]</c> with row stride <paramref name="ldh"/>.
    /// </summary>
    public static void Forward(SimdWidth width, float* z, float* hPrev, float* h, int ldh, int rows, int hidden)
    {
        switch (width)
        {
            case SimdWidth.Vector512:
                Forward<Simd512, System.Runtime.Intrinsics.Vector512<float>>(z, hPrev, h, ldh, rows, hidden);
                break;
            case SimdWidth.Vector256:
                Forward<Simd256, System.Runtime.Intrinsics.Vector256<float>>(z, hPrev, h, ldh, rows, hidden);
                break;
            case SimdWidth.Vector128:
                Forward<Simd128, System.Runtime.Intrinsics.Vector128<float>>(z, hPrev, h, ldh, rows, hidden);
                break;
            default:
                Forward<SimdScalar, float>(z, hPrev, h, ldh, rows, hidden);
                break;
        }
    }

    /// <summary>
    /// Backward over <paramref name="rows"/> rows. In: what <see cref="Forward"/> kept, <paramref name="a"/>
    /// <c>[rows, 4H]</c> (n, σ(r), σ(z), n_h); <paramref name="hPrev"/> (row stride <paramref name="ldh"/>); and
    /// <paramref name="dh"/> <c>[rows, H]</c>, the gradient of the new state, which leaves holding the part of the
    /// gradient of hPrev that does not go through the weights, <c>dh·σ(z)</c>. Out: <paramref name="dz"/>
    /// <c>[rows, 4H]</c>, the gradients of the pre-activations (n_x, r, z, n_h), which may be <paramref name="a"/>
    /// itself (each element is read before it is overwritten).
    /// </summary>
    public static void Backward(SimdWidth width, float* a, float* hPrev, int ldh, float* dh, float* dz, int rows, int hidden)
    {
        switch (width)
        {
            case SimdWidth.Vector512:
                Backward<Simd512, System.Runtime.Intrinsics.Vector512<float>>(a, hPrev, ldh, dh, dz, rows, hidden);
                break;
            case SimdWidth.Vector256:
                Backward<Simd256, System.Runtime.Intrinsics.Vector256<float>>(a, hPrev, ldh, dh, dz, rows, hidden);
                break;
            case SimdWidth.Vector128:
                Backward<Simd128, System.Runtime.Intrinsics.Vector128<float>>(a, hPrev, ldh, dh, dz, rows, hidden);
                break;
            default:
                Backward<SimdScalar, float>(a, hPrev, ldh, dh, dz, rows, hidden);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Forward<TS, TV>(float* z, float* hPrev, float* h, int ldh, int rows, int hidden)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        nint hh = hidden;
        for (int r = 0; r < rows; r++)
        {
            float* zr = z + (r * 4 * hh);
            nint o = r * (nint)ldh;
            nint j = 0;
            for (; j + TS.Count <= hh; j += TS.Count)
            {
                ForwardAt<TS, TV>(zr + j, hh, hPrev + o + j, h + o + j);
            }

            for (; j < hh; j++)
            {
                ForwardAt<SimdScalar, float>(zr + j, hh, hPrev + o + j, h + o + j);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardAt<TS, TV>(float* z, nint hidden, float* hPrev, float* h)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        TV rg = SimdMath.Sigmoid<TS, TV>(TS.Load(z + hidden));
        TV ug = SimdMath.Sigmoid<TS, TV>(TS.Load(z + (2 * hidden)));
        TV ng = SimdMath.Tanh<TS, TV>(TS.Fma(rg, TS.Load(z + (3 * hidden)), TS.Load(z)));
        TV hn = TS.Fma(ug, TS.Subtract(TS.Load(hPrev), ng), ng);
        TS.Store(ng, z);
        TS.Store(rg, z + hidden);
        TS.Store(ug, z + (2 * hidden));
        TS.Store(hn, h);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Backward<TS, TV>(float* a, float* hPrev, int ldh, float* dh, float* dz, int rows, int hidden)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        nint hh = hidden;
        for (int r = 0; r < rows; r++)
        {
            nint g = r * 4 * hh;
            nint o = r * hh;
            nint p = r * (nint)ldh;
            nint j = 0;
            for (; j + TS.Count <= hh; j += TS.Count)
            {
                BackwardAt<TS, TV>(a + g + j, hh, hPrev + p + j, dh + o + j, dz + g + j);
            }

            for (; j < hh; j++)
            {
                BackwardAt<SimdScalar, float>(a + g + j, hh, hPrev + p + j, dh + o + j, dz + g + j);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardAt<TS, TV>(float* a, nint hidden, float* hPrev, float* dh, float* dz)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        TV one = TS.Broadcast(1f);
        TV ng = TS.Load(a), rg = TS.Load(a + hidden), ug = TS.Load(a + (2 * hidden)), nh = TS.Load(a + (3 * hidden));
        TV dhv = TS.Load(dh);

        // d(n_x) = dh·(1 − z)·(1 − n²): the gradient of the candidate's pre-activation
        TV dn = TS.Multiply(TS.Multiply(dhv, TS.Subtract(one, ug)), TS.Subtract(one, TS.Multiply(ng, ng)));
        TS.Store(dn, dz);
        TS.Store(TS.Multiply(TS.Multiply(dn, nh), TS.Multiply(rg, TS.Subtract(one, rg))), dz + hidden);
        TS.Store(TS.Multiply(TS.Multiply(dhv, TS.Subtract(TS.Load(hPrev), ng)), TS.Multiply(ug, TS.Subtract(one, ug))), dz + (2 * hidden));
        TS.Store(TS.Multiply(dn, rg), dz + (3 * hidden));
        TS.Store(TS.Multiply(dhv, ug), dh);
    }
}
