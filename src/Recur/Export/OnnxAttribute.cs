using Recur.IO;

namespace Recur.Export;

/// <summary>
/// One attribute of an ONNX node (<c>AttributeProto</c>): a name and an int, a string, or a list of ints or strings.
/// </summary>
internal sealed class OnnxAttribute
{
    // AttributeProto.AttributeType
    private const int TypeInt = 2, TypeString = 3, TypeInts = 7, TypeStrings = 8;

    private readonly int _type;
    private readonly long[] _ints = [];
    private readonly string[] _strings = [];

    private OnnxAttribute(string name, int type, long[]? ints = null, string[]? strings = null)
    {
        Name = name;
        _type = type;
        _ints = ints ?? [];
        _strings = strings ?? [];
    }

    /// <summary>The attribute's name (<c>hidden_size</c>, <c>perm</c>, …).</summary>
    public string Name { get; }

    /// <summary>An <c>INT</c> attribute.</summary>
    public static OnnxAttribute Int(string name, long value) => new(name, TypeInt, ints: [value]);

    /// <summary>An <c>INTS</c> attribute.</summary>
    public static OnnxAttribute Ints(string name, params long[] values) => new(name, TypeInts, ints: values);

    /// <summary>A <c>STRING</c> attribute.</summary>
    public static OnnxAttribute String(string name, string value) => new(name, TypeString, strings: [value]);

    /// <summary>A <c>STRINGS</c> attribute.</summary>
    public static OnnxAttribute Strings(string name, params string[] values) => new(name, TypeStrings, strings: values);

    /// <summary>Encodes the <c>AttributeProto</c>: name = 1, i = 3, s = 4, ints = 8, strings = 9, type = 20.</summary>
    public void WriteTo(ProtoWriter proto)
    {
        proto.WriteString(1, Name);
        switch (_type)
        {
            case TypeInt:
                proto.WriteInt64(3, _ints[0]);
                break;
            case TypeString:
                proto.WriteString(4, _strings[0]);
                break;
            case TypeInts:
                foreach (long v in _ints)
                {
                    proto.WriteInt64(8, v); // proto2 repeated int64, not packed
                }

                break;
            default:
                foreach (string s in _strings)
                {
                    proto.WriteString(9, s);
                }

                break;
        }

        proto.WriteInt64(20, _type);
    }
}
