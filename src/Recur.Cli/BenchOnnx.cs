using System.Globalization;
using Recur.Export;
using Recur.IO;
using Recur.Layers;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Cli;

/// <summary>
/// <c>recur bench --shape NAME --onnx FILE</c>: writes the shape's model (the weights <c>recur bench</c> times, from the
/// same seed) as ONNX, and next to it a check file (<see cref="CheckPath"/>) with one input and Recur's output for it,
/// so that bench/peers/OnnxRuntimePeer times exactly the model Recur exported and first checks it computes the same.
/// </summary>
internal static class BenchOnnx
{
    /// <summary>Sequences in the check batch of an inference shape (at most its batch): the batch axis is dynamic, so a part of a batch checks the same graph.</summary>
    public const int CheckBatch = 32;

    /// <summary>The check file of the model at <paramref name="path"/>: the same path with the extension <c>.check.safetensors</c>.</summary>
    public static string CheckPath(string path) => Path.ChangeExtension(path, ".check.safetensors");

    /// <summary>Why <paramref name="shape"/> cannot be exported for the peer, or null: training and ragged shapes are not inference peers' work.</summary>
    public static string? Problem(BenchShape shape) =>
        shape.Training ? $"--shape {shape.Name} trains; --onnx writes an inference shape's model (a -infer or -stream shape)."
        : shape.Ragged ? $"--shape {shape.Name} has ragged lengths, which the ONNX Runtime peer does not time; choose a -infer or -stream shape of fixed length."
        : null;

    /// <summary>
    /// Writes the model of <paramref name="shape"/> to <paramref name="path"/> (ONNX; for a streaming shape with its states
    /// as inputs and outputs) and its check file: the tensors <c>x</c> (<c>[N, T, I]</c>: N is <see cref="CheckBatch"/>, or the batch if
    /// smaller; a stream's <c>[1, T, I]</c>) and <c>y</c> (Recur's output, <c>[N, C]</c>; for a stream <c>[T, C]</c>, each step's output through
    /// <see cref="RecurrentLayer{TState}.Step(Tensor, TState)"/> from zeros), and the metadata the peer reads (the shape's sizes, its
    /// FLOPs per batch, the graph's input, output and state names).
    /// </summary>
    public static void Write(BenchShape shape, ulong seed, string path)
    {
        var rng = new Rng(seed);
        (IRecurrentLayer recurrent, Dense dense) = BenchRunner.Build(shape, rng);
        var model = new Sequential(seed, "bench");
        model.Add(recurrent);
        model.Add(dense);
        model.Build(shape.Steps, shape.Input);

        int batch = Math.Min(shape.Batch, CheckBatch);
        var x = new Tensor(batch, shape.Steps, shape.Input);
        Span<float> values = x.Span;
        for (int i = 0; i < values.Length; i++)
        {
            values[i] = (2f * rng.NextFloat()) - 1f;
        }

        var metadata = new Dictionary<string, string>
        {
            ["shape"] = shape.Name,
            ["mode"] = shape.Mode,
            ["batch"] = Text(shape.Batch),
            ["steps"] = Text(shape.Steps),
            ["input"] = Text(shape.Input),
            ["hidden"] = Text(shape.Hidden),
            ["flops_per_batch"] = shape.FlopsPerBatch().ToString("R", CultureInfo.InvariantCulture),
            ["input_name"] = "input",
            ["output_name"] = "output",
            ["state_inputs"] = "",
            ["state_outputs"] = "",
        };
        Tensor y;
        if (shape.Streaming)
        {
            y = recurrent switch
            {
                Lstm lstm => StreamOutputs(lstm, s => s.H, dense, x),
                Gru gru => StreamOutputs(gru, s => s, dense, x),
                _ => throw new ArgumentException($"recur bench: shape {shape.Name} streams a {recurrent.GetType().Name}, which has no Step."),
            };
            // The exporter's state names: NAME.h0 (and NAME.c0 for an LSTM) in, NAME.h (NAME.c) out.
            bool cell = recurrent is Lstm;
            metadata["state_inputs"] = cell ? $"{recurrent.Name}.h0,{recurrent.Name}.c0" : $"{recurrent.Name}.h0";
            metadata["state_outputs"] = cell ? $"{recurrent.Name}.h,{recurrent.Name}.c" : $"{recurrent.Name}.h";
        }
        else
        {
            y = model.Forward(x);
        }

        OnnxExporter.Save(model, path, new OnnxExportOptions { States = shape.Streaming });
        SafeTensors.Save(CheckPath(path), new Dictionary<string, Tensor> { ["x"] = x, ["y"] = y }, metadata);
    }

    /// <summary>Runs <paramref name="x"/> <c>[1, T, I]</c> a step at a time from zeros; returns each step's output <c>[T, C]</c>.</summary>
    private static Tensor StreamOutputs<TState>(RecurrentLayer<TState> layer, Func<TState, Tensor> output, Dense dense, Tensor x)
        where TState : class
    {
        int steps = x.Dim(1), input = x.Dim(2);
        var y = new Tensor(steps, BenchShape.Classes);
        TState state = layer.ZeroState(1);
        for (int t = 0; t < steps; t++)
        {
            state = layer.Step(new Tensor(x.Span.Slice(t * input, input).ToArray(), 1, input), state);
            dense.Forward(output(state)).Span.CopyTo(y.Span.Slice(t * BenchShape.Classes, BenchShape.Classes));
        }

        return y;
    }

    private static string Text(int value) => value.ToString(CultureInfo.InvariantCulture);
}
