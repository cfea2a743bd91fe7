using System.Buffers.Binary;
using Recur.IO;

namespace Recur.Export;

/// <summary>
/// An ONNX graph being built — nodes in order, initializers (the weights and the small constant tensors), the graph's
/// inputs and outputs — and its encoding as a <c>ModelProto</c> with <see cref="ProtoWriter"/>. Field numbers are
/// those of <c>onnx.proto</c> (IR version 8 and later): ModelProto ir_version = 1, producer_name = 2, producer_version = 3,
/// graph = 7, opset_import = 8, metadata_props = 14; GraphProto node = 1, name = 2, initializer = 5, doc_string = 10,
/// input = 11, output = 12; NodeProto input = 1, output = 2, name = 3, op_type = 4, attribute = 5; TensorProto dims = 1,
/// data_type = 2, name = 8, raw_data = 9; ValueInfoProto name = 1, type = 2, doc_string = 3; TypeProto tensor_type = 1
/// (elem_type = 1, shape = 2; TensorShapeProto dim = 1: dim_value = 1, dim_param = 2); OperatorSetIdProto domain = 1,
/// version = 2; StringStringEntryProto key = 1, value = 2.
/// </summary>
internal sealed class OnnxGraph
{
    /// <summary>TensorProto.DataType FLOAT.</summary>
    public const int Float = 1;

    /// <summary>TensorProto.DataType INT32.</summary>
    public const int Int32 = 6;

    /// <summary>TensorProto.DataType INT64.</summary>
    public const int Int64 = 7;

    private readonly List<Node> _nodes = [];
    private readonly List<Initializer> _initializers = [];
    private readonly List<ValueInfo> _inputs = [];
    private readonly List<ValueInfo> _outputs = [];
    private readonly HashSet<string> _names = [];

    /// <summary>A value name not used yet: <paramref name="hint"/>, or it with <c>_1</c>, <c>_2</c>, … appended.</summary>
    public string Fresh(string hint)
    {
        string name = hint;
        for (int k = 1; !_names.Add(name); k++)
        {
            name = $"{hint}_{k}";
        }

        return name;
    }

    /// <summary>Adds a node of <paramref name="op"/> with one output named from <paramref name="hint"/>; returns the output's name.</summary>
    public string Add(string op, string hint, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes) =>
        AddMany(op, [Fresh(hint)], inputs, attributes)[0];

    /// <summary>Adds a node of <paramref name="op"/> writing <paramref name="outputs"/> (already named; "" for an output not wanted).</summary>
    public IReadOnlyList<string> AddMany(string op, IReadOnlyList<string> outputs, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes)
    {
        // Trailing optional inputs and outputs that are not given are left out, as ONNX allows.
        int nIn = inputs.Count, nOut = outputs.Count;
        while (nIn > 0 && inputs[nIn - 1].Length == 0)
        {
            nIn--;
        }

        while (nOut > 1 && outputs[nOut - 1].Length == 0)
        {
            nOut--;
        }

        _nodes.Add(new Node(op, Fresh($"{op}_node"), inputs.Take(nIn).ToArray(), outputs.Take(nOut).ToArray(), attributes));
        return outputs;
    }

    /// <summary>Renames <paramref name="value"/>, the output of the last node added, to <paramref name="name"/>; false when the last node does not write it.</summary>
    public bool RenameLastOutput(string value, string name)
    {
        if (_nodes.Count == 0)
        {
            return false;
        }

        string[] outputs = _nodes[^1].Outputs;
        int at = Array.IndexOf(outputs, value);
        if (at < 0 || !_names.Add(name))
        {
            return false;
        }

        outputs[at] = name;
        return true;
    }

