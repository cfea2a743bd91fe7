using System.Runtime.CompilerServices;

namespace Recur;

/// <summary>
/// A small, deterministic, seedable random generator: xoshiro256** (Blackman and Vigna)
/// whose 256-bit state is filled by SplitMix64. Every value is computed here from integer
/// operations and correctly rounded IEEE arithmetic only, so the same seed gives the same
/// sequence on every machine, operating system and .NET version (unlike
/// <see cref="System.Random"/>, whose seeded sequence is not a documented contract).
/// </summary>
/// <remarks>
/// <para>
/// Seeding: <c>new Rng(seed)</c> sets the four state words to the first four outputs of
/// SplitMix64 started at <c>seed</c> — the same seeding as Rust's
/// <c>rand_xoshiro::Xoshiro256StarStar::seed_from_u64</c>, so its sequences can be checked
/// against that reference. <c>new Rng(seed, stream)</c> with a non-zero stream XORs each
/// word with a second, differently mixed hash of <c>stream</c>, which gives statistically
/// independent sequences for different streams of the same seed (use it for per-layer or
/// per-thread generators). <see cref="Fork"/> derives a child from the parent's next two
/// outputs.
/// </para>
/// <para>
/// Saving: <see cref="State"/> reads the complete state (<see cref="RngState"/>) and restores it, so a
/// generator written into a checkpoint continues bit for bit after a resume.
/// </para>
/// <para>
/// Not thread-safe: give each thread its own generator (see <see cref="Fork"/>). Not
/// cryptographically secure.
/// </para>
/// </remarks>
public sealed class Rng
{
    private const ulong Golden = 0x9E3779B97F4A7C15UL;
    private const ulong StreamGamma = 0xD1B54A32D192ED03UL;

    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    private bool _hasSpareGaussian;
    private double _spareGaussian;

    /// <summary>Creates a generator for <paramref name="seed"/> (stream 0).</summary>
    public Rng(ulong seed)
        : this(seed, 0)
    {
    }

    /// <summary>
    /// Creates the generator for stream <paramref name="stream"/> of <paramref name="seed"/>.
    /// Stream 0 is the same as <c>new Rng(seed)</c>; other streams are independent of it and
    /// of each other.
    /// </summary>
    public Rng(ulong seed, ulong stream)
    {
        ulong x = seed;
        _s0 = SplitMix64(ref x);
        _s1 = SplitMix64(ref x);
        _s2 = SplitMix64(ref x);
        _s3 = SplitMix64(ref x);
        if (stream != 0)
        {
            _s0 ^= Fmix64(unchecked(stream + 1 * StreamGamma));
            _s1 ^= Fmix64(unchecked(stream + 2 * StreamGamma));
            _s2 ^= Fmix64(unchecked(stream + 3 * StreamGamma));
            _s3 ^= Fmix64(unchecked(stream + 4 * StreamGamma));
        }

        if ((_s0 | _s1 | _s2 | _s3) == 0)
        {
            // The all-zero state is the one fixed point of xoshiro; it is practically
            // unreachable, but never allowed.
            _s0 = Golden;
        }
    }

    /// <summary>A generator with the given raw xoshiro256** state (for tests against reference vectors).</summary>
    internal static Rng FromState(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        if ((s0 | s1 | s2 | s3) == 0)
        {
            throw new ArgumentException("The xoshiro256** state must not be all zero.", nameof(s0));
        }

        var rng = new Rng(0);
        (rng._s0, rng._s1, rng._s2, rng._s3) = (s0, s1, s2, s3);
        return rng;
    }

    /// <summary>
    /// The generator's complete state: setting it to a value read earlier makes the generator continue exactly as it
    /// did from that point, including a spare <see cref="NextGaussian"/> value (for resuming a run bit for bit).
    /// </summary>
    /// <exception cref="ArgumentException">The value's xoshiro256** state is all zero.</exception>
    public RngState State
    {
        get => new(_s0, _s1, _s2, _s3, _hasSpareGaussian, _spareGaussian);
        set
        {
            if ((value.S0 | value.S1 | value.S2 | value.S3) == 0)
            {
                throw new ArgumentException("Rng.State: the xoshiro256** state must not be all zero.", nameof(value));
            }

            (_s0, _s1, _s2, _s3, _hasSpareGaussian, _spareGaussian) = (value.S0, value.S1, value.S2, value.S3, value.HasSpareGaussian, value.SpareGaussian);
        }
    }

