using Recur.Export;
using Recur.Models;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Export;

/// <summary>
/// Every exportable layer and combination (<see cref="OnnxCases"/>) run by ONNX Runtime 1.31 and compared with Recur's
/// <c>Predict</c> on random inputs and random weights, for batches of 1, 3 and 17 and 1, 5 and 28 steps, without and with
/// lengths (and a mask made from the data where the model has one), and streamed a step at a time through the states.
/// </summary>
public class OnnxRuntimeTests(ITestOutputHelper output)
{
    private static readonly int[] Batches = [1, 3, 17];
    private static readonly int[] StepCounts = [1, 5, 28];

    [Theory]
    [MemberData(nameof(OnnxCases.Names), MemberType = typeof(OnnxCases))]
    public void RunsAsRecurPredicts(string name)
    {
        OnnxCase c = OnnxCases.Get(name);
        Sequential model = c.Build();
        using var plain = new OnnxSession(OnnxExporter.Export(model));
        using var withLengths = new OnnxSession(OnnxExporter.Export(model, new OnnxExportOptions { SequenceLengths = true }));
        var rng = new Rng(11);
        bool masked = c.Input is OnnxInput.Masked or OnnxInput.MaskedIds;
        foreach (int batch in Batches)
        {
            foreach (int steps in c.FixedSteps is int fixedSteps ? [fixedSteps] : StepCounts)
            {
                (Tensor x, int[] padded) = c.Data(batch, steps, rng);
                string shape = $"batch {batch}, steps {steps}";
                Tensor expected = model.Predict(x, 1000);
                Tensor actual = plain.Run(new Dictionary<string, Tensor> { ["input"] = x })["output"];
                OnnxCompare.Close(output, masked ? $"{shape}, padded (mask from the data)" : shape, expected, actual, masked ? padded : null);

                int[] lengths = c.Data(batch, steps, rng).Lengths;
                expected = model.Predict(x, 1000, lengths);
                actual = withLengths.Run(new Dictionary<string, Tensor> { ["input"] = x }, lengths)["output"];
                int[] valid = masked ? [.. lengths.Zip(padded, Math.Min)] : lengths;
                OnnxCompare.Close(output, $"{shape}, lengths{(masked ? " and the mask" : "")}", expected, actual, valid);
            }
        }
    }

    [Theory]
    [MemberData(nameof(OnnxCases.Streamable), MemberType = typeof(OnnxCases))]
    public void StreamsAStepAtATimeThroughTheStates(string name)
    {
        OnnxCase c = OnnxCases.Get(name);
        Sequential model = c.Build();
        using var session = new OnnxSession(OnnxExporter.Export(model, new OnnxExportOptions { States = true }));
        string[] stateInputs = [.. session.InputNames.Where(n => n != "input")];
        Assert.NotEmpty(stateInputs);
        Assert.All(stateInputs, n => Assert.Contains(n[..^1], session.OutputNames)); // lstm.h0 → lstm.h

        const int batch = 3, steps = 28;
        (Tensor x, _) = c.Data(batch, steps, new Rng(12));
        Tensor expected = model.Predict(x, 1000);
        var states = stateInputs.ToDictionary(n => n, n => session.Zeros(n, batch));
        int perStep = x.Length / (batch * steps);
        Tensor? last = null;
        float max = 0f;
        for (int t = 0; t < steps; t++)
        {
            var step = x.Rank == 3 ? new Tensor(batch, 1, perStep) : new Tensor(batch, 1);
            for (int b = 0; b < batch; b++)
            {
                x.Span.Slice(((b * steps) + t) * perStep, perStep).CopyTo(step.Span.Slice(b * perStep, perStep));
            }

            var inputs = new Dictionary<string, Tensor>(states) { ["input"] = step };
            Dictionary<string, Tensor> outputs = session.Run(inputs);
            foreach (string n in stateInputs)
            {
                states[n] = outputs[n[..^1]];
            }

            last = outputs["output"];
            if (expected.Rank == 3)
            {
                // This step's output [B, 1, C] against Recur's step t of the whole sequence.
                int classes = expected.Dim(2);
                var want = new Tensor(batch, 1, classes);
                for (int b = 0; b < batch; b++)
                {
                    expected.Span.Slice(((b * steps) + t) * classes, classes).CopyTo(want.Span.Slice(b * classes, classes));
                }

                max = MathF.Max(max, OnnxCompare.Close(output, $"step {t}", want, last));
            }
        }

        if (expected.Rank == 2)
        {
            max = OnnxCompare.Close(output, $"after {steps} steps fed one at a time", expected, last!);
        }

        output.WriteLine($"{name}: {steps} steps streamed through {string.Join(", ", stateInputs)}; largest difference {max:E2}");
    }

