using System.Runtime.CompilerServices;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// The fused cells of the layer-normalised <see cref="Lstm"/> and <see cref="Gru"/> (Ba, Kiros and Hinton 2016, §3.3),
/// forward and backward over a block of batch rows, on the gate rows <see cref="RecurrentLayout.Normalized"/> lays out:
/// the input product <c>p_x = W_ih·x</c> and the recurrent product <c>p_h = W_hh·h</c> apart, then the cell's own columns.
/// </summary>
/// <remarks>
/// <para>Gate row of an LSTM, <c>[13H + 3]</c>: <c>[0, 4H)</c> p_x, normalised in place to x̂_x, and in backward its
/// gradient; <c>[4H, 8H)</c> the same for p_h; <c>[8H, 12H)</c> the activations i, f, g, o, then their pre-activations'
/// gradients; <c>[12H, 13H)</c> the normalised cell state ĉ; then 1/σ of x, h and c. A GRU's, <c>[10H + 2]</c>: p_x and
/// p_h (<c>[3H]</c> each, gates r, z, n), the four blocks <see cref="GruCell"/> works on (n_x, r, z, n_h), 1/σ of x and h.</para>
/// <para>A normalisation is over the row's whole P = 4H (3H) products, as the paper's LN-LSTM, PyTorch's
/// <c>LayerNormLSTMCell</c> (benchmarks/fastrnns) and TensorFlow Addons' <c>LayerNormLSTMCell</c> do: mean and variance
/// (biased, ε inside the root, as <c>torch.nn.functional.layer_norm</c>) summed in float over eight fixed lanes
/// (element j into lane j mod 8, the lanes added pairwise), so the sums, like the elementwise parts written over
/// <see cref="ISimd{TV}"/>, give the same bits at every vector width and on every thread count.</para>
/// <para>The gradients of the gains and shifts are summed per batch row over the steps in the cell's backward, into
/// <c>accumulators [B, K]</c> (K = 18H for an LSTM: α_x, β_x, α_h, β_h in 4H each, α_c, β_c in H; 12H for a GRU), and the
/// layer adds the rows up in order after the pass: each row is one shard's, so no sum depends on the sharding.</para>
/// </remarks>
internal static unsafe class LayerNormCell
{
    private const int Lanes = 8;

    /// <summary>Gate columns of a layer-normalised LSTM of <paramref name="hidden"/> units.</summary>
    public static int LstmGates(int hidden) => (13 * hidden) + 3;

    /// <summary>Gate columns of a layer-normalised GRU of <paramref name="hidden"/> units.</summary>
    public static int GruGates(int hidden) => (10 * hidden) + 2;

    /// <summary>Accumulator columns per batch row of a layer-normalised LSTM.</summary>
    public static int LstmAccumulators(int hidden) => 18 * hidden;

    /// <summary>Accumulator columns per batch row of a layer-normalised GRU.</summary>
    public static int GruAccumulators(int hidden) => 12 * hidden;

    /// <summary>
    /// LSTM forward over <paramref name="rows"/> rows of <paramref name="z"/> (row stride <paramref name="ldz"/>, p_x and
    /// p_h in): normalises both, forms <c>a = α_x·x̂_x + β_x + α_h·x̂_h + β_h + b</c>, the gates i, f, g, o (the forget
    /// gate with <paramref name="forgetBias"/>), <c>c = f·cPrev + i·g</c>, <c>t = tanh(α_c·LN(c) + β_c)</c> and
    /// <c>h = o·t</c>. <paramref name="cPrev"/>, <paramref name="c"/>, <paramref name="tanhC"/> (which receives t) are
    /// <c>[rows, H]</c>; <paramref name="h"/> has row stride <paramref name="ldh"/>.
    /// </summary>
    public static void LstmForward(SimdWidth width, float* z, int ldz, float* cPrev, float* c, float* tanhC, float* h, int ldh, int rows, int hidden,
        float forgetBias, in NormWeights w)
    {
        switch (width)
        {
            case SimdWidth.Vector512:
                LstmForward<Simd512, System.Runtime.Intrinsics.Vector512<float>>(z, ldz, cPrev, c, tanhC, h, ldh, rows, hidden, forgetBias, w);
                break;
            case SimdWidth.Vector256:
                LstmForward<Simd256, System.Runtime.Intrinsics.Vector256<float>>(z, ldz, cPrev, c, tanhC, h, ldh, rows, hidden, forgetBias, w);
                break;
            case SimdWidth.Vector128:
                LstmForward<Simd128, System.Runtime.Intrinsics.Vector128<float>>(z, ldz, cPrev, c, tanhC, h, ldh, rows, hidden, forgetBias, w);
                break;
            default:
                LstmForward<SimdScalar, float>(z, ldz, cPrev, c, tanhC, h, ldh, rows, hidden, forgetBias, w);
                break;
        }
    }