    /// <summary>The next 64 uniformly distributed random bits (one xoshiro256** step).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public ulong NextUInt64()
    {
        ulong result = ulong.RotateLeft(_s1 * 5, 7) * 9;
        ulong t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = ulong.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>
    /// A uniform float in [0, 1): the top 24 bits of <see cref="NextUInt64"/> times 2⁻²⁴, so
    /// every value is a multiple of 2⁻²⁴ and 1 is never returned.
    /// </summary>
    public float NextFloat() => (NextUInt64() >> 40) * (1.0f / (1 << 24));

    /// <summary>
    /// A uniform double in [0, 1): the top 53 bits of <see cref="NextUInt64"/> times 2⁻⁵³.
    /// </summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    /// <summary>
    /// A uniform integer in [0, <paramref name="maxExclusive"/>), without bias (Lemire's
    /// multiply-and-reject method on 64-bit draws).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxExclusive"/> is not positive.</exception>
    public int NextInt(int maxExclusive)
    {
        if (maxExclusive <= 0)
        {
            throw new ArgumentOutOfRangeException(
                nameof(maxExclusive), maxExclusive, $"maxExclusive must be positive, got {maxExclusive}.");
        }

        return (int)NextBounded((ulong)maxExclusive);
    }

    /// <summary>A uniform integer in [<paramref name="minInclusive"/>, <paramref name="maxExclusive"/>), without bias.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The range is empty.</exception>
    public int NextInt(int minInclusive, int maxExclusive)
    {
        if (maxExclusive <= minInclusive)
        {
            throw new ArgumentOutOfRangeException(
                nameof(maxExclusive), maxExclusive,
                $"maxExclusive must be greater than minInclusive ({minInclusive}), got {maxExclusive}.");
        }

        ulong range = (ulong)((long)maxExclusive - minInclusive);
        return (int)(minInclusive + (long)NextBounded(range));
    }

    /// <summary>
    /// A standard normal value (mean 0, variance 1), by Marsaglia's polar method: pairs
    /// (u, v) uniform in the open unit disc give two independent normals
    /// u·√(−2 ln s / s) and v·√(−2 ln s / s), s = u² + v²; the second is kept for the next
    /// call. The logarithm is computed here from basic IEEE operations, so the values are
    /// bit-identical on every machine.
    /// </summary>
    public double NextGaussian()
    {
        if (_hasSpareGaussian)
        {
            _hasSpareGaussian = false;
            return _spareGaussian;
        }

        double u, v, s;
        do
        {
            u = 2.0 * NextDouble() - 1.0;
            v = 2.0 * NextDouble() - 1.0;
            s = u * u + v * v;
        }
        while (s >= 1.0 || s == 0.0);

        double factor = Math.Sqrt(-2.0 * Log(s) / s);
        _spareGaussian = v * factor;
        _hasSpareGaussian = true;
        return u * factor;
    }

    /// <summary>
    /// Shuffles <paramref name="items"/> in place into a uniformly random permutation
    /// (Fisher–Yates, from the last element down, drawing with <see cref="NextInt(int)"/>).
    /// </summary>
    public void Shuffle<T>(Span<T> items)
    {
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = (int)NextBounded((ulong)(i + 1));
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    /// <summary>
    /// A new generator whose sequence is independent of this one's, seeded from this
    /// generator's next two outputs (<c>new Rng(NextUInt64(), NextUInt64())</c>), so forking
    /// advances this generator and is itself deterministic.
    /// </summary>
    public Rng Fork()
    {
        ulong seed = NextUInt64();
        ulong stream = NextUInt64();
        return new Rng(seed, stream);
    }

    /// <summary>One SplitMix64 step (Steele, Lea and Flood): advances <paramref name="x"/> by the golden gamma and mixes it.</summary>
    internal static ulong SplitMix64(ref ulong x)
    {
        x += Golden;
        ulong z = x;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>
    /// The natural logarithm of a positive finite <paramref name="x"/>, from basic IEEE
    /// operations only (exponent split, then 2·atanh series on [√½, √2)), accurate to a few
    /// units in the last place and identical on every machine.
    /// </summary>
    internal static double Log(double x)
    {
        const double Ln2Hi = 6.93147180369123816490e-01; // ln 2, high 32 bits
        const double Ln2Lo = 1.90821492927058770002e-10; // ln 2 − Ln2Hi
        const double Sqrt2 = 1.4142135623730951;

        if (!(x > 0.0) || double.IsPositiveInfinity(x))
        {
            return x == 0.0 ? double.NegativeInfinity : x > 0.0 ? x : double.NaN;
        }

        long bits = BitConverter.DoubleToInt64Bits(x);
        int exponent = (int)((bits >> 52) & 0x7FF);
        if (exponent == 0)
        {
            // Subnormal: scale into the normal range (exact) and correct the exponent.
            bits = BitConverter.DoubleToInt64Bits(x * 18014398509481984.0); // 2^54
            exponent = (int)((bits >> 52) & 0x7FF) - 54;
        }

        int e = exponent - 1023;
        double m = BitConverter.Int64BitsToDouble((bits & 0x000FFFFFFFFFFFFFL) | 0x3FF0000000000000L); // [1, 2)
        if (m > Sqrt2)
        {
            m *= 0.5;
            e++;
        }

        // ln m = 2·atanh(f) = 2(f + f³/3 + f⁵/5 + ...), f = (m − 1)/(m + 1), |f| ≤ 0.1716.
        double f = (m - 1.0) / (m + 1.0);
        double z = f * f;
        double series = 1.0 / 25.0;
        series = 1.0 / 23.0 + z * series;
        series = 1.0 / 21.0 + z * series;
        series = 1.0 / 19.0 + z * series;
        series = 1.0 / 17.0 + z * series;
        series = 1.0 / 15.0 + z * series;
        series = 1.0 / 13.0 + z * series;
        series = 1.0 / 11.0 + z * series;
        series = 1.0 / 9.0 + z * series;
        series = 1.0 / 7.0 + z * series;
        series = 1.0 / 5.0 + z * series;
        series = 1.0 / 3.0 + z * series;
        double lnM = 2.0 * f + 2.0 * f * z * series;
        return e * Ln2Hi + (lnM + e * Ln2Lo);
    }

    /// <summary>Lemire's unbiased bounded draw in [0, <paramref name="range"/>), range ≥ 1.</summary>
    private ulong NextBounded(ulong range)
    {
        ulong high = Math.BigMul(NextUInt64(), range, out ulong low);
        if (low < range)
        {
            ulong threshold = (0UL - range) % range;
            while (low < threshold)
            {
                high = Math.BigMul(NextUInt64(), range, out low);
            }
        }

        return high;
    }

    /// <summary>MurmurHash3's 64-bit finalizer: a bijective mix, different from SplitMix64's.</summary>
    private static ulong Fmix64(ulong k)
    {
        k ^= k >> 33;
        k *= 0xFF51AFD7ED558CCDUL;
        k ^= k >> 33;
        k *= 0xC4CEB9FE1A85EC53UL;
        k ^= k >> 33;
        return k;
    }
}
