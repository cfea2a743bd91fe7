using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace Recur.Tensors;

/// <summary>
/// The vector width an elementwise kernel runs at. The widest one the machine accelerates is chosen once
/// (<see cref="Simd.Default"/>); tests force the others, and every width gives the same bits, because each
/// is the same sequence of IEEE operations (<see cref="ISimd{TV}"/>) applied lane by lane.
/// </summary>
internal enum SimdWidth
{
    /// <summary>One float at a time.</summary>
    Scalar,

    /// <summary><see cref="Vector128{T}"/>, 4 floats.</summary>
    Vector128,

    /// <summary><see cref="Vector256{T}"/>, 8 floats.</summary>
    Vector256,

    /// <summary><see cref="Vector512{T}"/>, 16 floats.</summary>
    Vector512,
}

/// <summary>The default <see cref="SimdWidth"/>.</summary>
internal static class Simd
{
    /// <summary>The widest width the machine accelerates.</summary>
    public static SimdWidth Default { get; } =
        Vector512.IsHardwareAccelerated ? SimdWidth.Vector512
        : Vector256.IsHardwareAccelerated ? SimdWidth.Vector256
        : Vector128.IsHardwareAccelerated ? SimdWidth.Vector128
        : SimdWidth.Scalar;
}

/// <summary>
/// The operations elementwise kernels are written in, once, generically: implemented by one struct per
/// width (<see cref="Simd512"/>, <see cref="Simd256"/>, <see cref="Simd128"/>, <see cref="SimdScalar"/>), so the
/// JIT compiles a kernel once per width with every call inlined. Each operation is one IEEE operation per
/// lane (<see cref="Fma"/> rounds once), so all widths agree bit for bit on finite inputs.
/// </summary>
/// <typeparam name="TV">The vector type (a float for <see cref="SimdScalar"/>).</typeparam>
internal unsafe interface ISimd<TV>
    where TV : struct
{
    /// <summary>Floats per vector.</summary>
    static abstract int Count { get; }

    /// <summary>Loads <see cref="Count"/> floats.</summary>
    static abstract TV Load(float* p);

    /// <summary>Stores <see cref="Count"/> floats.</summary>
    static abstract void Store(TV v, float* p);

    /// <summary>Every lane <paramref name="x"/>.</summary>
    static abstract TV Broadcast(float x);

    /// <summary>a + b.</summary>
    static abstract TV Add(TV a, TV b);

    /// <summary>a − b.</summary>
    static abstract TV Subtract(TV a, TV b);

    /// <summary>a · b.</summary>
    static abstract TV Multiply(TV a, TV b);

    /// <summary>a / b.</summary>
    static abstract TV Divide(TV a, TV b);

    /// <summary>a · b + c with one rounding.</summary>
    static abstract TV Fma(TV a, TV b, TV c);

    /// <summary>The smaller of a and b.</summary>
    static abstract TV Min(TV a, TV b);

    /// <summary>The larger of a and b.</summary>
    static abstract TV Max(TV a, TV b);

    /// <summary>Rounds to the nearest integer, ties to even.</summary>
    static abstract TV Round(TV a);

    /// <summary>2ⁿ for integral <paramref name="n"/> in [−126, 127], built from the exponent bits.</summary>
    static abstract TV Pow2(TV n);

    /// <summary><paramref name="value"/> where <paramref name="condition"/> &gt; 0, else +0 (lane by lane).</summary>
    static abstract TV IfPositive(TV condition, TV value);
}