    /// <summary>
    /// LSTM backward over <paramref name="rows"/> rows. In: what <see cref="LstmForward"/> kept in <paramref name="z"/>,
    /// <paramref name="cPrev"/> and <paramref name="tanhC"/> <c>[rows, H]</c>, <paramref name="dh"/> <c>[rows, H]</c> (used as
    /// scratch), <paramref name="dc"/> <c>[rows, H]</c> (the gradient of c from later steps; leaves holding that of
    /// cPrev). Out: the gradients of p_x and p_h over x̂_x and x̂_h, those of the gains and shifts added into
    /// <paramref name="accumulators"/> <c>[rows, 18H]</c>.
    /// </summary>
    public static void LstmBackward(SimdWidth width, float* z, int ldz, float* cPrev, float* tanhC, float* dh, float* dc, float* accumulators, int rows,
        int hidden, in NormWeights w)
    {
        switch (width)
        {
            case SimdWidth.Vector512:
                LstmBackward<Simd512, System.Runtime.Intrinsics.Vector512<float>>(z, ldz, cPrev, tanhC, dh, dc, accumulators, rows, hidden, w);
                break;
            case SimdWidth.Vector256:
                LstmBackward<Simd256, System.Runtime.Intrinsics.Vector256<float>>(z, ldz, cPrev, tanhC, dh, dc, accumulators, rows, hidden, w);
                break;
            case SimdWidth.Vector128:
                LstmBackward<Simd128, System.Runtime.Intrinsics.Vector128<float>>(z, ldz, cPrev, tanhC, dh, dc, accumulators, rows, hidden, w);
                break;
            default:
                LstmBackward<SimdScalar, float>(z, ldz, cPrev, tanhC, dh, dc, accumulators, rows, hidden, w);
                break;
        }
    }

    /// <summary>
    /// GRU forward over <paramref name="rows"/> rows of <paramref name="z"/> (row stride <paramref name="ldz"/>, p_x and p_h
    /// in): normalises both, forms <c>a_x = α_x·x̂_x + β_x + b_ih</c> and <c>a_h = α_h·x̂_h + β_h + b_hh</c>, then PyTorch's
    /// cell on them (<see cref="GruCell"/>: <c>n = tanh(a_x,n + σ(r)·a_h,n)</c>). <paramref name="hPrev"/> and
    /// <paramref name="h"/> are <c>[rows, H]</c> with row stride <paramref name="ldh"/>.
    /// </summary>
    public static void GruForward(SimdWidth width, float* z, int ldz, float* hPrev, float* h, int ldh, int rows, int hidden, in NormWeights w)
    {
        switch (width)
        {
            case SimdWidth.Vector512:
                GruForward<Simd512, System.Runtime.Intrinsics.Vector512<float>>(width, z, ldz, hPrev, h, ldh, rows, hidden, w);
                break;
            case SimdWidth.Vector256:
                GruForward<Simd256, System.Runtime.Intrinsics.Vector256<float>>(width, z, ldz, hPrev, h, ldh, rows, hidden, w);
                break;
            case SimdWidth.Vector128:
                GruForward<Simd128, System.Runtime.Intrinsics.Vector128<float>>(width, z, ldz, hPrev, h, ldh, rows, hidden, w);
                break;
            default:
                GruForward<SimdScalar, float>(width, z, ldz, hPrev, h, ldh, rows, hidden, w);
                break;
        }
    }

