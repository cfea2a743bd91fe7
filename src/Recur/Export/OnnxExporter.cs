using System.Globalization;
using System.Reflection;
using Recur.IO;
using Recur.Models;

namespace Recur.Export;

/// <summary>
/// Writes a <c>Sequential</c> model as an ONNX model (opset 17 by default, up to <see cref="OnnxExportOptions.MaximumOpset"/>),
/// for ONNX Runtime and other ONNX consumers. Graph input <c>input</c>: float <c>[batch, steps, features]</c>, batch-major as
/// Recur takes it (or <c>[batch, steps]</c> token ids as floats when the first layer is an <c>Embedding</c>; <c>[batch, features]</c>
/// for a model of <c>Dense</c> layers built for <c>[features]</c>); graph output <c>output</c>, shaped as <c>Predict</c>'s output;
/// <c>batch</c> and <c>steps</c> are dynamic axes. Options add an int32 <c>lengths [batch]</c> input and the recurrent layers'
/// states (<see cref="OnnxExportOptions"/>).
/// </summary>
/// <remarks>
/// <para><b>What maps to what.</b> <c>Lstm</c> → <c>LSTM</c> (gate blocks reordered from i, f, g, o to ONNX's i, o, f, c;
/// <c>W [dirs, 4H, I]</c>, <c>R [dirs, 4H, H]</c>, <c>B = [Wb, Rb]</c> with Recur's one bias, its forget quarter plus the
/// <c>ForgetBias</c> constant, in Wb and zeros in Rb); <c>Gru</c> → <c>GRU</c> with <c>linear_before_reset = 1</c> (gates z, r, h;
/// both biases); <c>SimpleRnn</c> → <c>RNN</c> (Tanh or Relu); <c>Bidirectional</c> → one node with <c>direction = "bidirectional"</c>,
/// its two directions concatenated (Transpose, Reshape) or summed (Gather, Add); <c>return_sequences</c> reads <c>Y</c>, otherwise
/// <c>Y_h</c>. ONNX's recurrent operators are time-major, so a sequence is transposed once before the first recurrent layer
/// and once back at the output. <c>Dense</c> → <c>Gemm</c> on <c>[batch, in]</c>, <c>MatMul</c> + <c>Add</c> per step; the
/// activations → <c>Sigmoid</c>, <c>Tanh</c>, <c>Relu</c>, <c>Softmax</c> (last axis); <c>Identity</c> and <c>Dropout</c> (an identity at
/// inference) add nothing; <c>Embedding</c> → <c>Cast</c> to int64 and <c>Gather</c>.</para>
/// <para><b>Masks.</b> <c>Masking</c> and <c>Embedding(maskZero)</c> become lengths computed in the graph — each sequence's count of
/// valid steps (a step whose features all equal the mask value, or id 0, is padding) — given to the recurrent nodes as
/// <c>sequence_lens</c>, joined with the <c>lengths</c> input by <c>Min</c>. ONNX's <c>sequence_lens</c> can only say that a
/// sequence's padding is at its end: a mask with holes, or padding in front, cannot be expressed (Recur skips such steps; the
/// export reads the first <i>count</i> steps instead). At the padded steps after a sequence's end, per-step outputs differ:
/// ONNX writes zeros, where Recur repeats the last valid output (Keras's semantics); the valid steps and the last outputs agree.</para>
/// <para><b>Why no Google.Protobuf.</b> The file is written with the library's own <see cref="ProtoWriter"/>: the library takes
/// no new dependency for it, and the nine messages used (ModelProto, GraphProto, NodeProto, AttributeProto, TensorProto,
/// ValueInfoProto, TypeProto, OperatorSetIdProto, StringStringEntryProto) are small enough that their field numbers from
/// <c>onnx.proto</c>, written down in <c>OnnxGraph</c>, are clearer than generated code.</para>
/// </remarks>
public static class OnnxExporter
{
    /// <summary>The ONNX model of <paramref name="model"/> (a <c>ModelProto</c>), ready for <c>InferenceSession</c>.</summary>
    /// <param name="model">A built model.</param>
    /// <param name="options">The opset, lengths and states; the defaults when null.</param>
    /// <exception cref="NotSupportedException">A layer has no ONNX form (a user's own layer; the message names it and its type).</exception>
    /// <exception cref="ArgumentException">The opset is outside what the exporter targets.</exception>
    /// <exception cref="InvalidOperationException">The model is empty or not built.</exception>
    public static byte[] Export(Sequential model, OnnxExportOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= new OnnxExportOptions();
        if (options.Opset is < OnnxExportOptions.MinimumOpset or > OnnxExportOptions.MaximumOpset)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture,
                $"OnnxExporter: opset {options.Opset} cannot be targeted; give an opset from {OnnxExportOptions.MinimumOpset} to {OnnxExportOptions.MaximumOpset} (17, the default, is what the Python onnx 1.12 checker reads)."), nameof(options));
        }

        return new OnnxModelBuilder(options).Build(model, ProducerVersion);
    }

    /// <summary>Exports <paramref name="model"/> to <paramref name="path"/>, atomically: the whole model is made before anything is written, and a failed write leaves no file and the old one as it was.</summary>
    /// <param name="model">A built model.</param>
    /// <param name="path">The <c>.onnx</c> file to create or replace.</param>
    /// <param name="options">The opset, lengths and states; the defaults when null.</param>
    /// <exception cref="NotSupportedException">A layer has no ONNX form.</exception>
    /// <exception cref="ArgumentException">The opset is outside what the exporter targets, or <paramref name="path"/> names a directory.</exception>
    /// <exception cref="InvalidOperationException">The model is empty or not built.</exception>
    /// <exception cref="IOException">The file cannot be written.</exception>
    /// <exception cref="UnauthorizedAccessException">The directory cannot be written.</exception>
    public static void Save(Sequential model, string path, OnnxExportOptions? options = null)
    {
        byte[] bytes = Export(model, options);
        AtomicFile.WriteAllBytes(path, bytes);
    }

    /// <summary>Recur's informational version, the model's <c>producer_version</c>.</summary>
    private static string ProducerVersion =>
        typeof(OnnxExporter).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? typeof(OnnxExporter).Assembly.GetName().Version?.ToString()
        ?? "unknown";
}
