using Recur.Layers;

namespace Recur.Export;

/// <summary>The recurrent layers: one ONNX <c>LSTM</c>, <c>GRU</c> or <c>RNN</c> node per layer, both directions of a <c>Bidirectional</c> in one.</summary>
internal sealed partial class OnnxModelBuilder
{
    // Recur's gate blocks (PyTorch's order) in ONNX's order: LSTM i, f, g, o → i, o, f, c; GRU r, z, n → z, r, h.
    private static readonly int[] LstmOrder = [0, 3, 1, 2];
    private static readonly int[] GruOrder = [1, 0, 2];
    private static readonly int[] RnnOrder = [0];

    /// <summary><paramref name="layer"/> as one direction of <paramref name="owner"/>, or the reason it cannot be one.</summary>
    private static RecurrentLayer Cell(IRecurrentLayer layer, Bidirectional owner) =>
        layer as RecurrentLayer ?? throw Unsupported(owner, $"its direction '{layer.Name}' is a {layer.GetType().Name}, and ONNX's bidirectional operators hold an Lstm, Gru or SimpleRnn in each direction");

    /// <summary>
    /// One recurrent node over a time-major sequence: one direction, or two (<c>direction = "bidirectional"</c>) merged by
    /// concatenation or by Add; its per-step output <c>Y [T, dirs, B, H]</c> or its last <c>Y_h [dirs, B, H]</c>.
    /// </summary>
    private OnnxFlow RecurrentNodes(string name, RecurrentLayer[] directions, BidirectionalMerge merge, OnnxFlow flow)
    {
        RecurrentLayer first = directions[0];
        Require(flow, first, OnnxLayout.BatchMajor, OnnxLayout.TimeMajor);
        CheckDirections(name, directions);
        if (Array.Exists(directions, d => d.LayerNorm))
        {
            throw new NotSupportedException(
                $"OnnxExporter: layer '{name}' is layer-normalised, which ONNX's {(first is Gru ? "GRU" : "LSTM")} operator cannot express (it has no normalisation inside the recurrence); train it without layer normalisation to export it.");
        }

        flow = Transpose(flow, OnnxLayout.TimeMajor, name);
        int dirs = directions.Length, h = first.HiddenSize, i = first.InputSize;
        (string op, int[] order) = first switch
        {
            Lstm => ("LSTM", LstmOrder),
            Gru => ("GRU", GruOrder),
            _ => ("RNN", RnnOrder),
        };

        int gates = order.Length * h;
        var w = new float[dirs * gates * i];
        var r = new float[dirs * gates * h];
        var b = new float[dirs * 2 * gates];
        for (int d = 0; d < dirs; d++)
        {
            RecurrentLayer layer = directions[d];
            Reorder(layer.WeightIh.Value.Span, order, h * i, w.AsSpan(d * gates * i, gates * i));
            Reorder(layer.WeightHh.Value.Span, order, h * h, r.AsSpan(d * gates * h, gates * h));
            Span<float> wb = b.AsSpan(d * 2 * gates, gates), rb = b.AsSpan((d * 2 * gates) + gates, gates);
            IReadOnlyDictionary<string, Tensors.Tensor> biases = layer.ToPyTorch(); // bias_ih = the one bias (bias_hh = 0), or the GRU's two
            Reorder(biases["bias_ih_l0"].Span, order, h, wb);
            Reorder(biases["bias_hh_l0"].Span, order, h, rb);
            if (layer is Lstm lstm)
            {
                foreach (ref float f in wb.Slice(2 * h, h)) // ONNX's f block; Recur adds ForgetBias to the forget pre-activation
                {
                    f += lstm.ForgetBias;
                }
            }
        }

        var inputs = new List<string>
        {
            flow.Value,
            _graph.Floats($"{name}.W", [dirs, gates, i], w),
            _graph.Floats($"{name}.R", [dirs, gates, h], r),
            _graph.Floats($"{name}.B", [dirs, 2 * gates], b),
            flow.Lengths ?? "",
        };
        bool lstmNode = op == "LSTM";
        OnnxDim[] stateShape = [dirs, OnnxDim.Batch, h];
        string yh = "", yc = "";
        if (_options.States)
        {
            inputs.Add(_graph.Input($"{name}.h0", OnnxGraph.Float, stateShape, "the initial hidden state (zeros to start a sequence)"));
            yh = _graph.Fresh($"{name}.h");
            _graph.Output(yh, OnnxGraph.Float, stateShape, "the hidden state after the last (valid) step");
            _stateNames.Add($"{name}.h0 → {yh}");
            if (lstmNode)
            {
                inputs.Add(_graph.Input($"{name}.c0", OnnxGraph.Float, stateShape, "the initial cell state (zeros to start a sequence)"));
                yc = _graph.Fresh($"{name}.c");
                _graph.Output(yc, OnnxGraph.Float, stateShape, "the cell state after the last (valid) step");
                _stateNames.Add($"{name}.c0 → {yc}");
            }
        }

        bool sequences = first.ReturnSequences;
        string y = sequences ? _graph.Fresh($"{name}/Y") : "";
        if (!sequences && yh.Length == 0)
        {
            yh = _graph.Fresh($"{name}/Y_h");
        }

        var attributes = new List<OnnxAttribute>
        {
            OnnxAttribute.Int("hidden_size", h),
            OnnxAttribute.String("direction", dirs == 2 ? "bidirectional" : "forward"),
        };
        if (first is Gru)
        {
            attributes.Add(OnnxAttribute.Int("linear_before_reset", 1));
        }
        else if (first is SimpleRnn rnn)
        {
            string activation = rnn.Activation == RnnActivation.Relu ? "Relu" : "Tanh";
            attributes.Add(OnnxAttribute.Strings("activations", [.. Enumerable.Repeat(activation, dirs)]));
        }

        _graph.AddMany(op, lstmNode ? [y, yh, yc] : [y, yh], inputs, [.. attributes]);
        if (sequences)
        {
            // Y [T, dirs, B, H] → [T, B, dirs·H] or [T, B, H]
            string merged = dirs == 1 ? _graph.Add("Squeeze", $"{name}/out", [y, _graph.Int64s($"{name}/axes", [1])])
                : merge == BidirectionalMerge.Sum ? AddDirections(name, y, 1)
                : _graph.Add("Reshape", $"{name}/out", [_graph.Add("Transpose", $"{name}/steps_batch_dirs", [y], OnnxAttribute.Ints("perm", 0, 2, 1, 3)), _graph.Int64s($"{name}/shape", [0, 0, -1])]);
            return new OnnxFlow(merged, OnnxLayout.TimeMajor, merge == BidirectionalMerge.Sum ? h : dirs * h, flow.Lengths);
        }

        // Y_h [dirs, B, H] → [B, dirs·H] or [B, H]; the mask ends here, as in Recur.
        string last = dirs == 1 ? _graph.Add("Squeeze", $"{name}/out", [yh, _graph.Int64s($"{name}/axes", [0])])
            : merge == BidirectionalMerge.Sum ? AddDirections(name, yh, 0)
            : _graph.Add("Reshape", $"{name}/out", [_graph.Add("Transpose", $"{name}/batch_dirs", [yh], OnnxAttribute.Ints("perm", 1, 0, 2)), _graph.Int64s($"{name}/shape", [0, -1])]);
        return new OnnxFlow(last, OnnxLayout.Features, merge == BidirectionalMerge.Sum ? h : dirs * h, null);
    }

