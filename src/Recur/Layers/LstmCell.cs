using System.Runtime.CompilerServices;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// The fused gate update of <see cref="Lstm"/>, forward and backward, over a block of batch rows: one pass
/// over the <c>[rows, 4H]</c> gate buffer per step, written once over <see cref="ISimd{TV}"/> and compiled
/// per vector width; a row's tail narrower than a vector runs the same operations one float at a time, so
/// every width gives the same bits.
/// </summary>
internal static unsafe class LstmCell
{
    /// <summary>
    /// Forward over <paramref name="rows"/> rows: activates the pre-activations <paramref name="z"/>
    /// <c>[rows, 4H]</c> in place (σ(i), σ(f + forgetBias), tanh(g), σ(o)), then <c>c = i·g + f·cPrev</c> (one
    /// fused multiply-add), <c>tanhC = tanh(c)</c>, <c>h = o·tanhC</c>; the others are <c>[rows, H]</c>, h with row
    /// stride <paramref name="ldh"/>.
    /// </summary>
    public static void Forward(SimdWidth width, float* z, float* cPrev, float* c, float* tanhC, float* h, int ldh, int rows, int hidden, float forgetBias)
    {
        switch (width)
        {
            case SimdWidth.Vector512:
                Forward<Simd512, System.Runtime.Intrinsics.Vector512<float>>(z, cPrev, c, tanhC, h, ldh, rows, hidden, forgetBias);
                break;
            case SimdWidth.Vector256:
                Forward<Simd256, System.Runtime.Intrinsics.Vector256<float>>(z, cPrev, c, tanhC, h, ldh, rows, hidden, forgetBias);
                break;
            case SimdWidth.Vector128:
                Forward<Simd128, System.Runtime.Intrinsics.Vector128<float>>(z, cPrev, c, tanhC, h, ldh, rows, hidden, forgetBias);
                break;
            default:
                Forward<SimdScalar, float>(z, cPrev, c, tanhC, h, ldh, rows, hidden, forgetBias);
                break;
        }
    }

    /// <summary>
    /// Backward over <paramref name="rows"/> rows. In: activated gates <paramref name="a"/> <c>[rows, 4H]</c>,
    /// <paramref name="cPrev"/>, <paramref name="tanhC"/> and <paramref name="dh"/> (the gradient of h) <c>[rows, H]</c>;
    /// <paramref name="dc"/> <c>[rows, H]</c> holds the gradient of c from later steps and leaves holding that of
    /// cPrev. Out: <paramref name="dz"/> <c>[rows, 4H]</c>, the gradient of the pre-activations, which may be
    /// <paramref name="a"/> itself (each element is read before it is overwritten).
    /// </summary>
    public static void Backward(SimdWidth width, float* a, float* cPrev, float* tanhC, float* dh, float* dc, float* dz, int rows, int hidden)
    {
        switch (width)
        {
            case SimdWidth.Vector512:
                Backward<Simd512, System.Runtime.Intrinsics.Vector512<float>>(a, cPrev, tanhC, dh, dc, dz, rows, hidden);
                break;
            case SimdWidth.Vector256:
                Backward<Simd256, System.Runtime.Intrinsics.Vector256<float>>(a, cPrev, tanhC, dh, dc, dz, rows, hidden);
                break;
            case SimdWidth.Vector128:
                Backward<Simd128, System.Runtime.Intrinsics.Vector128<float>>(a, cPrev, tanhC, dh, dc, dz, rows, hidden);
                break;
            default:
                Backward<SimdScalar, float>(a, cPrev, tanhC, dh, dc, dz, rows, hidden);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Forward<TS, TV>(float* z, float* cPrev, float* c, float* tanhC, float* h, int ldh, int rows, int hidden, float forgetBias)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        nint hh = hidden;
        for (int r = 0; r < rows; r++)
        {
            float* zr = z + (r * 4 * hh);
            nint o = r * hh;
            float* hr = h + ((nint)r * ldh);
            nint j = 0;
            for (; j + TS.Count <= hh; j += TS.Count)
            {
                ForwardAt<TS, TV>(zr + j, hh, cPrev + o + j, c + o + j, tanhC + o + j, hr + j, forgetBias);
            }

            for (; j < hh; j++)
            {
                ForwardAt<SimdScalar, float>(zr + j, hh, cPrev + o + j, c + o + j, tanhC + o + j, hr + j, forgetBias);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void ForwardAt<TS, TV>(float* z, nint hidden, float* cPrev, float* c, float* tanhC, float* h, float forgetBias)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        TV ig = SimdMath.Sigmoid<TS, TV>(TS.Load(z));
        TV fg = SimdMath.Sigmoid<TS, TV>(TS.Add(TS.Load(z + hidden), TS.Broadcast(forgetBias)));
        TV gg = SimdMath.Tanh<TS, TV>(TS.Load(z + (2 * hidden)));
        TV og = SimdMath.Sigmoid<TS, TV>(TS.Load(z + (3 * hidden)));
        TV cc = TS.Fma(ig, gg, TS.Multiply(fg, TS.Load(cPrev)));
        TV tc = SimdMath.Tanh<TS, TV>(cc);
        TS.Store(ig, z);
        TS.Store(fg, z + hidden);
        TS.Store(gg, z + (2 * hidden));
        TS.Store(og, z + (3 * hidden));
        TS.Store(cc, c);
        TS.Store(tc, tanhC);
        TS.Store(TS.Multiply(og, tc), h);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Backward<TS, TV>(float* a, float* cPrev, float* tanhC, float* dh, float* dc, float* dz, int rows, int hidden)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        nint hh = hidden;
        for (int r = 0; r < rows; r++)
        {
            nint g = r * 4 * hh;
            nint o = r * hh;
            nint j = 0;
            for (; j + TS.Count <= hh; j += TS.Count)
            {
                BackwardAt<TS, TV>(a + g + j, hh, cPrev + o + j, tanhC + o + j, dh + o + j, dc + o + j, dz + g + j);
            }

            for (; j < hh; j++)
            {
                BackwardAt<SimdScalar, float>(a + g + j, hh, cPrev + o + j, tanhC + o + j, dh + o + j, dc + o + j, dz + g + j);
            }
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void BackwardAt<TS, TV>(float* a, nint hidden, float* cPrev, float* tanhC, float* dh, float* dc, float* dz)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        TV one = TS.Broadcast(1f);
        TV ig = TS.Load(a), fg = TS.Load(a + hidden), gg = TS.Load(a + (2 * hidden)), og = TS.Load(a + (3 * hidden));
        TV tc = TS.Load(tanhC), dhv = TS.Load(dh);

        // dc_t = dc (from step t + 1) + dh·o·(1 − tanh²c)
        TV dct = TS.Fma(TS.Multiply(dhv, og), TS.Subtract(one, TS.Multiply(tc, tc)), TS.Load(dc));
        TS.Store(TS.Multiply(TS.Multiply(dct, gg), TS.Multiply(ig, TS.Subtract(one, ig))), dz);
        TS.Store(TS.Multiply(TS.Multiply(dct, TS.Load(cPrev)), TS.Multiply(fg, TS.Subtract(one, fg))), dz + hidden);
        TS.Store(TS.Multiply(TS.Multiply(dct, ig), TS.Subtract(one, TS.Multiply(gg, gg))), dz + (2 * hidden));
        TS.Store(TS.Multiply(TS.Multiply(dhv, tc), TS.Multiply(og, TS.Subtract(one, og))), dz + (3 * hidden));
        TS.Store(TS.Multiply(dct, fg), dc);
    }
}
