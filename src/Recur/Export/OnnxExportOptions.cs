namespace Recur.Export;

/// <summary>What <see cref="OnnxExporter"/> writes besides the model itself: the operator set, a lengths input, state inputs and outputs.</summary>
public sealed record OnnxExportOptions
{
    /// <summary>The lowest operator set the exporter targets (the recurrent operators' last change is opset 14; 17 is what the Python <c>onnx</c> 1.12 checker reads).</summary>
    public const int MinimumOpset = 17;

    /// <summary>The highest operator set the exporter targets; every operator it writes has the same semantics from <see cref="MinimumOpset"/> to this one.</summary>
    public const int MaximumOpset = 21;

    /// <summary>The ONNX operator set of the default domain, <see cref="MinimumOpset"/> (17, the default) to <see cref="MaximumOpset"/>.</summary>
    public int Opset { get; init; } = MinimumOpset;

    /// <summary>
    /// Adds a graph input <c>lengths</c>, int32 <c>[batch]</c>: each sequence's valid steps, its padding at the end (PyTorch's
    /// lengths, <c>Predict</c>'s <c>lengths</c>), given to every recurrent node as <c>sequence_lens</c>.
    /// </summary>
    public bool SequenceLengths { get; init; }

    /// <summary>
    /// Streaming: adds each recurrent layer's initial state as inputs (<c>NAME.h0</c>, and <c>NAME.c0</c> for an LSTM) and its
    /// final state as outputs (<c>NAME.h</c>, <c>NAME.c</c>), each float <c>[directions, batch, H]</c> as ONNX lays them out
    /// (NAME is the layer's name; directions is 2 for a <c>Bidirectional</c>). Feed zeros first, then each call's final
    /// state as the next call's initial state, to run a sequence a piece (or a step) at a time.
    /// </summary>
    public bool States { get; init; }

    /// <summary>String metadata to write into the model's <c>metadata_props</c> (e.g. the metadata of the model's <c>config.json</c>); the exporter's own keys win.</summary>
    public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