    /// <summary>The forward direction plus the backward one: Gather each along <paramref name="axis"/>, then Add.</summary>
    private string AddDirections(string name, string value, long axis)
    {
        string forward = _graph.Add("Gather", $"{name}/forward", [value, _graph.Int64s($"{name}/index", [0], scalar: true)], OnnxAttribute.Int("axis", axis));
        string backward = _graph.Add("Gather", $"{name}/backward", [value, _graph.Int64s($"{name}/index", [1], scalar: true)], OnnxAttribute.Int("axis", axis));
        return _graph.Add("Add", $"{name}/out", [forward, backward]);
    }

    /// <summary>Both directions of one node share the operator and its settings: the same kind, forget bias, activation.</summary>
    private static void CheckDirections(string name, RecurrentLayer[] directions)
    {
        if (directions.Length < 2)
        {
            return;
        }

        RecurrentLayer f = directions[0], b = directions[1];
        bool same = (f, b) switch
        {
            (Lstm, Lstm) => true, // the forget bias is folded into each direction's own bias
            (Gru, Gru) => true,
            (SimpleRnn a, SimpleRnn c) => a.Activation == c.Activation,
            _ => false,
        };
        if (!same)
        {
            throw new NotSupportedException(
                $"OnnxExporter: layer '{name}' pairs a {Kind(f)} forward with a {Kind(b)} backward; ONNX's bidirectional operators run one kind in both directions.");
        }
    }

    private static string Kind(RecurrentLayer layer) => layer is SimpleRnn rnn ? $"SimpleRnn ({rnn.Activation})" : layer.GetType().Name;

    /// <summary>Copies blocks of <paramref name="block"/> values from <paramref name="source"/> into <paramref name="target"/> in <paramref name="order"/>.</summary>
    private static void Reorder(ReadOnlySpan<float> source, int[] order, int block, Span<float> target)
    {
        for (int k = 0; k < order.Length; k++)
        {
            source.Slice(order[k] * block, block).CopyTo(target.Slice(k * block, block));
        }
    }
}
