using System.Buffers.Binary;
using System.Text;
using Recur.Data;
using Recur.IO;
using Recur.Tests.Data;

namespace Recur.Tests.Fuzz;

/// <summary>The crashes <see cref="ReaderFuzzTests"/> found, each kept as a test of the one-line refusal that replaced it.</summary>
public sealed class FuzzRegressionTests
{
    [Fact]
    public void ASafetensorsHeaderOfInvalidUtf8IsRefused()
    {
        // Found by the safetensors harness: a tensor name with a byte that is not UTF-8 threw InvalidOperationException.
        using var dir = new TempDirectory();
        string path = dir.File("bad.safetensors");
        byte[] header = [.. "{\"a\xff\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}"u8.ToArray()];
        header[3] = 0xFF;
        var bytes = new byte[8 + header.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains("its header is not valid UTF-8", e.Message);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void ASafetensorsHeaderWithAnInvalidLiteralIsRefusedOnOneLine()
    {
        // Found by a 10-minute run of the safetensors harness: the parser's message quoted the rest of the header, line breaks and all.
        using var dir = new TempDirectory();
        string path = dir.File("bad.safetensors");
        byte[] header = Encoding.UTF8.GetBytes("{\"__metadata__\":tadata__\":{\"forma{\"dtype\":\"F32\",\n\"shape\":[1],\n\"data_offsets\":[0,4]}}");
        var bytes = new byte[8 + header.Length + 4];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, (ulong)header.Length);
        header.CopyTo(bytes, 8);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<InvalidDataException>(() => SafeTensors.Load(path));
        Assert.Contains("its header is not valid JSON", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void AJsonPropertyNamedTwiceIsRefusedWhenRead()
    {
        // Found by a 10-minute run of the config harness: a metadata key written twice threw ArgumentException
        // ("An item with the same key has already been added") when the model's metadata was read, not a refusal.
        using var dir = new TempDirectory();
        string path = dir.File("config.json");
        File.WriteAllText(path, """
            {"format": "recur.sequential", "version": 3, "layers": [], "metadata": {"sequence": "rows", "sequence": "pixels"}}
            """);
        var e = Assert.Throws<System.Text.Json.JsonException>(() => JsonFiles.Read(path));
        Assert.Contains("sequence", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void TheByteMutationWritesItsBoundaryByte()
    {
        // Found by a 10-minute run of the config harness, in the harness itself: "Value % 5 switch { … }" parsed as
        // Value % (5 switch { … }), which divided by zero for values below 256 and never wrote the boundary bytes.
        Assert.Equal([0x80, 2, 3], new Mutation(1, 0, 3, 0).Apply([1, 2, 3]));
        Assert.Equal([1, 0xFF, 3], new Mutation(1, 1, 6, 0).Apply([1, 2, 3]));
        Assert.Equal([1, 2, 0x07], new Mutation(1, 2, 0x0702, 0).Apply([1, 2, 3])); // 0x0702 % 5 = 4: Value >> 8
    }

    [Fact]
    public void AMetadataValueThatIsNotAStringIsRefused()
    {
        // Found by a 10-minute run of the config harness: a number among the metadata values threw InvalidOperationException.
        using var dir = new TempDirectory();
        string path = dir.File("config.json");
        File.WriteAllText(path, """
            {"format": "recur.sequential", "version": 3, "layers": [], "metadata": {"sequence": 28}}
            """);
        var node = (System.Text.Json.Nodes.JsonObject)JsonFiles.Read(path)!;
        var e = Assert.Throws<InvalidDataException>(() => Recur.Models.ModelConfig.FromJson(node, path));
        Assert.Equal($"{path}: metadata.sequence is a JSON number, but metadata values are strings; re-save the model.", e.Message);
    }

    [Fact]
    public void AJsonFileOfInvalidUtf8IsRefused()
    {
        // Found by the config harness: a string with a byte that is not UTF-8 threw InvalidOperationException on reading it.
        using var dir = new TempDirectory();
        string path = dir.File("vocabulary.json");
        File.WriteAllBytes(path, [.. "{\"format\": \"recur.vocabulary\", \"kind\": \"wo"u8, 0xC3, 0x28, .. "rds\"}"u8]);
        var e = Assert.Throws<InvalidDataException>(() => JsonFiles.Read(path));
        Assert.Equal($"'{path}' is not UTF-8 text, so it is not a JSON file Recur wrote; the file is damaged.", e.Message);
        DataFileAssert.Bad(() => Vocabulary.Load(path), path, "is not UTF-8 text");
    }

    [Fact]
    public void ATokenWithALineBreakIsQuotedOnOneLine()
    {
        // Found by the vocabulary harness in a CI run: a token holding a line break was quoted raw, so the refusal took
        // two lines.
        using var dir = new TempDirectory();
        string path = dir.File("vocabulary.json");
        File.WriteAllText(path, "{\"format\": \"recur.vocabulary\", \"version\": 1, \"kind\": \"characters\", \"tokens\": [\"a\", \"x\\ny\"]}");
        var e = DataFileAssert.Bad(() => Vocabulary.Load(path), path, "token 3 is \"x\\ny\", which is not one character"); // escaped, as JSON writes it
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void AnInvalidJsonLiteralIsReportedOnOneLine()
    {
        // Found by the config harness: System.Text.Json quotes the rest of the document after an invalid literal.
        using var dir = new TempDirectory();
        string path = dir.File("vocabulary.json");
        File.WriteAllText(path, "{\"format\": nu\n  \"kind\": \"words\",\n  \"tokens\": []\n}\n");
        var e = DataFileAssert.Bad(() => Vocabulary.Load(path), path, "is not JSON (invalid JSON at line 1, byte 14 of the line)");
        Assert.DoesNotContain("tokens", e.Message);
    }

    [Fact]
    public void ANpyDtypeWithLineBreaksIsQuotedOnOneLine()
    {
        // Found by the npy harness (a 40-second run): a damaged 'descr' was quoted with its line breaks.
        using var dir = new TempDirectory();
        string path = dir.File("x.npy");
        WriteNpy(path, "{'descr': '<\n\n  f4', 'fortran_order': False, 'shape': (2,), }\n");
        DataFileAssert.Bad(() => Npy.ReadFloat32(path), path, "has a dtype Recur does not know: '<\\u000a\\u000a  f4'");
    }

    [Fact]
    public void AConfigFieldOutOfRangeIsRefusedOnOneLine()
    {
        // Found by the config harness (a 40-second run): ArgumentOutOfRangeException's "Actual value was 0." on a second line.
        using var dir = new TempDirectory();
        string path = dir.File("config.json");
        File.WriteAllText(path, """
            {"format": "recur.sequential", "version": 1, "layers": [{"class_name": "Embedding", "config": {"input_dim": 0, "output_dim": 4}}]}
            """);
        var node = (System.Text.Json.Nodes.JsonObject)JsonFiles.Read(path)!;
        var e = Assert.Throws<InvalidDataException>(() => Recur.Models.ModelConfig.FromJson(node, path));
        Assert.StartsWith(path, e.Message);
        Assert.Contains("input_dim", e.Message); // the field's own range check (ConfigLimits) names it
        Assert.DoesNotContain('\n', e.Message);
    }

    private static void WriteNpy(string path, string dict)
    {
        byte[] header = Encoding.Latin1.GetBytes(dict);
        var bytes = new byte[10 + header.Length];
        byte[] magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0];
        magic.CopyTo(bytes, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(8), (ushort)header.Length);
        header.CopyTo(bytes, 10);
        File.WriteAllBytes(path, bytes);
    }

    [Fact]
    public void ANpyTypeStringEndingInALineBreakIsNotAType()
    {
        // Found by a 10-minute run of the npy harness: '<i\n' matched the type pattern (its $ matches before a final
        // line break), was read as int64, and the refusal quoted it over two lines.
        using var dir = new TempDirectory();
        string path = dir.File("x.npy");
        WriteNpy(path, "{'descr': '<i\n', 'fortran_order': False, 'shape': (2,), }");
        var e = Assert.Throws<DataFileException>(() => Npy.ReadFloat32(path));
        Assert.DoesNotContain('\n', e.Message);
        Assert.DoesNotContain("int64", e.Message);
    }

    [Fact]
    public void ADamagedNpyHeaderIsQuotedOnOneLine()
    {
        // Found by the npy harness: the damaged header was quoted as it was, line breaks and all.
        using var dir = new TempDirectory();
        string path = dir.File("x.npy");
        WriteNpy(path, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,\n\u0001" + new string('x', 300) + "\n");
        var e = DataFileAssert.Bad(() => Npy.ReadFloat32(path), path, "has a damaged header", "(2,\\u000a\\u0001xxx", "…");
        Assert.True(e.Message.Length < 500, e.Message);
    }
}
