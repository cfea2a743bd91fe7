namespace Recur.Data;

/// <summary>
/// The content of an IDX image file (magic <c>0x00000803</c>): <see cref="Count"/> images of
/// <see cref="Rows"/> × <see cref="Columns"/> unsigned-byte pixels, row-major, image after image.
/// </summary>
public sealed class IdxImages
{
    /// <summary>Wraps <paramref name="pixels"/> (not copied).</summary>
    /// <exception cref="ArgumentException">A dimension is out of range or the pixel count is not <c>count · rows · columns</c>.</exception>
    public IdxImages(int count, int rows, int columns, byte[] pixels)
    {
        ArgumentNullException.ThrowIfNull(pixels);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if ((long)count * rows * columns != pixels.Length)
        {
            throw new ArgumentException(
                $"IdxImages: {count} images of {rows}×{columns} need {(long)count * rows * columns} pixels, got {pixels.Length}.",
                nameof(pixels));
        }

        Count = count;
        Rows = rows;
        Columns = columns;
        Pixels = pixels;
    }

    /// <summary>The number of images.</summary>
    public int Count { get; }

    /// <summary>Pixel rows per image (28 for MNIST).</summary>
    public int Rows { get; }

    /// <summary>Pixel columns per image (28 for MNIST).</summary>
    public int Columns { get; }

    /// <summary>Pixels per image, <see cref="Rows"/> · <see cref="Columns"/>.</summary>
    public int PixelsPerImage => Rows * Columns;

    /// <summary>All pixels, 0–255, <c>[Count, Rows, Columns]</c> row-major.</summary>
    public byte[] Pixels { get; }

    /// <summary>The pixels of image <paramref name="index"/>, <c>[Rows, Columns]</c> row-major.</summary>
    public ReadOnlySpan<byte> Image(int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(index, Count);
        return Pixels.AsSpan(index * PixelsPerImage, PixelsPerImage);
    }
}
