using System.Globalization;
using Recur.IO;

namespace Recur.Data;

/// <summary>
/// Reads and writes grey-scale Netpbm images (PGM): binary <c>P5</c> and plain-text <c>P2</c>,
/// with <c>#</c> comments in the header and 8- or 16-bit samples.
/// </summary>
public static class Pgm
{
    /// <summary>Reads <paramref name="path"/> into <c>(width, height, pixels)</c>, pixels row-major scaled to [0, 1].</summary>
    /// <exception cref="InvalidDataException">The file is not a PGM image, or is truncated.</exception>
    public static (int Width, int Height, float[] Pixels) Read(string path)
    {
        byte[] bytes = File.ReadAllBytes(path);
        int pos = 0;
        string magic = Token(bytes, ref pos, path);
        if (magic is not ("P5" or "P2"))
        {
            throw new InvalidDataException(
                $"{path} is not a PGM image (it starts with '{Printable(magic)}', expected P5 or P2); save the image as binary PGM (e.g. with ImageMagick: convert digit.png -colorspace gray digit.pgm).");
        }

        int width = Number(bytes, ref pos, path, "width");
        int height = Number(bytes, ref pos, path, "height");
        int max = Number(bytes, ref pos, path, "maximum value");
        if (max is < 1 or > 65535)
        {
            throw new InvalidDataException($"{path}: the PGM maximum value is {max}; it must be in 1..65535.");
        }

        if (width < 1 || height < 1)
        {
            throw new InvalidDataException($"{path}: the PGM header declares a {width}×{height} image; width and height must be at least 1. The header is corrupt.");
        }

        long count = (long)width * height; // both below 2^31: no overflow in 64 bits
        long limit = ReadLimits.Current.MaxImagePixels;
        if (count > limit)
        {
            throw new InvalidDataException(
                $"{path}: the PGM header declares a {width}×{height} image, {count:N0} pixels, more than the {limit:N0} Recur reads (ReadLimits.MaxImagePixels); the header is corrupt, or shrink the image.");
        }

        // Before allocating: the pixels must be in the file (P2 needs at least a digit and a separator per pixel).
        int bytesPerSample = max < 256 ? 1 : 2;
        long needed = magic == "P2" ? 2 * count - 1 : count * bytesPerSample;
        long present = Math.Max(0, bytes.Length - pos - 1);
        if (present < needed)
        {
            throw new InvalidDataException(
                $"{path} is truncated: a {width}×{height} PGM needs {(magic == "P2" ? "at least " : string.Empty)}{needed:N0} bytes of pixels, the file has {present:N0}.");
        }

        var pixels = new float[count];
        if (magic == "P2")
        {
            for (int i = 0; i < pixels.Length; i++)
            {
                pixels[i] = Math.Min(Number(bytes, ref pos, path, "pixel"), max) / (float)max;
            }

            return (width, height, pixels);
        }

        pos++; // the single whitespace byte after the maximum value
        for (int i = 0; i < pixels.Length; i++)
        {
            int v = bytesPerSample == 1 ? bytes[pos + i] : (bytes[pos + 2 * i] << 8) | bytes[pos + 2 * i + 1];
            pixels[i] = Math.Min(v, max) / (float)max;
        }

        return (width, height, pixels);
    }

    /// <summary>Writes 8-bit pixels as a binary (P5) PGM, atomically.</summary>
    public static void Write(string path, int width, int height, ReadOnlySpan<byte> pixels)
    {
        if (pixels.Length != width * height)
        {
            throw new ArgumentException($"Pgm.Write: {pixels.Length} pixels for a {width}×{height} image.", nameof(pixels));
        }

        byte[] header = System.Text.Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"P5\n{width} {height}\n255\n"));
        byte[] data = new byte[header.Length + pixels.Length];
        header.CopyTo(data, 0);
        pixels.CopyTo(data.AsSpan(header.Length));
        Recur.IO.AtomicFile.WriteAllBytes(path, data);
    }

    private static int Number(byte[] bytes, ref int pos, string path, string what)
    {
        string token = Token(bytes, ref pos, path);
        if (!int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out int value))
        {
            throw new InvalidDataException($"{path}: the PGM {what} is '{Printable(token)}', not a non-negative number; the header is corrupt.");
        }

        return value;
    }

    private static string Token(byte[] bytes, ref int pos, string path)
    {
        while (pos < bytes.Length)
        {
            if (bytes[pos] == (byte)'#')
            {
                while (pos < bytes.Length && bytes[pos] != (byte)'\n')
                {
                    pos++;
                }
            }
            else if (IsSpace(bytes[pos]))
            {
                pos++;
            }
            else
            {
                break;
            }
        }

        int start = pos;
        while (pos < bytes.Length && !IsSpace(bytes[pos]) && bytes[pos] != (byte)'#' && pos - start < 16)
        {
            pos++;
        }

        if (pos == start)
        {
            throw new InvalidDataException($"{path} ends inside its PGM header or pixels; the file is empty or truncated.");
        }

        return System.Text.Encoding.ASCII.GetString(bytes, start, pos - start);
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';

    private static string Printable(string s)
    {
        char[] chars = s.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (char.IsControl(chars[i]) || chars[i] > '~')
            {
                chars[i] = '?';
            }
        }

        return new string(chars);
    }
}
