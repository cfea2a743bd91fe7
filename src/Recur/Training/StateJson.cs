using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;

namespace Recur.Training;

/// <summary>
/// Exact JSON forms for checkpoint state: 64-bit words and doubles as invariant strings (JSON numbers lose
/// precision in other readers, and NaN is not JSON), integer arrays as base64 of their little-endian bytes.
/// </summary>
internal static class StateJson
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static JsonNode Write(RngState s) => new JsonArray(
        s.S0.ToString(Inv), s.S1.ToString(Inv), s.S2.ToString(Inv), s.S3.ToString(Inv),
        s.HasSpareGaussian, Write(s.SpareGaussian));

    public static RngState ReadRng(JsonNode? node, string what)
    {
        try
        {
            JsonArray a = node!.AsArray();
            return new RngState(
                ulong.Parse((string)a[0]!, Inv), ulong.Parse((string)a[1]!, Inv), ulong.Parse((string)a[2]!, Inv), ulong.Parse((string)a[3]!, Inv),
                (bool)a[4]!, ReadDouble(a[5], what));
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or OverflowException or ArgumentOutOfRangeException)
        {
            throw new InvalidDataException($"{what}: a saved random generator state is malformed ({e.Message}).", e);
        }
    }

    public static string Write(double value) => value.ToString("R", Inv);

    public static double ReadDouble(JsonNode? node, string what) =>
        node is not null && double.TryParse((string?)node, NumberStyles.Float, Inv, out double v)
            ? v
            : throw new InvalidDataException($"{what}: a saved number is missing or malformed ({node?.ToJsonString() ?? "null"}).");

    public static string Write(ReadOnlySpan<int> values) =>
        Convert.ToBase64String(MemoryMarshal.AsBytes(values)); // little-endian on every platform .NET runs this library on

    public static int[] ReadInts(JsonNode? node, string what)
    {
        try
        {
            byte[] bytes = Convert.FromBase64String((string)node!);
            return bytes.Length % 4 == 0
                ? MemoryMarshal.Cast<byte, int>(bytes).ToArray()
                : throw new FormatException("the byte count is not a multiple of 4");
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{what}: a saved integer array is malformed ({e.Message}).", e);
        }
    }

    public static int ReadInt(JsonObject o, string key, string what)
    {
        try
        {
            return (int)o[key]!;
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{what}: \"{key}\" is missing or not an integer.", e);
        }
    }
}