    /// <summary>
    /// GRU backward over <paramref name="rows"/> rows. In: what <see cref="GruForward"/> kept, <paramref name="hPrev"/>
    /// (row stride <paramref name="ldh"/>), <paramref name="dh"/> <c>[rows, H]</c>, which leaves holding the direct part of
    /// hPrev's gradient (<c>dh·σ(z)</c>). Out: the gradients of p_x and p_h over x̂_x and x̂_h, those of the gains and
    /// shifts (the shifts' being the biases') added into <paramref name="accumulators"/> <c>[rows, 12H]</c>.
    /// </summary>
    public static void GruBackward(SimdWidth width, float* z, int ldz, float* hPrev, int ldh, float* dh, float* accumulators, int rows, int hidden, in NormWeights w)
    {
        switch (width)
        {
            case SimdWidth.Vector512:
                GruBackward<Simd512, System.Runtime.Intrinsics.Vector512<float>>(width, z, ldz, hPrev, ldh, dh, accumulators, rows, hidden, w);
                break;
            case SimdWidth.Vector256:
                GruBackward<Simd256, System.Runtime.Intrinsics.Vector256<float>>(width, z, ldz, hPrev, ldh, dh, accumulators, rows, hidden, w);
                break;
            case SimdWidth.Vector128:
                GruBackward<Simd128, System.Runtime.Intrinsics.Vector128<float>>(width, z, ldz, hPrev, ldh, dh, accumulators, rows, hidden, w);
                break;
            default:
                GruBackward<SimdScalar, float>(width, z, ldz, hPrev, ldh, dh, accumulators, rows, hidden, w);
                break;
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LstmForward<TS, TV>(float* z, int ldz, float* cPrev, float* c, float* tanhC, float* h, int ldh, int rows, int hidden,
        float forgetBias, NormWeights w)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        nint hh = hidden, p = 4 * hh;
        for (int r = 0; r < rows; r++)
        {
            float* zr = z + ((nint)r * ldz), a = zr + (2 * p), cHat = zr + (3 * p), stats = cHat + hh;
            nint o = r * hh;
            stats[0] = Normalize<TS, TV>(zr, p, w.Epsilon);
            stats[1] = Normalize<TS, TV>(zr + p, p, w.Epsilon);
            nint j = 0;
            for (; j + TS.Count <= hh; j += TS.Count)
            {
                LstmGatesAt<TS, TV>(zr, a, j, hh, cPrev + o + j, c + o + j, forgetBias, w);
            }

            for (; j < hh; j++)
            {
                LstmGatesAt<SimdScalar, float>(zr, a, j, hh, cPrev + o + j, c + o + j, forgetBias, w);
            }

            new ReadOnlySpan<float>(c + o, hidden).CopyTo(new Span<float>(cHat, hidden));
            stats[2] = Normalize<TS, TV>(cHat, hh, w.Epsilon);
            float* hr = h + ((nint)r * ldh);
            for (j = 0; j + TS.Count <= hh; j += TS.Count)
            {
                LstmOutputAt<TS, TV>(a + (3 * hh) + j, cHat + j, w.GainC + j, w.ShiftC + j, tanhC + o + j, hr + j);
            }

            for (; j < hh; j++)
            {
                LstmOutputAt<SimdScalar, float>(a + (3 * hh) + j, cHat + j, w.GainC + j, w.ShiftC + j, tanhC + o + j, hr + j);
            }
        }
    }

    /// <summary>Unit j's four gates: each pre-activation from the two normalised products, activated into <paramref name="a"/>; c.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LstmGatesAt<TS, TV>(float* zr, float* a, nint j, nint hidden, float* cPrev, float* c, float forgetBias, in NormWeights w)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        nint p = 4 * hidden;
        TV ig = SimdMath.Sigmoid<TS, TV>(Combined<TS, TV>(zr, p, j, w));
        TV fg = SimdMath.Sigmoid<TS, TV>(TS.Add(Combined<TS, TV>(zr, p, j + hidden, w), TS.Broadcast(forgetBias)));
        TV gg = SimdMath.Tanh<TS, TV>(Combined<TS, TV>(zr, p, j + (2 * hidden), w));
        TV og = SimdMath.Sigmoid<TS, TV>(Combined<TS, TV>(zr, p, j + (3 * hidden), w));
        TS.Store(ig, a + j);
        TS.Store(fg, a + hidden + j);
        TS.Store(gg, a + (2 * hidden) + j);
        TS.Store(og, a + (3 * hidden) + j);
        TS.Store(TS.Fma(ig, gg, TS.Multiply(fg, TS.Load(cPrev))), c);
    }

