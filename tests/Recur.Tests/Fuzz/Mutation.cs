using System.Buffers.Binary;
using System.Text;

namespace Recur.Tests.Fuzz;

/// <summary>
/// One change to a file's bytes, as a mutational fuzzer makes them: a flipped bit, an interesting byte or 32-bit
/// integer (both byte orders) written over the data, a cut, an insertion of random bytes or of a token the readers
/// treat specially, a deletion, a chunk copied elsewhere. Positions are taken modulo the length, so any mutation
/// applies to any file.
/// </summary>
internal sealed record Mutation(int Kind, int Position, int Value, int Length)
{
    /// <summary>Integers that break size arithmetic: 0, ±1, powers of two and their neighbours, the extremes.</summary>
    internal static readonly int[] InterestingInts =
        [0, 1, -1, 2, 16, 28, 127, 128, 255, 256, 65535, 65536, 46000, 100000, 1 << 24, int.MaxValue, int.MinValue, int.MaxValue / 2 + 1, 0x7FFFFFF0];

    /// <summary>Text the readers parse: separators, numbers at the edges of float32, JSON and header tokens.</summary>
    internal static readonly string[] Tokens =
        [",", ";", "\t", "\n", "\r\n", " ", "#", "NaN", "inf", "-Infinity", "1e39", "-1", "0", "2.5", "99999999999999999999", "\"", "{", "}", "[", "]",
         ":", "null", "true", "P5", "P2", "'descr'", "'shape': (", ")", "\\u0000", "\u00e9", "\ud83d\ude00", "\"dtype\":\"F32\"", "\"data_offsets\":[0,", "\"units\":", "\"layers\":[]"];

    /// <summary>Applies the mutation to <paramref name="bytes"/> (a new array).</summary>
    public byte[] Apply(byte[] bytes)
    {
        int n = bytes.Length;
        int at = n == 0 ? 0 : (int)((uint)Position % (uint)n);
        var list = new List<byte>(bytes);
        switch (Kind)
        {
            case 0 when n > 0: // flip a bit
                list[at] ^= (byte)(1 << (Value & 7));
                break;
            case 1 when n > 0: // an interesting or random byte
                list[at] = (byte)((Value % 5) switch { 0 => 0, 1 => 0xFF, 2 => 0x7F, 3 => 0x80, _ => Value >> 8 }); // parenthesised: a switch binds tighter than %
                break;
            case 2 when n >= 4: // an interesting 32-bit integer, big- or little-endian
            {
                var word = new byte[4];
                int v = InterestingInts[(uint)Value % (uint)InterestingInts.Length];
                if ((Length & 1) == 0) BinaryPrimitives.WriteInt32BigEndian(word, v); else BinaryPrimitives.WriteInt32LittleEndian(word, v);
                at = Math.Min(at, n - 4);
                for (int i = 0; i < 4; i++) list[at + i] = word[i];
                break;
            }
            case 3: // cut the end
                list.RemoveRange(at, n - at);
                break;
            case 4: // insert random bytes
                list.InsertRange(at, Enumerable.Range(0, 1 + (int)((uint)Length % 16)).Select(i => (byte)(Value * 31 + i * 17)));
                break;
            case 5: // insert a token
                list.InsertRange(at, Encoding.UTF8.GetBytes(Tokens[(uint)Value % (uint)Tokens.Length]));
                break;
            case 6 when n > 0: // delete a run
                list.RemoveRange(at, Math.Min(n - at, 1 + (int)((uint)Length % 32)));
                break;
            case 7 when n > 0: // copy a chunk elsewhere
            {
                int from = (int)((uint)Value % (uint)n), count = Math.Min(n - from, 1 + (int)((uint)Length % 64));
                list.InsertRange(at, bytes.AsSpan(from, count).ToArray());
                break;
            }
            case 8 when n > 0: // overwrite with a token
            {
                byte[] token = Encoding.UTF8.GetBytes(Tokens[(uint)Value % (uint)Tokens.Length]);
                for (int i = 0; i < token.Length && at + i < n; i++) list[at + i] = token[i];
                break;
            }
        }

        return [.. list];
    }

    private static readonly string[] KindNames = ["flip", "byte", "int32", "cut", "insert", "token", "delete", "copy", "overwrite"];

    public override string ToString() => $"{KindNames[Kind]}@{Position}:{Value}/{Length}";
}
