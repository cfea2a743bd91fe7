namespace Recur.Tensors;

/// <summary>Helpers for buffers that layers keep and reuse from batch to batch.</summary>
internal static class Buffers
{
    /// <summary>
    /// Returns <paramref name="buffer"/> when it already has <paramref name="shape"/>, otherwise a new
    /// zero tensor of that shape stored back into <paramref name="buffer"/>. Steady shapes allocate nothing.
    /// </summary>
    public static Tensor Ensure(ref Tensor? buffer, params ReadOnlySpan<int> shape)
    {
        if (buffer is null || !buffer.HasShape(shape))
        {
            buffer = new Tensor(shape.ToArray());
        }

        return buffer;
    }

    /// <summary>Returns an array of at least <paramref name="length"/> elements, reusing <paramref name="buffer"/> when it is long enough.</summary>
    public static float[] Ensure(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer = new float[length];
        }

        return buffer;
    }

    /// <summary>
    /// Swaps the two leading axes: <paramref name="source"/> <c>[d0, d1, inner]</c> →
    /// <paramref name="destination"/> <c>[d1, d0, inner]</c>. Used to move between batch-major
    /// <c>[B, T, F]</c> and time-major <c>[T, B, F]</c>.
    /// </summary>
    public static void SwapLeadingAxes(ReadOnlySpan<float> source, Span<float> destination, int d0, int d1, int inner)
    {
        for (int i = 0; i < d0; i++)
        {
            for (int j = 0; j < d1; j++)
            {
                source.Slice((i * d1 + j) * inner, inner).CopyTo(destination.Slice((j * d0 + i) * inner, inner));
            }
        }
    }

    /// <summary>Adds every row of <paramref name="matrix"/> <c>[rows, cols]</c> into <paramref name="sum"/> <c>[cols]</c>, rows in order.</summary>
    public static void AddRowsInto(ReadOnlySpan<float> matrix, int rows, int cols, Span<float> sum)
    {
        for (int r = 0; r < rows; r++)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(sum, matrix.Slice(r * cols, cols), sum);
        }
    }

    /// <summary>Rows <c>[start, start + count)</c> of <c>x [N, …]</c>: <c>x</c> itself when that is all of it, else a copy <c>[count, …]</c> in <paramref name="buffer"/>.</summary>
    public static Tensor Rows(Tensor x, int start, int count, ref Tensor? buffer)
    {
        if (start == 0 && count == x.Dim(0))
        {
            return x;
        }

        int[] shape = x.Shape.ToArray();
        shape[0] = count;
        Tensor rows = Ensure(ref buffer, shape);
        int row = x.Length / x.Dim(0);
        x.Span.Slice(start * row, count * row).CopyTo(rows.Span);
        return rows;
    }
}
