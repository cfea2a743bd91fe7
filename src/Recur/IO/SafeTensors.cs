using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Recur.Tensors;

namespace Recur.IO;

/// <summary>
/// Reads and writes the safetensors format (PyTorch, Hugging Face): an 8-byte little-endian
/// header length <c>N</c>, <c>N</c> bytes of UTF-8 JSON
/// <c>{"name": {"dtype": "F32", "shape": [...], "data_offsets": [begin, end]}, "__metadata__": {...}}</c>,
/// then the tensors' raw little-endian, row-major bytes, back to back with no holes; offsets count
/// from the first byte after the header.
/// </summary>
/// <remarks>
/// Written files match the reference implementation byte for byte for float32 tensors: compact
/// JSON with <c>__metadata__</c> first (its keys sorted), tensors sorted by name (UTF-8 byte
/// order), the header padded with spaces to a multiple of 8 bytes so the data is 8-byte aligned.
/// Reading checks every header field and offset before it touches the data and converts
/// F64, F16, BF16 and integer/bool tensors to float32.
/// </remarks>
public static class SafeTensors
{
    /// <summary>The largest header accepted, in bytes (the reference implementation's limit).</summary>
    public const long MaxHeaderLength = 100_000_000;

    private const string MetadataKey = "__metadata__";

    /// <summary>The dtypes <see cref="Load"/> converts to float32.</summary>
    public static IReadOnlyList<string> ReadableDTypes { get; } =
        ["F32", "F64", "F16", "BF16", "I64", "I32", "I16", "I8", "U64", "U32", "U16", "U8", "BOOL"];

    /// <summary>
    /// Writes <paramref name="tensors"/> as float32 (<c>F32</c>) to <paramref name="path"/>, atomically
    /// (a failed save leaves any previous file untouched).
    /// </summary>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="tensors">The tensors by name; any shapes. Written in sorted name order.</param>
    /// <param name="metadata">Free-form strings stored as <c>__metadata__</c>; omitted when null or empty.</param>
    /// <exception cref="ArgumentException">A name is <c>__metadata__</c>, or a tensor, key or value is null.</exception>
    public static void Save(string path, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        var entries = Prepare(tensors, metadata, out byte[] header);
        AtomicFile.Write(path, s => WriteBody(s, header, entries));
    }

    /// <summary>Writes the same bytes as <see cref="Save"/> to <paramref name="stream"/>.</summary>
    /// <exception cref="ArgumentException">A name is <c>__metadata__</c>, or a tensor, key or value is null.</exception>
    public static void Write(Stream stream, IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(stream);
        var entries = Prepare(tensors, metadata, out byte[] header);
        WriteBody(stream, header, entries);
    }

