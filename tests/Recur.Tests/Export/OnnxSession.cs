using Microsoft.ML.OnnxRuntime;
using Recur.Tensors;

namespace Recur.Tests.Export;

/// <summary>An exported model loaded once into ONNX Runtime (one thread), run on Recur tensors.</summary>
internal sealed class OnnxSession : IDisposable
{
    private readonly SessionOptions _options;
    private readonly InferenceSession _session;

    public OnnxSession(byte[] model)
    {
        _options = new SessionOptions { IntraOpNumThreads = 1, InterOpNumThreads = 1, LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        _session = new InferenceSession(model, _options);
    }

    /// <summary>The graph's input names, in order.</summary>
    public IReadOnlyList<string> InputNames => _session.InputNames;

    /// <summary>The graph's output names, in order.</summary>
    public IReadOnlyList<string> OutputNames => _session.OutputNames;

    /// <summary>The model's metadata_props and producer.</summary>
    public ModelMetadata Metadata => _session.ModelMetadata;

    /// <summary>Zeros shaped as the float input <paramref name="name"/>, its dynamic batch axis <paramref name="batch"/> (a state to start from).</summary>
    public Tensor Zeros(string name, int batch) => new([.. _session.InputMetadata[name].Dimensions.Select(d => d < 0 ? batch : d)]);

    /// <summary>The dimensions of input or output <paramref name="name"/>, -1 for a dynamic one.</summary>
    public int[] Dimensions(string name) =>
        (_session.InputMetadata.TryGetValue(name, out NodeMetadata? input) ? input : _session.OutputMetadata[name]).Dimensions;

    /// <summary>Runs the graph on float inputs and an optional int32 <c>lengths</c>; every output as a tensor.</summary>
    public Dictionary<string, Tensor> Run(IReadOnlyDictionary<string, Tensor> inputs, int[]? lengths = null)
    {
        var names = new List<string>();
        var values = new List<OrtValue>();
        try
        {
            foreach (var (name, tensor) in inputs)
            {
                names.Add(name);
                values.Add(OrtValue.CreateTensorValueFromMemory(tensor.Span.ToArray(), tensor.Shape.ToArray().Select(d => (long)d).ToArray()));
            }

            if (lengths is not null)
            {
                names.Add("lengths");
                values.Add(OrtValue.CreateTensorValueFromMemory(lengths, [lengths.Length]));
            }

            using var run = new RunOptions();
            using IDisposableReadOnlyCollection<OrtValue> outputs = _session.Run(run, names, values, _session.OutputNames);
            var result = new Dictionary<string, Tensor>();
            for (int i = 0; i < outputs.Count; i++)
            {
                int[] shape = outputs[i].GetTensorTypeAndShape().Shape.Select(d => (int)d).ToArray();
                result[_session.OutputNames[i]] = new Tensor(outputs[i].GetTensorDataAsSpan<float>().ToArray(), shape);
            }

            return result;
        }
        finally
        {
            foreach (OrtValue v in values)
            {
                v.Dispose();
            }
        }
    }

    public void Dispose()
    {
        _session.Dispose();
        _options.Dispose();
    }
}
