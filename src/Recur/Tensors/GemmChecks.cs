namespace Recur.Tensors;

/// <summary>
/// Argument checks shared by <see cref="Gemm"/> and <see cref="GemmReference"/>: both reject the same
/// calls with the same messages, each naming the argument, the value received and what was expected.
/// </summary>
internal static class GemmChecks
{
    /// <summary>
    /// Throws when a size is negative, a leading dimension is smaller than its matrix's row length, a
    /// span is shorter than the matrix it holds, or <paramref name="c"/> overlaps an input it will be
    /// computed from.
    /// </summary>
    public static void Check(bool transA, bool transB, int m, int n, int k,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, ReadOnlySpan<float> c, int ldc)
    {
        CheckSize(m, nameof(m), "rows of C and of op(A)");
        CheckSize(n, nameof(n), "columns of C and of op(B)");
        CheckSize(k, nameof(k), "columns of op(A) and rows of op(B)");

        // Storage shapes: A is [m, k], or [k, m] when transposed; B is [k, n], or [n, k].
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        string aShape = transA ? "A is stored [k, m] because transA is true" : "A is stored [m, k]";
        string bShape = transB ? "B is stored [n, k] because transB is true" : "B is stored [k, n]";

        CheckLeadingDimension(lda, nameof(lda), aCols, "A", aShape);
        CheckLeadingDimension(ldb, nameof(ldb), bCols, "B", bShape);
        CheckLeadingDimension(ldc, nameof(ldc), n, "C", "C is [m, n]");

        long aNeeded = MinimumLength(aRows, aCols, lda);
        long bNeeded = MinimumLength(bRows, bCols, ldb);
        long cNeeded = MinimumLength(m, n, ldc);
        // The messages are built only on failure, so a good call allocates nothing.
        if (a.Length < aNeeded)
        {
            ThrowTooShort(nameof(a), a.Length, aNeeded, $"m = {m}, k = {k}, lda = {lda}", aShape);
        }

        if (b.Length < bNeeded)
        {
            ThrowTooShort(nameof(b), b.Length, bNeeded, $"k = {k}, n = {n}, ldb = {ldb}", bShape);
        }

        if (c.Length < cNeeded)
        {
            ThrowTooShort(nameof(c), c.Length, cNeeded, $"m = {m}, n = {n}, ldc = {ldc}", "C is [m, n]");
        }

        // C is written while A and B are still being read, so they must not share storage.
        // Only the elements each matrix actually uses count.
        if (k > 0 && cNeeded > 0)
        {
            ReadOnlySpan<float> cUsed = c[..(int)cNeeded];
            if (aNeeded > 0 && cUsed.Overlaps(a[..(int)aNeeded]))
            {
                throw new ArgumentException(
                    "c overlaps a: the product cannot be written over one of its inputs; give C its own storage.",
                    nameof(c));
            }

            if (bNeeded > 0 && cUsed.Overlaps(b[..(int)bNeeded]))
            {
                throw new ArgumentException(
                    "c overlaps b: the product cannot be written over one of its inputs; give C its own storage.",
                    nameof(c));
            }
        }
    }

    /// <summary>The number of elements a [rows, cols] matrix with row stride <paramref name="ld"/> spans: (rows - 1)·ld + cols, or 0 when empty.</summary>
    public static long MinimumLength(int rows, int cols, int ld) =>
        rows == 0 || cols == 0 ? 0 : ((long)(rows - 1) * ld) + cols;

    private static void CheckSize(int value, string name, string meaning)
    {
        if (value < 0)
        {
            throw new ArgumentOutOfRangeException(name, value,
                $"{name} = {value} is negative; {name} is the number of {meaning} and must be 0 or more.");
        }
    }

    private static void CheckLeadingDimension(int ld, string name, int cols, string matrix, string shape)
    {
        if (ld < cols || ld < 0)
        {
            throw new ArgumentOutOfRangeException(name, ld,
                $"{name} = {ld} is smaller than the {cols} columns of {matrix} ({shape}); " +
                $"{name} is the distance between the starts of consecutive rows and must be at least {Math.Max(cols, 0)}.");
        }
    }

    private static void ThrowTooShort(string name, int length, long needed, string sizes, string shape) =>
        throw new ArgumentException(
            $"{name} has {length} elements but {sizes} needs {needed} ({shape}; (rows - 1)·ld + columns).",
            name);
}
