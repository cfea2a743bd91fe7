using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using Recur.IO;
using Recur.Tensors;

namespace Recur.Tests.IO;

public class SafeTensorsTests
{
    [Fact]
    public void RoundTripIsBitIdenticalWithShapesMetadataAndSortedOrder()
    {
        using var dir = new TempDirectory();
        var rng = new Rng(7);
        var tensors = new Dictionary<string, Tensor>
        {
            ["lstm.weight_ih"] = Random(rng, 8, 3),
            ["lstm.bias"] = Random(rng, 8),
            ["dense.weight"] = Random(rng, 2, 4),
            ["z"] = Random(rng, 2, 1, 3),
            ["empty"] = new Tensor(0, 3),
            ["large"] = Random(rng, 3, 70_001), // more than one 65,536-element read
            ["special"] = new Tensor(
                [float.NaN, BitConverter.Int32BitsToSingle(0x7FC00001), -0f, float.PositiveInfinity,
                 float.NegativeInfinity, float.Epsilon, float.MaxValue, float.MinValue], 8),
        };
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["epoch"] = "3", ["note"] = "h\u00e9llo \"q\"\n\\" };
        string path = dir.File("model.safetensors");

        SafeTensors.Save(path, tensors, metadata);
        SafeTensorFile loaded = SafeTensors.Load(path);

        Assert.Equal(["dense.weight", "empty", "large", "lstm.bias", "lstm.weight_ih", "special", "z"], loaded.Names);
        Assert.Equal(tensors.Count, loaded.Tensors.Count);
        foreach (var (name, expected) in tensors)
        {
            Tensor actual = loaded[name];
            Assert.Equal(expected.Shape.ToArray(), actual.Shape.ToArray());
            Assert.Equal(expected.Data.Select(BitConverter.SingleToInt32Bits), actual.Data.Select(BitConverter.SingleToInt32Bits));
            Assert.Equal("F32", loaded.DTypes[name]);
        }