    /// <summary>An LSTM's pre-activation k: <c>(α_x·x̂_x + β_x) + (α_h·x̂_h + β_h) + b</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV Combined<TS, TV>(float* zr, nint p, nint k, in NormWeights w)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        TV x = TS.Fma(TS.Load(w.GainX + k), TS.Load(zr + k), TS.Load(w.ShiftX + k));
        TV hh = TS.Fma(TS.Load(w.GainH + k), TS.Load(zr + p + k), TS.Load(w.ShiftH + k));
        return TS.Add(TS.Add(x, hh), TS.Load(w.BiasX + k));
    }

    /// <summary><c>t = tanh(α_c·ĉ + β_c)</c>, <c>h = o·t</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LstmOutputAt<TS, TV>(float* og, float* cHat, float* gain, float* shift, float* tanhC, float* h)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        TV t = SimdMath.Tanh<TS, TV>(TS.Fma(TS.Load(gain), TS.Load(cHat), TS.Load(shift)));
        TS.Store(t, tanhC);
        TS.Store(TS.Multiply(TS.Load(og), t), h);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void LstmBackward<TS, TV>(float* z, int ldz, float* cPrev, float* tanhC, float* dh, float* dc, float* accumulators, int rows, int hidden,
        NormWeights w)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        nint hh = hidden, p = 4 * hh, k = 18 * hh;
        for (int r = 0; r < rows; r++)
        {
            float* zr = z + ((nint)r * ldz), a = zr + (2 * p), cHat = zr + (3 * p), stats = cHat + hh, acc = accumulators + (r * k);
            nint o = r * hh;

            // Through h = o·tanh(α_c·ĉ + β_c): the output gate's gradient, and that of ĉ's output (into dh, as scratch).
            nint j = 0;
            for (; j + TS.Count <= hh; j += TS.Count)
            {
                LstmOutputBackAt<TS, TV>(a + (3 * hh) + j, tanhC + o + j, dh + o + j, cHat + j, acc + (16 * hh) + j, acc + (17 * hh) + j);
            }

            for (; j < hh; j++)
            {
                LstmOutputBackAt<SimdScalar, float>(a + (3 * hh) + j, tanhC + o + j, dh + o + j, cHat + j, acc + (16 * hh) + j, acc + (17 * hh) + j);
            }

            (float s1, float s2) = GradientSums(dh + o, w.GainC, cHat, hh);
            float rc = stats[2], m1 = s1 / hidden, m2 = s2 / hidden;
            for (j = 0; j + TS.Count <= hh; j += TS.Count)
            {
                LstmCellBackAt<TS, TV>(a + j, hh, cPrev + o + j, dh + o + j, cHat + j, w.GainC + j, dc + o + j, rc, m1, m2);
            }

            for (; j < hh; j++)
            {
                LstmCellBackAt<SimdScalar, float>(a + j, hh, cPrev + o + j, dh + o + j, cHat + j, w.GainC + j, dc + o + j, rc, m1, m2);
            }

            // Through the two normalisations: da is the gradient of both normalised products.
            NormBackward<TS, TV>(zr, a, w.GainX, acc, acc + p, p, stats[0], GradientSums(a, w.GainX, zr, p), p);
            NormBackward<TS, TV>(zr + p, a, w.GainH, acc + (2 * p), acc + (3 * p), p, stats[1], GradientSums(a, w.GainH, zr + p, p), p);
        }
    }

    /// <summary>
    /// The output gate's pre-activation gradient over <paramref name="og"/>, and the gradient of <c>y = α_c·ĉ + β_c</c>,
    /// <c>dh·o·(1 − t²)</c>, over <paramref name="dh"/>; β_c's and α_c's gradients added into their accumulators.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LstmOutputBackAt<TS, TV>(float* og, float* tanhC, float* dh, float* cHat, float* accGain, float* accShift)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        TV one = TS.Broadcast(1f);
        TV o = TS.Load(og), t = TS.Load(tanhC), d = TS.Load(dh);
        TV dy = TS.Multiply(TS.Multiply(d, o), TS.Subtract(one, TS.Multiply(t, t)));
        TS.Store(TS.Multiply(TS.Multiply(d, t), TS.Multiply(o, TS.Subtract(one, o))), og);
        TS.Store(dy, dh);
        TS.Store(TS.Fma(dy, TS.Load(cHat), TS.Load(accGain)), accGain);
        TS.Store(TS.Add(TS.Load(accShift), dy), accShift);
    }

    /// <summary>
    /// c's gradient, <c>dc + 1/σ_c·(dy·α_c − m1 − ĉ·m2)</c>, into the gates i, f, g's pre-activation gradients over
    /// <paramref name="a"/>, and cPrev's gradient over <paramref name="dc"/>.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void LstmCellBackAt<TS, TV>(float* a, nint hidden, float* cPrev, float* dy, float* cHat, float* gain, float* dc, float rc, float m1, float m2)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        TV one = TS.Broadcast(1f);
        TV ig = TS.Load(a), fg = TS.Load(a + hidden), gg = TS.Load(a + (2 * hidden));
        TV dct = TS.Add(TS.Load(dc), NormGradient<TS, TV>(TS.Load(dy), TS.Load(gain), TS.Load(cHat), rc, m1, m2));
        TS.Store(TS.Multiply(TS.Multiply(dct, gg), TS.Multiply(ig, TS.Subtract(one, ig))), a);
        TS.Store(TS.Multiply(TS.Multiply(dct, TS.Load(cPrev)), TS.Multiply(fg, TS.Subtract(one, fg))), a + hidden);
        TS.Store(TS.Multiply(TS.Multiply(dct, ig), TS.Subtract(one, TS.Multiply(gg, gg))), a + (2 * hidden));
        TS.Store(TS.Multiply(dct, fg), dc);
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GruForward<TS, TV>(SimdWidth width, float* z, int ldz, float* hPrev, float* h, int ldh, int rows, int hidden, NormWeights w)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        nint hh = hidden, p = 3 * hh;
        for (int r = 0; r < rows; r++)
        {
            float* zr = z + ((nint)r * ldz), a = zr + (2 * p), stats = a + (4 * hh);
            stats[0] = Normalize<TS, TV>(zr, p, w.Epsilon);
            stats[1] = Normalize<TS, TV>(zr + p, p, w.Epsilon);
            nint j = 0;
            for (; j + TS.Count <= hh; j += TS.Count)
            {
                GruGatesAt<TS, TV>(zr, a, j, hh, w);
            }

            for (; j < hh; j++)
            {
                GruGatesAt<SimdScalar, float>(zr, a, j, hh, w);
            }

            nint row = (nint)r * ldh;
            GruCell.Forward(width, a, hPrev + row, h + row, ldh, 1, hidden);
        }
    }

    /// <summary>Unit j's four pre-activations of <see cref="GruCell"/>: n_x, r, z (both parts), n_h.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void GruGatesAt<TS, TV>(float* zr, float* a, nint j, nint hidden, in NormWeights w)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        nint p = 3 * hidden;
        TS.Store(TS.Add(GruPart<TS, TV>(zr, j, w.GainX, w.ShiftX, w.BiasX), GruPart<TS, TV>(zr + p, j, w.GainH, w.ShiftH, w.BiasH)), a + hidden + j);
        nint u = j + hidden;
        TS.Store(TS.Add(GruPart<TS, TV>(zr, u, w.GainX, w.ShiftX, w.BiasX), GruPart<TS, TV>(zr + p, u, w.GainH, w.ShiftH, w.BiasH)), a + (2 * hidden) + j);
        nint n = j + (2 * hidden);
        TS.Store(GruPart<TS, TV>(zr, n, w.GainX, w.ShiftX, w.BiasX), a + j);
        TS.Store(GruPart<TS, TV>(zr + p, n, w.GainH, w.ShiftH, w.BiasH), a + (3 * hidden) + j);
    }

    /// <summary>A GRU's normalised product at k: <c>(α·x̂ + β) + b</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV GruPart<TS, TV>(float* xHat, nint k, float* gain, float* shift, float* bias)
        where TS : struct, ISimd<TV>
        where TV : struct =>
        TS.Add(TS.Fma(TS.Load(gain + k), TS.Load(xHat + k), TS.Load(shift + k)), TS.Load(bias + k));

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void GruBackward<TS, TV>(SimdWidth width, float* z, int ldz, float* hPrev, int ldh, float* dh, float* accumulators, int rows, int hidden,
        NormWeights w)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        nint hh = hidden, p = 3 * hh, k = 12 * hh;
        for (int r = 0; r < rows; r++)
        {
            float* zr = z + ((nint)r * ldz), a = zr + (2 * p), stats = a + (4 * hh), acc = accumulators + (r * k);
            GruCell.Backward(width, a, hPrev + ((nint)r * ldh), ldh, dh + (r * hh), a, 1, hidden);

            // a: d n_x, dr, dz, d n_h. The input product's gradient is (dr, dz, d n_x) in its gate order r, z, n — three
            // pieces of a — and the recurrent product's (dr, dz, d n_h), a[H, 4H) as it is.
            (float r1, float r2) = GradientSums(a + hh, w.GainX, zr, 2 * hh);
            (float n1, float n2) = GradientSums(a, w.GainX + (2 * hh), zr + (2 * hh), hh);
            (float, float) sums = (r1 + n1, r2 + n2);
            NormBackward<TS, TV>(zr, a + hh, w.GainX, acc, acc + p, 2 * hh, stats[0], sums, p);
            NormBackward<TS, TV>(zr + (2 * hh), a, w.GainX + (2 * hh), acc + (2 * hh), acc + p + (2 * hh), hh, stats[0], sums, p);
            NormBackward<TS, TV>(zr + p, a + hh, w.GainH, acc + (2 * p), acc + (3 * p), p, stats[1], GradientSums(a + hh, w.GainH, zr + p, p), p);
        }
    }

    /// <summary>
    /// Normalises <paramref name="v"/> <c>[n]</c> in place, <c>(v − mean)/σ</c> with <c>σ = √(var + ε)</c>; returns 1/σ.
    /// The mean and the variance (of the deviations, two passes) are float sums over eight fixed lanes.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Normalize<TS, TV>(float* v, nint n, float epsilon)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        float mean = LaneSum(v, n, 0f, false) / n;
        float rstd = 1f / MathF.Sqrt((LaneSum(v, n, mean, true) / n) + epsilon);
        TV m = TS.Broadcast(mean), s = TS.Broadcast(rstd);
        nint j = 0;
        for (; j + TS.Count <= n; j += TS.Count)
        {
            TS.Store(TS.Multiply(TS.Subtract(TS.Load(v + j), m), s), v + j);
        }

        for (; j < n; j++)
        {
            v[j] = (v[j] - mean) * rstd;
        }

        return rstd;
    }

    /// <summary>Σ v (or Σ (v − mean)² when <paramref name="squares"/>) over eight lanes, element j into lane j mod 8, the lanes added pairwise.</summary>
    private static float LaneSum(float* v, nint n, float mean, bool squares)
    {
        float* s = stackalloc float[Lanes];
        new Span<float>(s, Lanes).Clear();
        for (nint j = 0; j < n; j++)
        {
            float d = squares ? v[j] - mean : v[j];
            s[j & (Lanes - 1)] += squares ? d * d : d;
        }

        return ((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7]));
    }

    /// <summary>
    /// The two sums a normalisation's backward needs over <paramref name="n"/> elements: <c>Σ dy·α</c> and <c>Σ dy·α·x̂</c>,
    /// each over eight lanes as <see cref="LaneSum"/>.
    /// </summary>
    private static (float Sum, float SumXHat) GradientSums(float* dy, float* gain, float* xHat, nint n)
    {
        float* s = stackalloc float[2 * Lanes];
        new Span<float>(s, 2 * Lanes).Clear();
        for (nint j = 0; j < n; j++)
        {
            float g = dy[j] * gain[j];
            s[j & (Lanes - 1)] += g;
            s[Lanes + (j & (Lanes - 1))] += g * xHat[j];
        }

        return (((s[0] + s[1]) + (s[2] + s[3])) + ((s[4] + s[5]) + (s[6] + s[7])),
            ((s[8] + s[9]) + (s[10] + s[11])) + ((s[12] + s[13]) + (s[14] + s[15])));
    }

    /// <summary>
    /// A normalisation's backward over <paramref name="n"/> of its <paramref name="count"/> elements: with
    /// <paramref name="sums"/> over all of them (<see cref="GradientSums"/>), <c>dv = 1/σ·(dy·α − mean(dy·α) − x̂·mean(dy·α·x̂))</c>
    /// over <paramref name="xHat"/>; <c>dy·x̂</c> and <c>dy</c> added into the gain's and the shift's accumulators.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void NormBackward<TS, TV>(float* xHat, float* dy, float* gain, float* accGain, float* accShift, nint n, float rstd, (float Sum, float SumXHat) sums,
        nint count)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        float m1 = sums.Sum / count, m2 = sums.SumXHat / count;
        nint j = 0;
        for (; j + TS.Count <= n; j += TS.Count)
        {
            NormBackAt<TS, TV>(xHat + j, dy + j, gain + j, accGain + j, accShift + j, rstd, m1, m2);
        }

        for (; j < n; j++)
        {
            NormBackAt<SimdScalar, float>(xHat + j, dy + j, gain + j, accGain + j, accShift + j, rstd, m1, m2);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void NormBackAt<TS, TV>(float* xHat, float* dy, float* gain, float* accGain, float* accShift, float rstd, float m1, float m2)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        TV d = TS.Load(dy), x = TS.Load(xHat);
        TS.Store(TS.Fma(d, x, TS.Load(accGain)), accGain);
        TS.Store(TS.Add(TS.Load(accShift), d), accShift);
        TS.Store(NormGradient<TS, TV>(d, TS.Load(gain), x, rstd, m1, m2), xHat);
    }

    /// <summary><c>1/σ·(dy·α − m1 − x̂·m2)</c>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static TV NormGradient<TS, TV>(TV dy, TV gain, TV xHat, float rstd, float m1, float m2)
        where TS : struct, ISimd<TV>
        where TV : struct =>
        TS.Multiply(TS.Broadcast(rstd), TS.Subtract(TS.Subtract(TS.Multiply(dy, gain), TS.Broadcast(m1)), TS.Multiply(xHat, TS.Broadcast(m2))));
}
