namespace Recur.IO;

/// <summary>
/// The limits every reader of Recur checks before it allocates: how many bytes a compressed file may unpack to,
/// how many pixels an image may declare, how long and how deeply nested a JSON file may be. One instance,
/// <see cref="Current"/>, applies to the whole process; set it once at start-up to read larger files.
/// </summary>
/// <remarks>
/// A reader first checks what a file's header declares (dimensions, lengths) with checked arithmetic, against
/// these limits and against the bytes the file actually holds; only then does it allocate. A file over a limit is
/// refused with one line naming the file, the size it declares, the limit and this type's property to raise it.
/// The defaults are far above every dataset Recur reads (MNIST's largest file unpacks to 47 MB) and far below
/// what would exhaust a machine.
/// </remarks>
public sealed record ReadLimits
{
    private static ReadLimits s_current = new();

    /// <summary>The limits in force for this process (initially the defaults). Set it before reading files.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit of the new value is not positive.</exception>
    public static ReadLimits Current
    {
        get => Volatile.Read(ref s_current);
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            value.Validate();
            Volatile.Write(ref s_current, value);
        }
    }

    /// <summary>
    /// The most bytes a compressed file (a gzipped IDX file, a download) may unpack to: 1 GiB by default. A file whose
    /// header declares more is refused before decompressing; one that unpacks past what its header declares is
    /// refused as soon as it does.
    /// </summary>
    public long MaxDecompressedBytes { get; init; } = 1L << 30;

    /// <summary>The most pixels (width · height) one image may declare: 2^26 (8192 × 8192) by default.</summary>
    public long MaxImagePixels { get; init; } = 1L << 26;

    /// <summary>The longest JSON file read (config.json, a vocabulary, a scaler, run state): 256 MiB by default.</summary>
    public long MaxJsonBytes { get; init; } = 256L << 20;

    /// <summary>The deepest nesting of JSON objects and arrays read: 64 by default (Recur's own files nest at most 6 deep).</summary>
    public int MaxJsonDepth { get; init; } = 64;

    /// <summary>Checks that every limit is positive.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A limit is zero or negative.</exception>
    public void Validate()
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxDecompressedBytes, nameof(MaxDecompressedBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxImagePixels, nameof(MaxImagePixels));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxJsonBytes, nameof(MaxJsonBytes));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(MaxJsonDepth, nameof(MaxJsonDepth));
    }
}
