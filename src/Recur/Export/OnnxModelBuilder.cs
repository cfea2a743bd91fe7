using System.Globalization;
using Recur.Layers;
using Recur.Models;

namespace Recur.Export;

/// <summary>
/// One export: walks a model's layers in order, adding each one's nodes to an <see cref="OnnxGraph"/>, and encodes the
/// model. What maps to what is in <see cref="OnnxExporter"/>'s remarks.
/// </summary>
internal sealed partial class OnnxModelBuilder
{
    private readonly OnnxGraph _graph = new();
    private readonly OnnxExportOptions _options;
    private readonly List<string> _stateNames = [];
    private int? _steps; // the model's steps per sequence when fixed, for the LMU's impulse response

    /// <param name="options">The opset (already checked), lengths and states.</param>
    public OnnxModelBuilder(OnnxExportOptions options) => _options = options;

    /// <summary>The ONNX model of <paramref name="model"/>, encoded.</summary>
    /// <exception cref="NotSupportedException">A layer has no ONNX form.</exception>
    /// <exception cref="InvalidOperationException">The model has no layers or is not built.</exception>
    public byte[] Build(Sequential model, string producerVersion)
    {
        if (!model.IsBuilt)
        {
            throw new InvalidOperationException(
                $"OnnxExporter: the model '{model.Name}' is {(model.Configs.Count == 0 ? "empty" : "not built")}; add its layers and build it (Build(inputShape), Fit or Predict) before exporting.");
        }

        OnnxFlow flow = Input(model);
        string inputLayout = Describe(flow);
        foreach (ILayer layer in model.Layers)
        {
            flow = Layer(layer, flow);
        }

        if (flow.Layout == OnnxLayout.TimeMajor)
        {
            flow = Transpose(flow, OnnxLayout.BatchMajor, "output");
        }

        string output = _graph.RenameLastOutput(flow.Value, "output") ? "output" : _graph.Add("Identity", "output", [flow.Value]);
        _graph.Output(output, OnnxGraph.Float, Shape(flow), Describe(flow), first: true);

        var metadata = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in _options.Metadata ?? new Dictionary<string, string>())
        {
            metadata[key] = value;
        }

        metadata["input_layout"] = inputLayout;
        metadata["output_layout"] = Describe(flow) + (flow.Layout == OnnxLayout.BatchMajor && (_options.SequenceLengths || HasMask(model))
            ? "; a step after a sequence's length is 0 where Recur repeats the last valid output" : "");
        metadata["recur_model"] = model.Name;
        if (_options.SequenceLengths)
        {
            metadata["sequence_lengths"] = "input 'lengths', int32 [batch]: each sequence's valid steps, padding at the end";
        }

        if (_options.States)
        {
            metadata["states"] = string.Join(", ", _stateNames) + " (float [directions, batch, H]; give zeros first, then each call's NAME.h/NAME.c as the next call's NAME.h0/NAME.c0)";
        }