    /// <summary>Reads the safetensors file at <paramref name="path"/>, checking it fully.</summary>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">
    /// The file is not a valid safetensors file (truncated, bad header, inconsistent offsets or sizes)
    /// or holds a dtype Recur cannot read; the message names the file and the problem.
    /// </exception>
    public static SafeTensorFile Load(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"There is no safetensors file '{path}'.", path);
        }

        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream, path);
    }

    /// <summary>Reads a safetensors file from a seekable <paramref name="stream"/>.</summary>
    /// <param name="stream">Positioned at the start of the file; read to its end.</param>
    /// <param name="source">A name for the stream in error messages.</param>
    /// <exception cref="InvalidDataException">As for <see cref="Load"/>.</exception>
    public static SafeTensorFile Read(Stream stream, string source = "the safetensors stream")
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(source);
        if (!stream.CanSeek)
        {
            throw new ArgumentException("The stream must be seekable (its length is checked against the header).", nameof(stream));
        }

        long start = stream.Position;
        long fileLength = stream.Length - start;
        if (fileLength < 8)
        {
            throw Invalid(source, $"it is {fileLength} bytes long, but a safetensors file starts with an 8-byte header length; it is truncated or not a safetensors file");
        }

        Span<byte> prefix = stackalloc byte[8];
        stream.ReadExactly(prefix);
        ulong headerLength = BinaryPrimitives.ReadUInt64LittleEndian(prefix);
        if (headerLength > MaxHeaderLength)
        {
            throw Invalid(source, $"the header length field says {headerLength} bytes, over the {MaxHeaderLength}-byte limit; it is not a safetensors file or its first 8 bytes are corrupt");
        }

        if ((long)headerLength > fileLength - 8)
        {
            throw Invalid(source, $"the header length field says {headerLength} bytes, but only {fileLength - 8} bytes follow it; the file is truncated or not a safetensors file");
        }

        byte[] header = new byte[headerLength];
        stream.ReadExactly(header);
        long dataLength = fileLength - 8 - (long)headerLength;
        List<Entry> entries = ParseHeader(source, header, out Dictionary<string, string> metadata);
        CheckLayout(source, entries, dataLength);

        var names = new List<string>(entries.Count);
        var tensors = new Dictionary<string, Tensor>(entries.Count, StringComparer.Ordinal);
        var dtypes = new Dictionary<string, string>(entries.Count, StringComparer.Ordinal);
        long dataStart = start + 8 + (long)headerLength;
        foreach (Entry e in entries)
        {
            stream.Position = dataStart + e.Begin;
            tensors[e.Name] = ReadTensor(source, stream, e);
            dtypes[e.Name] = e.DType.Name;
            names.Add(e.Name);
        }

        return new SafeTensorFile(source, names, tensors, dtypes, metadata);
    }

    private static List<Tensor> Prepare(
        IReadOnlyDictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string>? metadata, out byte[] header)
    {
        ArgumentNullException.ThrowIfNull(tensors);
        var sorted = new List<(byte[] Key, string Name, Tensor Tensor)>(tensors.Count);
        foreach (KeyValuePair<string, Tensor> kv in tensors)
        {
            if (kv.Key == MetadataKey)
            {
                throw new ArgumentException($"A tensor cannot be called '{MetadataKey}'; that key holds the file's metadata.", nameof(tensors));
            }

            if (kv.Value is null)
            {
                throw new ArgumentException($"Tensor '{kv.Key}' is null.", nameof(tensors));
            }

            sorted.Add((Encoding.UTF8.GetBytes(kv.Key), kv.Key, kv.Value));
        }

        sorted.Sort((a, b) => a.Key.AsSpan().SequenceCompareTo(b.Key));

        var json = new StringBuilder("{");
        if (metadata is { Count: > 0 })
        {
            var keys = new List<string>(metadata.Count);
            foreach (KeyValuePair<string, string> kv in metadata)
            {
                if (kv.Value is null)
                {
                    throw new ArgumentException($"Metadata value '{kv.Key}' is null; safetensors metadata holds only strings.", nameof(metadata));
                }

                keys.Add(kv.Key);
            }

            keys.Sort(StringComparer.Ordinal);
            JsonString(json, MetadataKey).Append(":{");
            for (int i = 0; i < keys.Count; i++)
            {
                if (i > 0)
                {
                    json.Append(',');
                }

                JsonString(json, keys[i]).Append(':');
                JsonString(json, metadata[keys[i]]);
            }

            json.Append('}');
        }

        var entries = new List<Tensor>(sorted.Count);
        long offset = 0;
        foreach ((_, string name, Tensor t) in sorted)
        {
            if (json.Length > 1)
            {
                json.Append(',');
            }

            long bytes = 4L * t.Length;
            JsonString(json, name).Append(":{\"dtype\":\"F32\",\"shape\":[");
            for (int d = 0; d < t.Rank; d++)
            {
                json.Append(d > 0 ? "," : string.Empty).Append(t.Shape[d].ToString(CultureInfo.InvariantCulture));
            }

            json.Append("],\"data_offsets\":[")
                .Append(offset.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append((offset + bytes).ToString(CultureInfo.InvariantCulture)).Append("]}");
            entries.Add(t);
            offset += bytes;
        }

        json.Append('}');
        int length = Encoding.UTF8.GetByteCount(json.ToString());
        int padded = (length + 7) / 8 * 8;
        header = new byte[padded];
        Encoding.UTF8.GetBytes(json.ToString(), header);
        header.AsSpan(length).Fill((byte)' ');
        return entries;
    }

    private static void WriteBody(Stream stream, byte[] header, List<Tensor> entries)
    {
        Span<byte> prefix = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(prefix, (ulong)header.Length);
        stream.Write(prefix);
        stream.Write(header);
        foreach (Tensor t in entries)
        {
            if (BitConverter.IsLittleEndian)
            {
                stream.Write(MemoryMarshal.AsBytes(t.Data.AsSpan()));
            }
            else
            {
                byte[] buffer = new byte[4 * t.Length];
                for (int i = 0; i < t.Length; i++)
                {
                    BinaryPrimitives.WriteSingleLittleEndian(buffer.AsSpan(4 * i), t.Data[i]);
                }

                stream.Write(buffer);
            }
        }
    }

    /// <summary>Appends <paramref name="s"/> as a JSON string, escaping only what JSON requires (as serde_json does).</summary>
    private static StringBuilder JsonString(StringBuilder sb, string s)
    {
        sb.Append('"');
        foreach (char c in s)
        {
            switch (c)
            {
                case '"': sb.Append("\\\""); break;
                case '\\': sb.Append("\\\\"); break;
                case '\n': sb.Append("\\n"); break;
                case '\r': sb.Append("\\r"); break;
                case '\t': sb.Append("\\t"); break;
                case '\b': sb.Append("\\b"); break;
                case '\f': sb.Append("\\f"); break;
                default:
                    if (c < 0x20)
                    {
                        sb.Append("\\u00").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        sb.Append(c);
                    }

                    break;
            }
        }

        return sb.Append('"');
    }

    private static List<Entry> ParseHeader(string source, byte[] header, out Dictionary<string, string> metadata)
    {
        if (header.Length == 0 || header[0] != (byte)'{')
        {
            throw Invalid(source, "its header does not start with '{'; it is not a safetensors file");
        }

        if (!System.Text.Unicode.Utf8.IsValid(header))
        {
            throw Invalid(source, "its header is not valid UTF-8; the file is corrupt");
        }

        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(header, new JsonDocumentOptions { MaxDepth = 16 });
        }
        catch (JsonException ex)
        {
            throw Invalid(source, $"its header is not valid JSON ({JsonFiles.Describe(ex)}); the file is corrupt");
        }

        using (doc)
        {
            if (doc.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw Invalid(source, "its header is not a JSON object");
            }

            metadata = new Dictionary<string, string>(StringComparer.Ordinal);
            var entries = new List<Entry>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (JsonProperty p in doc.RootElement.EnumerateObject())
            {
                if (!seen.Add(p.Name))
                {
                    throw Invalid(source, $"its header lists '{p.Name}' twice");
                }

                if (p.Name == MetadataKey)
                {
                    ParseMetadata(source, p.Value, metadata);
                }
                else
                {
                    entries.Add(ParseEntry(source, p.Name, p.Value));
                }
            }

            return entries;
        }
    }

    private static void ParseMetadata(string source, JsonElement value, Dictionary<string, string> metadata)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(source, $"its {MetadataKey} is a JSON {Kind(value)}, not an object of strings");
        }

        foreach (JsonProperty m in value.EnumerateObject())
        {
            if (m.Value.ValueKind != JsonValueKind.String)
            {
                throw Invalid(source, $"its {MetadataKey} entry '{m.Name}' is a JSON {Kind(m.Value)}; metadata values must be strings");
            }

            if (!metadata.TryAdd(m.Name, m.Value.GetString()!))
            {
                throw Invalid(source, $"its {MetadataKey} lists '{m.Name}' twice");
            }
        }
    }

    private static Entry ParseEntry(string source, string name, JsonElement value)
    {
        if (value.ValueKind != JsonValueKind.Object)
        {
            throw Invalid(source, $"tensor '{name}' is described by a JSON {Kind(value)}, not an object with dtype, shape and data_offsets");
        }

        JsonElement dtypeElement = Field(source, name, value, "dtype", JsonValueKind.String);
        string dtypeName = dtypeElement.GetString()!;
        if (!DType.TryParse(dtypeName, out DType dtype))
        {
            throw Invalid(source, $"tensor '{name}' has dtype \"{dtypeName}\", which Recur does not know (it reads {string.Join(", ", ReadableDTypes)})");
        }

        JsonElement shapeElement = Field(source, name, value, "shape", JsonValueKind.Array);
        var shape = new int[shapeElement.GetArrayLength()];
        long count = 1;
        int k = 0;
        foreach (JsonElement d in shapeElement.EnumerateArray())
        {
            if (d.ValueKind != JsonValueKind.Number || !d.TryGetInt64(out long dim) || dim < 0)
            {
                throw Invalid(source, $"tensor '{name}' has shape {shapeElement.GetRawText()}; dimensions must be non-negative integers");
            }

            if (dim > Array.MaxLength || (count *= dim) > Array.MaxLength)
            {
                throw Invalid(source, $"tensor '{name}' has shape {shapeElement.GetRawText()}, too large for one array");
            }

            shape[k++] = (int)dim;
        }

        JsonElement offsets = Field(source, name, value, "data_offsets", JsonValueKind.Array);
        if (offsets.GetArrayLength() != 2
            || !TryOffset(offsets[0], out long begin)
            || !TryOffset(offsets[1], out long end))
        {
            throw Invalid(source, $"tensor '{name}' has data_offsets {offsets.GetRawText()}; expected [begin, end], two non-negative integers");
        }

        if (end < begin)
        {
            throw Invalid(source, $"tensor '{name}' has data_offsets [{begin}, {end}], which end before they begin");
        }

        long expected = count * dtype.Size;
        if (end - begin != expected)
        {
            throw Invalid(source,
                $"tensor '{name}' has shape {Tensor.FormatShape(shape)} of {dtype.Name}, which is {expected} bytes, but its data_offsets [{begin}, {end}] span {end - begin} bytes");
        }

        return new Entry(name, dtype, shape, begin, end);
    }

    private static JsonElement Field(string source, string name, JsonElement entry, string field, JsonValueKind kind)
    {
        if (!entry.TryGetProperty(field, out JsonElement v))
        {
            throw Invalid(source, $"tensor '{name}' has no \"{field}\"");
        }

        if (v.ValueKind != kind)
        {
            throw Invalid(source, $"tensor '{name}' has a \"{field}\" that is a JSON {Kind(v)}, not a {kind.ToString().ToLowerInvariant()}");
        }

        return v;
    }

    private static bool TryOffset(JsonElement e, out long value)
    {
        value = 0;
        return e.ValueKind == JsonValueKind.Number && e.TryGetInt64(out value) && value >= 0;
    }

    private static string Kind(JsonElement e) => e.ValueKind.ToString().ToLowerInvariant();

    /// <summary>Sorts <paramref name="entries"/> by offset and checks they tile the data exactly.</summary>
    private static void CheckLayout(string source, List<Entry> entries, long dataLength)
    {
        entries.Sort((a, b) => a.Begin != b.Begin ? a.Begin.CompareTo(b.Begin) : a.End.CompareTo(b.End));
        long expected = 0;
        Entry? previous = null;
        foreach (Entry e in entries)
        {
            if (e.Begin > expected)
            {
                throw Invalid(source,
                    $"bytes {expected} to {e.Begin} of its data belong to no tensor (a hole before tensor '{e.Name}'); tensors must be stored back to back");
            }

            if (e.Begin < expected)
            {
                throw Invalid(source,
                    $"tensor '{e.Name}' (data_offsets [{e.Begin}, {e.End}]) overlaps tensor '{previous!.Name}' (data_offsets [{previous.Begin}, {previous.End}])");
            }

            expected = e.End;
            previous = e;
        }

        if (expected > dataLength)
        {
            throw Invalid(source, $"the file is truncated: its header says {expected} bytes of tensor data, the file has {dataLength}; save the model again");
        }

        if (expected < dataLength)
        {
            throw Invalid(source,
                $"it has {dataLength - expected} bytes after the last tensor that its header does not describe ({dataLength} bytes of data, header covers {expected}); the file is corrupt");
        }
    }

    private static Tensor ReadTensor(string source, Stream stream, Entry e)
    {
        if (!e.DType.Readable)
        {
            throw new InvalidDataException(
                $"'{source}': tensor '{e.Name}' is stored as {e.DType.Name}, which Recur cannot read (it reads {string.Join(", ", ReadableDTypes)}); convert it to float32 before saving (in PyTorch: tensor.float()).");
        }

        int[] shape = e.Shape.Length == 0 ? [1] : e.Shape;
        float[] data = new float[(e.End - e.Begin) / e.DType.Size];
        const int Chunk = 1 << 16; // elements per read: bounded memory for any tensor size
        byte[]? raw = e.DType.Name == "F32" ? null : ArrayPool<byte>.Shared.Rent(Chunk * e.DType.Size);
        try
        {
            for (int done = 0; done < data.Length; done += Chunk)
            {
                Span<float> dst = data.AsSpan(done, Math.Min(Chunk, data.Length - done));
                if (raw is null)
                {
                    stream.ReadExactly(MemoryMarshal.AsBytes(dst));
                    if (!BitConverter.IsLittleEndian)
                    {
                        Span<int> bits = MemoryMarshal.Cast<float, int>(dst);
                        BinaryPrimitives.ReverseEndianness(bits, bits);
                    }
                }
                else
                {
                    Span<byte> bytes = raw.AsSpan(0, dst.Length * e.DType.Size);
                    stream.ReadExactly(bytes);
                    Convert(e.DType.Name, bytes, dst);
                }
            }
        }
        finally
        {
            if (raw is not null)
            {
                ArrayPool<byte>.Shared.Return(raw);
            }
        }

        return new Tensor(data, shape);
    }

    /// <summary>Converts little-endian elements of <paramref name="dtype"/> in <paramref name="b"/> to floats.</summary>
    private static void Convert(string dtype, ReadOnlySpan<byte> b, Span<float> dst)
    {
        switch (dtype)
        {
            case "F64":
                for (int i = 0; i < dst.Length; i++) { dst[i] = (float)BinaryPrimitives.ReadDoubleLittleEndian(b[(8 * i)..]); }
                break;
            case "F16":
                for (int i = 0; i < dst.Length; i++) { dst[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(b[(2 * i)..]); }
                break;
            case "BF16": // the upper half of a float32
                for (int i = 0; i < dst.Length; i++) { dst[i] = BitConverter.Int32BitsToSingle(BinaryPrimitives.ReadUInt16LittleEndian(b[(2 * i)..]) << 16); }
                break;
            case "I64":
                for (int i = 0; i < dst.Length; i++) { dst[i] = BinaryPrimitives.ReadInt64LittleEndian(b[(8 * i)..]); }
                break;
            case "I32":
                for (int i = 0; i < dst.Length; i++) { dst[i] = BinaryPrimitives.ReadInt32LittleEndian(b[(4 * i)..]); }
                break;
            case "I16":
                for (int i = 0; i < dst.Length; i++) { dst[i] = BinaryPrimitives.ReadInt16LittleEndian(b[(2 * i)..]); }
                break;
            case "I8":
                for (int i = 0; i < dst.Length; i++) { dst[i] = (sbyte)b[i]; }
                break;
            case "U64":
                for (int i = 0; i < dst.Length; i++) { dst[i] = BinaryPrimitives.ReadUInt64LittleEndian(b[(8 * i)..]); }
                break;
            case "U32":
                for (int i = 0; i < dst.Length; i++) { dst[i] = BinaryPrimitives.ReadUInt32LittleEndian(b[(4 * i)..]); }
                break;
            case "U16":
                for (int i = 0; i < dst.Length; i++) { dst[i] = BinaryPrimitives.ReadUInt16LittleEndian(b[(2 * i)..]); }
                break;
            case "U8":
                for (int i = 0; i < dst.Length; i++) { dst[i] = b[i]; }
                break;
            case "BOOL":
                for (int i = 0; i < dst.Length; i++) { dst[i] = b[i] != 0 ? 1f : 0f; }
                break;
            default:
                throw new InvalidOperationException($"No conversion from {dtype}.");
        }
    }

    private static InvalidDataException Invalid(string source, string problem) =>
        new($"'{source}' is not a valid safetensors file: {problem}.");

    private sealed record Entry(string Name, DType DType, int[] Shape, long Begin, long End);

    /// <summary>A safetensors dtype name, its element size and whether <see cref="Load"/> reads it.</summary>
    private readonly record struct DType(string Name, int Size, bool Readable)
    {
        private static readonly DType[] All =
        [
            new("F64", 8, true), new("F32", 4, true), new("F16", 2, true), new("BF16", 2, true),
            new("I64", 8, true), new("I32", 4, true), new("I16", 2, true), new("I8", 1, true),
            new("U64", 8, true), new("U32", 4, true), new("U16", 2, true), new("U8", 1, true),
            new("BOOL", 1, true), new("F8_E5M2", 1, false), new("F8_E4M3", 1, false),
        ];

        public static bool TryParse(string name, out DType dtype)
        {
            foreach (DType d in All)
            {
                if (d.Name == name)
                {
                    dtype = d;
                    return true;
                }
            }

            dtype = default;
            return false;
        }
    }
}