/// <summary><see cref="ISimd{TV}"/> on <see cref="Vector512{T}"/>.</summary>
internal readonly unsafe struct Simd512 : ISimd<Vector512<float>>
{
    public static int Count => Vector512<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Load(float* p) => Vector512.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector512<float> v, float* p) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Broadcast(float x) => Vector512.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Add(Vector512<float> a, Vector512<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Subtract(Vector512<float> a, Vector512<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Multiply(Vector512<float> a, Vector512<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Divide(Vector512<float> a, Vector512<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Fma(Vector512<float> a, Vector512<float> b, Vector512<float> c) => Vector512.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Min(Vector512<float> a, Vector512<float> b) => Vector512.Min(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Max(Vector512<float> a, Vector512<float> b) => Vector512.Max(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Round(Vector512<float> a) => Vector512.Round(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> Pow2(Vector512<float> n) =>
        Vector512.ShiftLeft(Vector512.ConvertToInt32(n) + Vector512.Create(127), 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector512<float> IfPositive(Vector512<float> condition, Vector512<float> value) =>
        Vector512.ConditionalSelect(Vector512.GreaterThan(condition, Vector512<float>.Zero), value, Vector512<float>.Zero);
}

/// <summary><see cref="ISimd{TV}"/> on <see cref="Vector256{T}"/>.</summary>
internal readonly unsafe struct Simd256 : ISimd<Vector256<float>>
{
    public static int Count => Vector256<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Load(float* p) => Vector256.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector256<float> v, float* p) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Broadcast(float x) => Vector256.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Add(Vector256<float> a, Vector256<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Subtract(Vector256<float> a, Vector256<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Multiply(Vector256<float> a, Vector256<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Divide(Vector256<float> a, Vector256<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Fma(Vector256<float> a, Vector256<float> b, Vector256<float> c) => Vector256.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Min(Vector256<float> a, Vector256<float> b) => Vector256.Min(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Max(Vector256<float> a, Vector256<float> b) => Vector256.Max(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Round(Vector256<float> a) => Vector256.Round(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> Pow2(Vector256<float> n) =>
        Vector256.ShiftLeft(Vector256.ConvertToInt32(n) + Vector256.Create(127), 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector256<float> IfPositive(Vector256<float> condition, Vector256<float> value) =>
        Vector256.ConditionalSelect(Vector256.GreaterThan(condition, Vector256<float>.Zero), value, Vector256<float>.Zero);
}

/// <summary><see cref="ISimd{TV}"/> on <see cref="Vector128{T}"/>.</summary>
internal readonly unsafe struct Simd128 : ISimd<Vector128<float>>
{
    public static int Count => Vector128<float>.Count;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Load(float* p) => Vector128.Load(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(Vector128<float> v, float* p) => v.Store(p);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Broadcast(float x) => Vector128.Create(x);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Add(Vector128<float> a, Vector128<float> b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Subtract(Vector128<float> a, Vector128<float> b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Multiply(Vector128<float> a, Vector128<float> b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Divide(Vector128<float> a, Vector128<float> b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Fma(Vector128<float> a, Vector128<float> b, Vector128<float> c) => Vector128.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Min(Vector128<float> a, Vector128<float> b) => Vector128.Min(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Max(Vector128<float> a, Vector128<float> b) => Vector128.Max(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Round(Vector128<float> a) => Vector128.Round(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> Pow2(Vector128<float> n) =>
        Vector128.ShiftLeft(Vector128.ConvertToInt32(n) + Vector128.Create(127), 23).AsSingle();

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Vector128<float> IfPositive(Vector128<float> condition, Vector128<float> value) =>
        Vector128.ConditionalSelect(Vector128.GreaterThan(condition, Vector128<float>.Zero), value, Vector128<float>.Zero);
}

/// <summary><see cref="ISimd{TV}"/> on single floats: the reference the vector widths must equal, and the tail of every loop.</summary>
internal readonly unsafe struct SimdScalar : ISimd<float>
{
    public static int Count => 1;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Load(float* p) => *p;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static void Store(float v, float* p) => *p = v;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Broadcast(float x) => x;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Add(float a, float b) => a + b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Subtract(float a, float b) => a - b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Multiply(float a, float b) => a * b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Divide(float a, float b) => a / b;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Fma(float a, float b, float c) => MathF.FusedMultiplyAdd(a, b, c);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Min(float a, float b) => MathF.Min(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Max(float a, float b) => MathF.Max(a, b);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Round(float a) => MathF.Round(a);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float Pow2(float n) => BitConverter.Int32BitsToSingle(((int)n + 127) << 23);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float IfPositive(float condition, float value) => condition > 0f ? value : 0f;
}

/// <summary>
/// exp, the logistic sigmoid and tanh in float32, written once over <see cref="ISimd{TV}"/>. Accurate to a few
/// units in the last place (the tests bound the error against double precision), branch-free, and much
/// faster than System.Numerics.Tensors' versions, which widen to double.
/// </summary>
internal static class SimdMath
{
    // exp: x = n·ln2 + r with |r| ≤ ln2/2, ln2 split in a short high part and a low part (Cody and Waite), then
    // e^r by a degree-7 polynomial (Cephes's expf coefficients) and 2ⁿ from the exponent bits. Inputs are
    // clamped to [−87, 88] so 2ⁿ stays a normal float: e^−87 ≈ 1.6e−38, e^88 ≈ 1.7e38.
    private const float ExpLow = -87f;
    private const float ExpHigh = 88f;
    private const float Log2E = 1.44269504088896341f;
    private const float Ln2High = 0.693359375f;
    private const float Ln2Low = -2.12194440e-4f;
    private const float P0 = 1.9875691500e-4f;
    private const float P1 = 1.3981999507e-3f;
    private const float P2 = 8.3334519073e-3f;
    private const float P3 = 4.1665795894e-2f;
    private const float P4 = 1.6666665459e-1f;
    private const float P5 = 5.0000001201e-1f;

    // tanh: the odd rational approximation x·P(x²)/Q(x²) of degrees 13/6 used by Eigen, on x clamped to
    // ±7.9053, where it is within 3e-7 of ±1 (and stays there beyond).
    private const float TanhClamp = 7.90531110763549805f;
    private const float A1 = 4.89352455891786e-03f;
    private const float A3 = 6.37261928875436e-04f;
    private const float A5 = 1.48572235717979e-05f;
    private const float A7 = 5.12229709037114e-08f;
    private const float A9 = -8.60467152213735e-11f;
    private const float A11 = 2.00018790482477e-13f;
    private const float A13 = -2.76076847742355e-16f;
    private const float B0 = 4.89352518554385e-03f;
    private const float B2 = 2.26843463243900e-03f;
    private const float B4 = 1.18534705686654e-04f;
    private const float B6 = 1.19825839466702e-06f;

    /// <summary>eˣ for x in [−87, 88] (clamped outside).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Exp<TS, TV>(TV x)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        x = TS.Min(TS.Max(x, TS.Broadcast(ExpLow)), TS.Broadcast(ExpHigh));
        TV n = TS.Round(TS.Multiply(x, TS.Broadcast(Log2E)));
        TV r = TS.Fma(n, TS.Broadcast(-Ln2High), x);
        r = TS.Fma(n, TS.Broadcast(-Ln2Low), r);
        TV p = TS.Fma(TS.Broadcast(P0), r, TS.Broadcast(P1));
        p = TS.Fma(p, r, TS.Broadcast(P2));
        p = TS.Fma(p, r, TS.Broadcast(P3));
        p = TS.Fma(p, r, TS.Broadcast(P4));
        p = TS.Fma(p, r, TS.Broadcast(P5));
        TV y = TS.Add(TS.Fma(p, TS.Multiply(r, r), r), TS.Broadcast(1f));
        return TS.Multiply(y, TS.Pow2(n));
    }

    /// <summary>σ(x) = 1 / (1 + e⁻ˣ).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Sigmoid<TS, TV>(TV x)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        TV one = TS.Broadcast(1f);
        return TS.Divide(one, TS.Add(one, Exp<TS, TV>(TS.Subtract(TS.Broadcast(0f), x))));
    }

    /// <summary>tanh(x).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static TV Tanh<TS, TV>(TV x)
        where TS : struct, ISimd<TV>
        where TV : struct
    {
        x = TS.Min(TS.Max(x, TS.Broadcast(-TanhClamp)), TS.Broadcast(TanhClamp));
        TV x2 = TS.Multiply(x, x);
        TV p = TS.Fma(x2, TS.Broadcast(A13), TS.Broadcast(A11));
        p = TS.Fma(x2, p, TS.Broadcast(A9));
        p = TS.Fma(x2, p, TS.Broadcast(A7));
        p = TS.Fma(x2, p, TS.Broadcast(A5));
        p = TS.Fma(x2, p, TS.Broadcast(A3));
        p = TS.Fma(x2, p, TS.Broadcast(A1));
        p = TS.Multiply(x, p);
        TV q = TS.Fma(x2, TS.Broadcast(B6), TS.Broadcast(B4));
        q = TS.Fma(x2, q, TS.Broadcast(B2));
        q = TS.Fma(x2, q, TS.Broadcast(B0));
        return TS.Divide(p, q);
    }
}