        int opset = _options.Opset;
        long irVersion = opset <= 18 ? 8 : opset <= 20 ? 9 : 10;
        return _graph.ToModel(model.Name, irVersion, opset, "Recur", producerVersion, metadata);
    }

    /// <summary>The graph input (and <c>lengths</c>): token ids <c>[batch, steps]</c> for an <see cref="Embedding"/> first, else features.</summary>
    private OnnxFlow Input(Sequential model)
    {
        ILayer first = model.Layers[0] is Chain chain ? chain.First : model.Layers[0];
        IReadOnlyList<int>? shape = model.InputShape;
        _steps = shape is { Count: 2 } && shape[0] > 0 ? shape[0] : null;
        OnnxFlow flow = (first, shape) switch
        {
            (Embedding, _) => new OnnxFlow("input", OnnxLayout.Ids, 0, null),
            (_, { Count: 1 }) => new OnnxFlow("input", OnnxLayout.Features, shape[0], null),
            (_, { Count: 2 }) => new OnnxFlow("input", OnnxLayout.BatchMajor, shape[1], null),
            (IRecurrentLayer r, null) => new OnnxFlow("input", OnnxLayout.BatchMajor, r.InputSize, null),
            _ => throw new InvalidOperationException(
                $"OnnxExporter: the input shape of model '{model.Name}' is {(shape is null ? "unknown" : LayerConfig.FormatShape([.. shape]))}; build it for [steps, features] or [features] (Build(...)) before exporting."),
        };

        _graph.Input("input", OnnxGraph.Float, Shape(flow), Describe(flow));
        if (_options.SequenceLengths)
        {
            string lengths = _graph.Input("lengths", OnnxGraph.Int32, [OnnxDim.Batch], "each sequence's valid steps (1 to steps), its padding at the end");
            flow = flow with { Lengths = lengths };
        }

        return flow;
    }

    /// <summary>The nodes of one layer, reading <paramref name="flow"/>; what they hand on.</summary>
    private OnnxFlow Layer(ILayer layer, OnnxFlow flow) => layer switch
    {
        Dropout or Identity => flow,
        Chain chain => Layer(chain.Second, Layer(chain.First, flow)),
        Dense dense => DenseNodes(dense, flow),
        PointwiseActivation a => flow with
        {
            Value = _graph.Add(a.Activation switch { Activation.Sigmoid => "Sigmoid", Activation.Tanh => "Tanh", _ => "Relu" }, $"{layer.Name}/out", [flow.Value]),
        },
        Softmax => flow with { Value = _graph.Add("Softmax", $"{layer.Name}/out", [flow.Value], OnnxAttribute.Int("axis", -1)) },
        Embedding embedding => EmbeddingNodes(embedding, flow),
        Masking masking => MaskingNodes(masking, flow),
        Bidirectional bi => RecurrentNodes(bi.Name, [Cell(bi.ForwardLayer, bi), Cell(bi.BackwardLayer, bi)], bi.Merge, flow),
        Lmu lmu => LmuNodes(lmu, flow),
        RecurrentLayer recurrent => RecurrentNodes(recurrent.Name, [recurrent], BidirectionalMerge.Concat, flow),
        _ => throw Unsupported(layer, "the exporter knows Lstm, Gru, SimpleRnn, Bidirectional, Dense, the activations, Softmax, Identity, Dropout, Embedding, Masking and the memory-only LMU"),
    };

    /// <summary>Gemm on <c>[batch, in]</c>; MatMul by the transposed weight, then Add, on every step of a sequence.</summary>
    private OnnxFlow DenseNodes(Dense dense, OnnxFlow flow)
    {
        string name = dense.Name;
        Require(flow, dense, OnnxLayout.Features, OnnxLayout.BatchMajor, OnnxLayout.TimeMajor);
        int input = dense.InFeatures, output = dense.OutFeatures;
        string? bias = dense.Bias is null ? null : _graph.Floats($"{name}.bias", [output], dense.Bias.Value.Span);
        if (flow.Layout == OnnxLayout.Features)
        {
            string weight = _graph.Floats($"{name}.weight", [output, input], dense.Weight.Value.Span);
            string y = _graph.Add("Gemm", $"{name}/out", bias is null ? [flow.Value, weight] : [flow.Value, weight, bias], OnnxAttribute.Int("transB", 1));
            return flow with { Value = y, Features = output };
        }

        // [.., in] · [in, out]: the weight [out, in] transposed once here rather than by a node.
        ReadOnlySpan<float> w = dense.Weight.Value.Span;
        var transposed = new float[w.Length];
        for (int o = 0; o < output; o++)
        {
            for (int i = 0; i < input; i++)
            {
                transposed[(i * output) + o] = w[(o * input) + i];
            }
        }

        string product = _graph.Add("MatMul", $"{name}/matmul", [flow.Value, _graph.Floats($"{name}.weight_t", [input, output], transposed)]);
        string result = bias is null ? product : _graph.Add("Add", $"{name}/out", [product, bias]);
        return flow with { Value = result, Features = output };
    }

    /// <summary>Cast the float ids to int64 and Gather rows of the table; with <see cref="Embedding.MaskZero"/>, the lengths are the nonzero ids' count.</summary>
    private OnnxFlow EmbeddingNodes(Embedding embedding, OnnxFlow flow)
    {
        string name = embedding.Name;
        Require(flow, embedding, OnnxLayout.Ids);
        string ids = _graph.Add("Cast", $"{name}/ids", [flow.Value], OnnxAttribute.Int("to", OnnxGraph.Int64));
        string table = _graph.Floats($"{name}.weight", [embedding.InputDim, embedding.OutputDim], embedding.Weight.Value.Span);
        string y = _graph.Add("Gather", $"{name}/out", [table, ids], OnnxAttribute.Int("axis", 0));
        string? lengths = flow.Lengths;
        if (embedding.MaskZero)
        {
            string zero = _graph.Floats($"{name}/zero", [], [0f]);
            string padding = _graph.Add("Equal", $"{name}/is_padding", [flow.Value, zero]);
            string valid = _graph.Add("Cast", $"{name}/valid", [_graph.Add("Not", $"{name}/is_valid", [padding])], OnnxAttribute.Int("to", OnnxGraph.Int32));
            lengths = JoinLengths(name, lengths, ReduceSum(name, valid, [1]));
        }

        return new OnnxFlow(y, OnnxLayout.BatchMajor, embedding.OutputDim, lengths);
    }

    /// <summary>
    /// A step is valid when a feature differs from the mask value: the input times that (0 or 1) per step, and the lengths
    /// the valid steps' count (which is the length when the padding is at the end).
    /// </summary>
    private OnnxFlow MaskingNodes(Masking masking, OnnxFlow flow)
    {
        string name = masking.Name;
        Require(flow, masking, OnnxLayout.BatchMajor, OnnxLayout.TimeMajor);
        string value = _graph.Floats($"{name}/mask_value", [], [masking.MaskValue]);
        string differs = _graph.Add("Not", $"{name}/differs", [_graph.Add("Equal", $"{name}/equals", [flow.Value, value])]);
        string count = ReduceSum(name, _graph.Add("Cast", $"{name}/differs_float", [differs], OnnxAttribute.Int("to", OnnxGraph.Float)), [2], keep: true);
        string zero = _graph.Floats($"{name}/zero", [], [0f]);
        string valid = _graph.Add("Cast", $"{name}/valid", [_graph.Add("Greater", $"{name}/is_valid", [count, zero])], OnnxAttribute.Int("to", OnnxGraph.Float)); // [.., .., 1]
        string y = _graph.Add("Mul", $"{name}/out", [flow.Value, valid]);
        long steps = flow.Layout == OnnxLayout.TimeMajor ? 0 : 1;
        string lengths = _graph.Add("Cast", $"{name}/lengths", [ReduceSum(name, valid, [steps, 2])], OnnxAttribute.Int("to", OnnxGraph.Int32));
        return flow with { Value = y, Lengths = JoinLengths(name, flow.Lengths, lengths) };
    }

    /// <summary>ReduceSum over <paramref name="axes"/> (an input since opset 13).</summary>
    private string ReduceSum(string name, string value, long[] axes, bool keep = false) =>
        _graph.Add("ReduceSum", $"{name}/sum", [value, _graph.Int64s($"{name}/axes", axes)], OnnxAttribute.Int("keepdims", keep ? 1 : 0));

    /// <summary>A step is valid when valid in both masks: with the padding at the end, the shorter of the two lengths.</summary>
    private string JoinLengths(string name, string? incoming, string lengths) =>
        incoming is null ? lengths : _graph.Add("Min", $"{name}/lengths", [incoming, lengths]);

    /// <summary>Transposes a sequence between batch-major and time-major.</summary>
    private OnnxFlow Transpose(OnnxFlow flow, OnnxLayout to, string name) =>
        flow.Layout == to ? flow : flow with { Value = _graph.Add("Transpose", $"{name}/{(to == OnnxLayout.TimeMajor ? "time_major" : "batch_major")}", [flow.Value], OnnxAttribute.Ints("perm", 1, 0, 2)), Layout = to };

    private static void Require(OnnxFlow flow, ILayer layer, params OnnxLayout[] layouts)
    {
        if (!layouts.Contains(flow.Layout))
        {
            throw new InvalidOperationException(
                $"OnnxExporter: layer '{layer.Name}' ({layer.GetType().Name}) receives {Describe(flow)}, which it cannot take; check the model's layer order (Summary()).");
        }
    }

    private static bool HasMask(Sequential model) =>
        model.Layers.Any(l => l is Masking || l is Embedding { MaskZero: true });

    private static NotSupportedException Unsupported(ILayer layer, string why) =>
        new($"OnnxExporter: layer '{layer.Name}' of type {layer.GetType().FullName} cannot be exported to ONNX: {why}; remove it, or replace it by layers the exporter knows.");

    private static OnnxDim[] Shape(OnnxFlow flow) => flow.Layout switch
    {
        OnnxLayout.Features => [OnnxDim.Batch, flow.Features],
        OnnxLayout.Ids => [OnnxDim.Batch, OnnxDim.Steps],
        OnnxLayout.TimeMajor => [OnnxDim.Steps, OnnxDim.Batch, flow.Features],
        _ => [OnnxDim.Batch, OnnxDim.Steps, flow.Features],
    };

    private static string Describe(OnnxFlow flow) => flow.Layout switch
    {
        OnnxLayout.Ids => "float32 [batch, steps]: token ids (whole numbers) as floats, batch-major",
        _ => string.Create(CultureInfo.InvariantCulture, $"float32 [{string.Join(", ", Shape(flow))}]{(flow.Layout == OnnxLayout.BatchMajor ? ", batch-major" : "")}"),
    };
}
