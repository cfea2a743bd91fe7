using System.Globalization;
using Recur.IO;
using Recur.Tensors;

namespace Recur.Bench.OnnxRuntimePeer;

/// <summary>
/// What <c>recur bench --shape NAME --onnx FILE</c> writes next to the model, as <c>FILE</c> with the extension
/// <c>.check.safetensors</c>: one input <see cref="X"/> and Recur's output <see cref="Y"/> for it, and in the
/// metadata the shape's sizes, its FLOPs per batch and the names of the graph's inputs and outputs.
/// </summary>
/// <param name="Shape">The bench shape's name (<c>rows-infer</c>, <c>rows-stream</c>, …).</param>
/// <param name="Mode"><c>infer</c> or <c>stream</c>.</param>
/// <param name="Batch">Sequences per batch (1 for a stream).</param>
/// <param name="Steps">Steps per sequence.</param>
/// <param name="Input">Features per step.</param>
/// <param name="Hidden">Units of the recurrent layer.</param>
/// <param name="FlopsPerBatch">FLOPs of the matrix products per batch (per step for a stream), the formula of bench/README.md.</param>
/// <param name="X">The input: <c>[N, T, I]</c> (N sequences, at most a batch; the graph's batch axis is dynamic), or for a stream <c>[1, T, I]</c> fed one step at a time.</param>
/// <param name="Y">Recur's output: <c>[N, C]</c>, or for a stream <c>[T, C]</c>, the output after each step.</param>
/// <param name="InputName">The graph input that takes the sequence.</param>
/// <param name="OutputName">The graph output of the classifier.</param>
/// <param name="StateInputs">For a stream, the graph's state inputs (<c>[D, 1, H]</c> each), in order.</param>
/// <param name="StateOutputs">For a stream, the state outputs that feed <paramref name="StateInputs"/> at the next step, in the same order.</param>
internal sealed record CheckData(
    string Shape,
    string Mode,
    int Batch,
    int Steps,
    int Input,
    int Hidden,
    double FlopsPerBatch,
    Tensor X,
    Tensor Y,
    string InputName,
    string OutputName,
    IReadOnlyList<string> StateInputs,
    IReadOnlyList<string> StateOutputs)
{
    /// <summary>Whether the model runs one step per call with its state fed back.</summary>
    public bool Streaming => Mode == "stream";

    /// <summary>The check file of <paramref name="model"/>: its path with the extension <c>.check.safetensors</c>.</summary>
    public static string PathOf(string model) => Path.ChangeExtension(model, ".check.safetensors");

    /// <summary>Reads the check file of <paramref name="model"/>.</summary>
    /// <exception cref="PeerException">The file is missing or lacks an entry.</exception>
    public static CheckData Load(string model)
    {
        string path = PathOf(model);
        if (!File.Exists(path))
        {
            throw new PeerException($"--model {model}: there is no '{path}' next to it; write both with 'recur bench --shape NAME --onnx {model}'.");
        }

        SafeTensorFile file = SafeTensors.Load(path);
        string Text(string key) => file.Metadata.TryGetValue(key, out string? value)
            ? value
            : throw new PeerException($"{path}: the metadata has no '{key}'; write it again with 'recur bench --shape NAME --onnx {model}'.");
        int Int(string key) => int.Parse(Text(key), CultureInfo.InvariantCulture);
        string[] List(string key) => Text(key).Split(',', StringSplitOptions.RemoveEmptyEntries);
        Tensor Get(string name) => file.Tensors.TryGetValue(name, out Tensor? tensor)
            ? tensor
            : throw new PeerException($"{path}: there is no tensor '{name}'; write it again with 'recur bench --shape NAME --onnx {model}'.");

        return new CheckData(
            Text("shape"), Text("mode"), Int("batch"), Int("steps"), Int("input"), Int("hidden"),
            double.Parse(Text("flops_per_batch"), CultureInfo.InvariantCulture),
            Get("x"), Get("y"), Text("input_name"), Text("output_name"), List("state_inputs"), List("state_outputs"));
    }
}