    [Fact]
    public void BidirectionalStatesHoldBothDirections()
    {
        Sequential model = OnnxCases.Get("bi_lstm_concat").Build();
        using var session = new OnnxSession(OnnxExporter.Export(model, new OnnxExportOptions { States = true, SequenceLengths = true }));
        Assert.Equal(["input", "lengths", "bidirectional.h0", "bidirectional.c0"], session.InputNames);
        Assert.Equal(["output", "bidirectional.h", "bidirectional.c"], session.OutputNames);
        Assert.Equal([2, -1, 5], session.Dimensions("bidirectional.h0"));
        (Tensor x, int[] lengths) = OnnxCases.Get("bi_lstm_concat").Data(3, 5, new Rng(13));
        var inputs = new Dictionary<string, Tensor>
        {
            ["input"] = x,
            ["bidirectional.h0"] = session.Zeros("bidirectional.h0", 3),
            ["bidirectional.c0"] = session.Zeros("bidirectional.c0", 3),
        };
        Dictionary<string, Tensor> outputs = session.Run(inputs, lengths);
        OnnxCompare.Close(output, "bidirectional LSTM from zero states, lengths", model.Predict(x, 1000, lengths), outputs["output"]);
        Assert.Equal([2, 3, 5], outputs["bidirectional.c"].Shape.ToArray());
    }

    [Fact]
    public void EveryOpsetItTargetsRuns()
    {
        foreach (string name in new[] { "bi_gru_sum_seq", "masking", "embedding_mask_zero" })
        {
            OnnxCase c = OnnxCases.Get(name);
            Sequential model = c.Build();
            (Tensor x, int[] padded) = c.Data(3, 5, new Rng(14));
            Tensor expected = model.Predict(x, 1000);
            for (int opset = OnnxExportOptions.MinimumOpset; opset <= OnnxExportOptions.MaximumOpset; opset++)
            {
                using var session = new OnnxSession(OnnxExporter.Export(model, new OnnxExportOptions { Opset = opset }));
                OnnxCompare.Close(output, $"{name}, opset {opset}", expected, session.Run(new Dictionary<string, Tensor> { ["input"] = x })["output"], padded);
            }
        }
    }

    [Fact]
    public void NamesTheProducerTheLayoutAndTheDynamicAxes()
    {
        Sequential model = OnnxCases.Get("tutorial").Build();
        var metadata = new Dictionary<string, string> { ["dataset"] = "mnist", ["input_layout"] = "overridden" };
        using var session = new OnnxSession(OnnxExporter.Export(model, new OnnxExportOptions { Metadata = metadata }));
        string version = typeof(OnnxExporter).Assembly.GetCustomAttributes(typeof(System.Reflection.AssemblyInformationalVersionAttribute), false)
            .Cast<System.Reflection.AssemblyInformationalVersionAttribute>().Single().InformationalVersion;
        Assert.Equal("Recur", session.Metadata.ProducerName);
        Assert.Equal("tutorial", session.Metadata.GraphName);
        Dictionary<string, string> props = session.Metadata.CustomMetadataMap;
        output.WriteLine(string.Join("\n", props.Select(p => $"{p.Key} = {p.Value}")));
        Assert.Equal("mnist", props["dataset"]);
        Assert.Equal("float32 [batch, steps, 28], batch-major", props["input_layout"]);
        Assert.Equal("float32 [batch, 10]", props["output_layout"]);
        Assert.Equal(["input"], session.InputNames);
        Assert.Equal(["output"], session.OutputNames);
        Assert.Equal([-1, -1, 28], session.Dimensions("input"));
        Assert.Equal([-1, 10], session.Dimensions("output"));
        Assert.False(string.IsNullOrEmpty(version));
        Assert.Equal(version, ProducerVersion(OnnxExporter.Export(model)));
    }

    /// <summary>ModelProto's producer_version (field 3), read from the bytes: ORT's metadata does not show it.</summary>
    private static string ProducerVersion(byte[] model)
    {
        int at = 0;
        while (at < model.Length)
        {
            ulong tag = Varint(model, ref at);
            int field = (int)(tag >> 3), wire = (int)(tag & 7);
            if (wire == 0)
            {
                Varint(model, ref at);
                continue;
            }

            Assert.Equal(2, wire);
            int length = (int)Varint(model, ref at);
            if (field == 3)
            {
                return System.Text.Encoding.UTF8.GetString(model, at, length);
            }

            at += length;
        }

        return "";
    }

    private static ulong Varint(byte[] bytes, ref int at)
    {
        ulong value = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = bytes[at++];
            value |= (ulong)(b & 0x7f) << shift;
            if (b < 0x80)
            {
                return value;
            }
        }
    }
}
