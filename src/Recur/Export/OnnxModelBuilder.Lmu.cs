using Recur.Layers;

namespace Recur.Export;

/// <summary>The nodes of an <see cref="Lmu"/>: the memory-only parallel form, which is two matrix products.</summary>
internal sealed partial class OnnxModelBuilder
{
    /// <summary>
    /// A memory-only LMU returning its last step, <c>m_T = (x·e_xᵀ)·K</c> with the impulse response <c>K [T, d]</c>:
    /// <c>MatMul</c> by <c>e_xᵀ [I, 1]</c>, <c>Reshape</c> to <c>[batch, T]</c>, <c>MatMul</c> by <c>K</c>. Every other
    /// LMU runs a nonlinear (or state-fed) recurrence, refused in one line.
    /// </summary>
    private OnnxFlow LmuNodes(Lmu lmu, OnnxFlow flow)
    {
        string name = lmu.Name;
        Require(flow, lmu, OnnxLayout.BatchMajor, OnnxLayout.TimeMajor);
        if (lmu.Units is not null || lmu.MemoryToMemory || lmu.ReturnSequences)
        {
            throw Unsupported(lmu, "only a memory-only LMU returning its last step without memory_to_memory (one matrix product) is exported; the recurrence of a hidden cell, of memory_to_memory or of every step's memory would need an ONNX Loop or Scan, which the exporter does not write");
        }

        if (flow.Lengths is not null)
        {
            throw Unsupported(lmu, "the LMU reads no sequence lengths or masks, so it cannot follow a Masking layer or be exported with SequenceLengths");
        }

        if (_steps is not int steps)
        {
            throw Unsupported(lmu, "the parallel form multiplies by the impulse response of a fixed sequence length, and the model was built for any length; build it for [steps, features]");
        }

        flow = Transpose(flow, OnnxLayout.BatchMajor, name);
        string encoders = _graph.Floats($"{name}.input_encoders_t", [lmu.InputSize, 1], lmu.InputEncoders.Value.Span);
        string u = _graph.Add("MatMul", $"{name}/u", [flow.Value, encoders]);
        string flat = _graph.Add("Reshape", $"{name}/u_flat", [u, _graph.Int64s($"{name}/u_shape", [0, -1])]);
        string impulse = _graph.Floats($"{name}.impulse_response", [steps, lmu.Order], lmu.ImpulseResponse(steps));
        string y = _graph.Add("MatMul", $"{name}/out", [flat, impulse]);
        return new OnnxFlow(y, OnnxLayout.Features, lmu.Order, null);
    }
}