    /// <summary>A float initializer <paramref name="dims"/> holding <paramref name="values"/> (row-major); returns its name.</summary>
    public string Floats(string hint, long[] dims, ReadOnlySpan<float> values)
    {
        var raw = new byte[values.Length * 4];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * 4), values[i]);
        }

        return AddInitializer(hint, Float, dims, raw);
    }

    /// <summary>A 1-D int64 initializer holding <paramref name="values"/> (shapes, axes), or a scalar with <paramref name="scalar"/>; returns its name.</summary>
    public string Int64s(string hint, long[] values, bool scalar = false)
    {
        var raw = new byte[values.Length * 8];
        for (int i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * 8), values[i]);
        }

        return AddInitializer(hint, Int64, scalar ? [] : [values.Length], raw);
    }

    /// <summary>Declares a graph input <paramref name="name"/> of element type <paramref name="type"/> and shape <paramref name="shape"/>.</summary>
    public string Input(string name, int type, OnnxDim[] shape, string doc)
    {
        _names.Add(name);
        _inputs.Add(new ValueInfo(name, type, shape, doc));
        return name;
    }

    /// <summary>Declares <paramref name="name"/>, a value the graph computes, a graph output (the first with <paramref name="first"/>).</summary>
    public void Output(string name, int type, OnnxDim[] shape, string doc, bool first = false) =>
        _outputs.Insert(first ? 0 : _outputs.Count, new ValueInfo(name, type, shape, doc));

    /// <summary>The whole <c>ModelProto</c>: this graph, the operator set, the producer and <paramref name="metadata"/>.</summary>
    public byte[] ToModel(string graphName, long irVersion, long opset, string producer, string version, IEnumerable<KeyValuePair<string, string>> metadata)
    {
        var graph = new ProtoWriter(1 << 16);
        var part = new ProtoWriter();
        foreach (Node node in _nodes)
        {
            node.WriteTo(part);
            graph.WriteMessage(1, part);
            part.Clear();
        }

        graph.WriteString(2, graphName);
        foreach (Initializer initializer in _initializers)
        {
            initializer.WriteTo(part);
            graph.WriteMessage(5, part);
            part.Clear();
        }

        foreach (ValueInfo input in _inputs)
        {
            input.WriteTo(part);
            graph.WriteMessage(11, part);
            part.Clear();
        }

        foreach (ValueInfo output in _outputs)
        {
            output.WriteTo(part);
            graph.WriteMessage(12, part);
            part.Clear();
        }

        var model = new ProtoWriter(graph.WrittenSpan.Length + 1024);
        model.WriteInt64(1, irVersion);
        model.WriteString(2, producer);
        model.WriteString(3, version);
        model.WriteMessage(7, graph);
        part.WriteInt64(2, opset); // OperatorSetIdProto with the default domain ""
        model.WriteMessage(8, part);
        part.Clear();
        foreach (var (key, value) in metadata)
        {
            part.WriteString(1, key);
            part.WriteString(2, value);
            model.WriteMessage(14, part);
            part.Clear();
        }

        return model.WrittenSpan.ToArray();
    }

    private string AddInitializer(string hint, int type, long[] dims, byte[] raw)
    {
        string name = Fresh(hint);
        _initializers.Add(new Initializer(name, type, dims, raw));
        return name;
    }

    /// <summary>A <c>NodeProto</c>.</summary>
    private sealed record Node(string Op, string Name, string[] Inputs, string[] Outputs, OnnxAttribute[] Attributes)
    {
        public void WriteTo(ProtoWriter proto)
        {
            foreach (string input in Inputs)
            {
                proto.WriteString(1, input);
            }

            foreach (string output in Outputs)
            {
                proto.WriteString(2, output);
            }

            proto.WriteString(3, Name);
            proto.WriteString(4, Op);
            var attribute = new ProtoWriter();
            foreach (OnnxAttribute a in Attributes)
            {
                a.WriteTo(attribute);
                proto.WriteMessage(5, attribute);
                attribute.Clear();
            }
        }
    }

    /// <summary>A <c>TensorProto</c> initializer, its data little-endian in <c>raw_data</c>.</summary>
    private sealed record Initializer(string Name, int Type, long[] Dims, byte[] Raw)
    {
        public void WriteTo(ProtoWriter proto)
        {
            foreach (long d in Dims)
            {
                proto.WriteInt64(1, d);
            }

            proto.WriteInt64(2, Type);
            proto.WriteString(8, Name);
            proto.WriteBytes(9, Raw);
        }
    }

    /// <summary>A <c>ValueInfoProto</c> of a tensor: name, element type, shape (fixed and named axes), documentation.</summary>
    private sealed record ValueInfo(string Name, int Type, OnnxDim[] Shape, string Doc)
    {
        public void WriteTo(ProtoWriter proto)
        {
            var shape = new ProtoWriter();
            var dim = new ProtoWriter();
            foreach (OnnxDim d in Shape)
            {
                if (d.Param is null)
                {
                    dim.WriteInt64(1, d.Value);
                }
                else
                {
                    dim.WriteString(2, d.Param);
                }

                shape.WriteMessage(1, dim);
                dim.Clear();
            }

            var tensor = new ProtoWriter();
            tensor.WriteInt64(1, Type);
            tensor.WriteMessage(2, shape);
            var type = new ProtoWriter();
            type.WriteMessage(1, tensor);
            proto.WriteString(1, Name);
            proto.WriteMessage(2, type);
            proto.WriteString(3, Doc);
        }
    }
}
