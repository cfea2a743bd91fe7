using Recur.Tensors;

namespace Recur.Data;

/// <summary>Reads images to classify: an IDX image file (raw or .gz) or a PGM image.</summary>
public static class ImageFiles
{
    /// <summary>
    /// Reads <paramref name="path"/> as <c>[N, rows·columns]</c> pixels in [0, 1]: every image of an IDX
    /// file, or the one image of a PGM file (<c>P5</c> or <c>P2</c>).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="rows">The image height the model expects.</param>
    /// <param name="columns">The image width the model expects.</param>
    /// <exception cref="InvalidDataException">The file is neither format, or its images are not <paramref name="rows"/>×<paramref name="columns"/>.</exception>
    public static Tensor Read(string path, int rows = Mnist.ImageSize, int columns = Mnist.ImageSize)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} does not exist; give an IDX image file or a PGM image.", path);
        }

        byte[] head = new byte[4];
        using (FileStream stream = File.OpenRead(path))
        {
            stream.ReadAtLeast(head, 4, throwOnEndOfStream: false);
        }

        if (head[0] == (byte)'P' && head[1] is (byte)'5' or (byte)'2')
        {
            var (width, height, pixels) = Pgm.Read(path);
            CheckSize(path, height, width, rows, columns);
            return Tensor.FromArray(pixels, 1, pixels.Length);
        }

        IdxImages images = Idx.ReadImages(path);
        CheckSize(path, images.Rows, images.Columns, rows, columns);
        var tensor = new Tensor(images.Count, images.PixelsPerImage);
        Span<float> data = tensor.Span;
        for (int i = 0; i < images.Pixels.Length; i++)
        {
            data[i] = images.Pixels[i] / 255f;
        }

        return tensor;
    }

    private static void CheckSize(string path, int height, int width, int rows, int columns)
    {
        if (height != rows || width != columns)
        {
            throw new InvalidDataException(
                $"{path} holds {width}×{height} images but the model reads {columns}×{rows}; resize the image to {columns}×{rows} (white digit on black, like MNIST).");
        }
    }
}