        Assert.Equal(metadata.OrderBy(kv => kv.Key), loaded.Metadata.OrderBy(kv => kv.Key));
        Assert.Equal(path, loaded.Source);
    }

    [Fact]
    public void HeaderIsSpacePaddedTo8BytesAndOffsetsFollowNameOrder()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.safetensors");
        var tensors = new Dictionary<string, Tensor>
        {
            ["b"] = new Tensor(3),
            ["a\"quoted\\"] = new Tensor(2, 2),
            ["\u00e4"] = new Tensor(1),
            ["B"] = new Tensor(5),
        };
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { ["k"] = "v" });
        byte[] bytes = File.ReadAllBytes(path);
        long n = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes);
        Assert.Equal(0, n % 8);
        string header = Encoding.UTF8.GetString(bytes, 8, (int)n);
        string json = header.TrimEnd(' ');
        Assert.EndsWith("}", json);
        Assert.True(n - Encoding.UTF8.GetByteCount(json) < 8, "padding is under 8 spaces");

        using JsonDocument doc = JsonDocument.Parse(json);
        var names = doc.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(["__metadata__", "B", "a\"quoted\\", "b", "\u00e4"], names);
        long offset = 0;
        foreach (string name in names.Skip(1))
        {
            JsonElement e = doc.RootElement.GetProperty(name);
            Assert.Equal("F32", e.GetProperty("dtype").GetString());
            long[] o = e.GetProperty("data_offsets").EnumerateArray().Select(x => x.GetInt64()).ToArray();
            Assert.Equal(offset, o[0]);
            Assert.Equal(4L * tensors[name].Length, o[1] - o[0]);
            offset = o[1];
        }

        Assert.Equal(8 + n + offset, bytes.Length);
    }

    [Fact]
    public void TinyFileIsByteExactWithTheSpec()
    {
        // One F32 tensor "a" = [1, -2]: the compact JSON header is 54 bytes, padded with two
        // spaces to 56 (0x38); 1.0f is 0x3F800000 and -2.0f is 0xC0000000, little-endian.
        byte[] expected =
        [
            0x38, 0, 0, 0, 0, 0, 0, 0,
            .. "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}  "u8,
            0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0,
        ];
        var stream = new MemoryStream();
        SafeTensors.Write(stream, new Dictionary<string, Tensor> { ["a"] = Tensor.FromArray([1f, -2f], 2) });
        Assert.Equal(expected, stream.ToArray());

        // With metadata: 85 bytes of JSON, three spaces, 88 = 0x58; "__metadata__" comes first.
        byte[] withMetadata =
        [
            0x58, 0, 0, 0, 0, 0, 0, 0,
            .. "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}   "u8,
            0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0,
        ];
        stream = new MemoryStream();
        SafeTensors.Write(stream, new Dictionary<string, Tensor> { ["a"] = Tensor.FromArray([1f, -2f], 2) },
            new Dictionary<string, string> { ["format"] = "pt" });
        Assert.Equal(withMetadata, stream.ToArray());

        stream.Position = 0;
        SafeTensorFile read = SafeTensors.Read(stream);
        Assert.Equal([1f, -2f], read["a"].Data);
        Assert.Equal("pt", read.Metadata["format"]);
    }

    [Fact]
    public void OtherDTypesAreConvertedToFloat()
    {
        var raw = new RawFile()
            .Add("f64", "F64", [2], Le(1.5), Le(-2.25))
            .Add("f16", "F16", [2], [0x00, 0x3C], [0x00, 0xC0])              // 1.0, -2.0 in binary16
            .Add("bf16", "BF16", [1, 1], [0x80, 0x3F])                        // 1.0 in bfloat16
            .Add("i64", "I64", [2], Le(-3L), Le(5_000_000_000L))
            .Add("i32", "I32", [1], Le(-7))
            .Add("u8", "U8", [2], [0], [255])
            .Add("bool", "BOOL", [2], [0], [1])
            .Add("scalar", "F32", [], Le(0.25f))
            .Add("none", "F32", [0]);
        SafeTensorFile f = SafeTensors.Read(new MemoryStream(raw.Build()));

        Assert.Equal([1.5f, -2.25f], f["f64"].Data);
        Assert.Equal([1f, -2f], f["f16"].Data);
        Assert.Equal([1f], f["bf16"].Data);
        Assert.Equal(new[] { 1, 1 }, f["bf16"].Shape.ToArray());
        Assert.Equal([-3f, 5e9f], f["i64"].Data);
        Assert.Equal([-7f], f["i32"].Data);
        Assert.Equal([0f, 255f], f["u8"].Data);
        Assert.Equal([0f, 1f], f["bool"].Data);
        Assert.Equal([0.25f], f["scalar"].Data);
        Assert.Equal(new[] { 1 }, f["scalar"].Shape.ToArray());
        Assert.Equal(0, f["none"].Length);
        Assert.Equal("F16", f.DTypes["f16"]);
        Assert.Equal("I64", f.DTypes["i64"]);
    }

    [Fact]
    public void LargeHalfPrecisionTensorsAreConvertedAcrossReadChunks()
    {
        const int N = 150_000;
        var elements = new byte[N][];
        for (int i = 0; i < N; i++)
        {
            elements[i] = new byte[2];
            BinaryPrimitives.WriteHalfLittleEndian(elements[i], (Half)(i % 2048));
        }

        SafeTensorFile f = SafeTensors.Read(new MemoryStream(new RawFile().Add("h", "F16", [N], elements).Build()));
        float[] data = f["h"].Data;
        Assert.Equal(N, data.Length);
        for (int i = 0; i < N; i++)
        {
            Assert.Equal(i % 2048, data[i]); // integers up to 2048 are exact in binary16
        }
    }

    public static TheoryData<string> CorruptCases => new(Corrupt.Keys);

    [Theory]
    [MemberData(nameof(CorruptCases))]
    public void CorruptFilesAreRejectedWithTheirProblem(string name)
    {
        using var dir = new TempDirectory();
        (byte[] bytes, string problem) = Corrupt[name]();
        string path = dir.File(name + ".safetensors");
        File.WriteAllBytes(path, bytes);

        var ex = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains(path, ex.Message);
        Assert.Contains(problem, ex.Message);
    }

    private static readonly Dictionary<string, Func<(byte[], string)>> Corrupt = new()
    {
        ["shorter-than-8-bytes"] = () => ([1, 2, 3], "it is 3 bytes long"),
        ["header-beyond-file"] = () => (RawFile.Bytes("{}", new byte[10], headerLength: 1000),
            "the header length field says 1000 bytes, but only 12 bytes follow it; the file is truncated"),
        ["header-over-limit"] = () => (RawFile.Bytes("{}", [], headerLength: 200_000_000), "over the 100000000-byte limit"),
        ["header-not-an-object"] = () => (RawFile.Bytes("[1, 2]", []), "does not start with '{'"),
        ["bad-json"] = () => (RawFile.Bytes("{\"a\": {\"dtype\": ", []), "its header is not valid JSON"),
        ["duplicate-name"] = () => (RawFile.Bytes(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]},\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}", new byte[8]),
            "lists 'a' twice"),
        ["entry-not-an-object"] = () => (RawFile.Bytes("{\"a\":5}", []), "tensor 'a' is described by a JSON number"),
        ["missing-shape"] = () => (RawFile.Bytes("{\"a\":{\"dtype\":\"F32\",\"data_offsets\":[0,4]}}", new byte[4]), "tensor 'a' has no \"shape\""),
        ["unknown-dtype"] = () => (RawFile.Bytes("{\"a\":{\"dtype\":\"Q7\",\"shape\":[1],\"data_offsets\":[0,4]}}", new byte[4]),
            "tensor 'a' has dtype \"Q7\", which Recur does not know"),
        ["negative-dimension"] = () => (RawFile.Bytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[2,-1],\"data_offsets\":[0,4]}}", new byte[4]),
            "dimensions must be non-negative integers"),
        ["one-offset"] = () => (RawFile.Bytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0]}}", new byte[4]),
            "expected [begin, end]"),
        ["reversed-offsets"] = () => (RawFile.Bytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[8,0]}}", new byte[8]),
            "data_offsets [8, 0], which end before they begin"),
        ["size-mismatch"] = () => (RawFile.Bytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", new byte[8]),
            "tensor 'a' has shape [3] of F32, which is 12 bytes, but its data_offsets [0, 8] span 8 bytes"),
        ["overlap"] = () => (RawFile.Bytes(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}", new byte[12]),
            "tensor 'b' (data_offsets [4, 12]) overlaps tensor 'a' (data_offsets [0, 8])"),
        ["hole"] = () => (RawFile.Bytes(
            "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[12,20]}}", new byte[20]),
            "bytes 8 to 12 of its data belong to no tensor (a hole before tensor 'b')"),
        ["truncated-data"] = () =>
        {
            byte[] full = Saved(new Dictionary<string, Tensor> { ["w"] = new Tensor(2, 3) });
            return (full[..^4], "the file is truncated: its header says 24 bytes of tensor data, the file has 20; save the model again");
        },
        ["offsets-beyond-data"] = () => (RawFile.Bytes("{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}", new byte[6]),
            "the file is truncated: its header says 16 bytes of tensor data, the file has 6"),
        ["trailing-bytes"] = () =>
        {
            byte[] full = Saved(new Dictionary<string, Tensor> { ["w"] = new Tensor(2) });
            return ([.. full, 1, 2, 3], "it has 3 bytes after the last tensor that its header does not describe");
        },
        ["metadata-not-strings"] = () => (RawFile.Bytes("{\"__metadata__\":{\"epoch\":3}}", []),
            "its __metadata__ entry 'epoch' is a JSON number; metadata values must be strings"),
        ["unreadable-dtype"] = () => (RawFile.Bytes("{\"a\":{\"dtype\":\"F8_E4M3\",\"shape\":[2],\"data_offsets\":[0,2]}}", new byte[2]),
            "tensor 'a' is stored as F8_E4M3, which Recur cannot read"),
    };

    [Fact]
    public void MissingFileAndMissingTensorAreNamed()
    {
        using var dir = new TempDirectory();
        string path = dir.File("nope.safetensors");
        var notFound = Assert.Throws<FileNotFoundException>(() => SafeTensors.Load(path));
        Assert.Contains(path, notFound.Message);

        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["x"] = new Tensor(1), ["y"] = new Tensor(1) });
        var missing = Assert.Throws<KeyNotFoundException>(() => SafeTensors.Load(path)["w"]);
        Assert.Contains("no tensor 'w'", missing.Message);
        Assert.Contains("'x', 'y'", missing.Message);
    }

    [Fact]
    public void SaveRejectsTheMetadataKeyAsATensorNameAndKeepsTheOldFile()
    {
        using var dir = new TempDirectory();
        string path = dir.File("m.safetensors");
        SafeTensors.Save(path, new Dictionary<string, Tensor> { ["x"] = Tensor.FromArray([3f], 1) });
        var ex = Assert.Throws<ArgumentException>(() =>
            SafeTensors.Save(path, new Dictionary<string, Tensor> { ["__metadata__"] = new Tensor(1) }));
        Assert.Contains("__metadata__", ex.Message);
        Assert.Equal([3f], SafeTensors.Load(path)["x"].Data);
        Assert.Equal(["m.safetensors"], dir.FileNames());
    }

    private static Tensor Random(Rng rng, params int[] shape)
    {
        var t = new Tensor(shape);
        for (int i = 0; i < t.Length; i++)
        {
            t.Data[i] = (float)rng.NextGaussian();
        }

        return t;
    }

    private static byte[] Saved(Dictionary<string, Tensor> tensors)
    {
        var s = new MemoryStream();
        SafeTensors.Write(s, tensors);
        return s.ToArray();
    }

    /// <summary>The little-endian bytes of <paramref name="v"/>.</summary>
    private static byte[] Le<T>(T v)
        where T : unmanaged
    {
        byte[] b = MemoryMarshal.AsBytes(new ReadOnlySpan<T>(ref v)).ToArray();
        if (!BitConverter.IsLittleEndian)
        {
            Array.Reverse(b);
        }

        return b;
    }

    /// <summary>Builds safetensors bytes by hand, in the order entries are added, for the reader tests.</summary>
    private sealed class RawFile
    {
        private readonly List<(string Name, string DType, int[] Shape, byte[] Data)> _entries = [];

        public RawFile Add(string name, string dtype, int[] shape, params byte[][] elements)
        {
            _entries.Add((name, dtype, shape, elements.SelectMany(e => e).ToArray()));
            return this;
        }

        public byte[] Build()
        {
            var json = new StringBuilder("{");
            long offset = 0;
            foreach (var (name, dtype, shape, data) in _entries)
            {
                json.Append(json.Length > 1 ? "," : "")
                    .Append(CultureInfo.InvariantCulture, $"\"{name}\":{{\"dtype\":\"{dtype}\",\"shape\":[{string.Join(",", shape)}],")
                    .Append(CultureInfo.InvariantCulture, $"\"data_offsets\":[{offset},{offset + data.Length}]}}");
                offset += data.Length;
            }

            return Bytes(json.Append('}').ToString(), _entries.SelectMany(e => e.Data).ToArray());
        }

        public static byte[] Bytes(string json, byte[] data, ulong? headerLength = null)
        {
            byte[] header = Encoding.UTF8.GetBytes(json);
            var bytes = new byte[8 + header.Length + data.Length];
            BinaryPrimitives.WriteUInt64LittleEndian(bytes, headerLength ?? (ulong)header.Length);
            header.CopyTo(bytes, 8);
            data.CopyTo(bytes, 8 + header.Length);
            return bytes;
        }
    }
}
