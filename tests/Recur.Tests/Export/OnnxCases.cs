using Recur.Layers;

namespace Recur.Tests.Export;

/// <summary>Every exportable layer kind and combination the ONNX Runtime tests run (4 features, 5 units, 3 outputs unless named).</summary>
internal static class OnnxCases
{
    private static readonly Activation[] Activations = [Activation.Linear, Activation.Softmax, Activation.Sigmoid, Activation.Tanh, Activation.Relu];

    public static readonly OnnxCase[] All = [.. Make()];

    /// <summary>The cases by name, for <c>MemberData</c>.</summary>
    public static IEnumerable<object[]> Names => All.Select(c => new object[] { c.Name });

    /// <summary>The one-direction cases whose state can be streamed a step at a time.</summary>
    public static IEnumerable<object[]> Streamable => All.Where(c => c.Name is "lstm_fb0" or "lstm_fb1" or "gru" or "rnn_tanh" or "rnn_relu" or "lstm_stack" or "gru_seq_dense_softmax" or "rnn_stack" or "embedding")
        .Select(c => new object[] { c.Name });

    public static OnnxCase Get(string name) => All.Single(c => c.Name == name);

    private static IEnumerable<OnnxCase> Make()
    {
        yield return new("lstm_fb0", () => [new LstmLayer(5, ForgetBias: 0f), new DenseLayer(3)], 4);
        yield return new("lstm_fb1", () => [new LstmLayer(5, ForgetBias: 1f), new DenseLayer(3)], 4);
        yield return new("gru", () => [new GruLayer(5), new DenseLayer(3)], 4);
        yield return new("rnn_tanh", () => [new SimpleRnnLayer(5), new DenseLayer(3)], 4);
        yield return new("rnn_relu", () => [new SimpleRnnLayer(5, RnnActivation.Relu), new DenseLayer(3)], 4);

        foreach (var (kind, make) in Kinds())
        {
            foreach (BidirectionalMerge merge in new[] { BidirectionalMerge.Concat, BidirectionalMerge.Sum })
            {
                string m = merge.ToString().ToLowerInvariant();
                yield return new($"bi_{kind}_{m}", () => [new BidirectionalLayer(make(false), merge), new DenseLayer(3)], 4);
                yield return new($"bi_{kind}_{m}_seq", () => [new BidirectionalLayer(make(true), merge), new DenseLayer(3)], 4);
            }

            yield return new($"{kind}_stack", () => [make(true), make(false), new DenseLayer(3)], 4);
            yield return new($"{kind}_seq_dense_softmax", () => [make(true), new DenseLayer(3, Activation.Softmax)], 4);
        }

        yield return new("bi_stack", () => [new BidirectionalLayer(new LstmLayer(5, ForgetBias: 1f, ReturnSequences: true)), new BidirectionalLayer(new GruLayer(4), BidirectionalMerge.Sum), new DenseLayer(3)], 4);
        foreach (Activation a in Activations)
        {
            string name = a.ToString().ToLowerInvariant();
            yield return new($"dense_{name}", () => [new LstmLayer(5, ForgetBias: 1f), new DenseLayer(6, a), new DenseLayer(3)], 4);
            yield return new($"dense_steps_{name}", () => [new LstmLayer(5, ForgetBias: 1f, ReturnSequences: true), new DenseLayer(3, a)], 4);
        }

        yield return new("dense_first", () => [new DenseLayer(6, Activation.Tanh), new GruLayer(5), new DenseLayer(3, UseBias: false)], 4);
        yield return new("activation_layers", () => [new LstmLayer(5), new DenseLayer(3), new ActivationLayer(Activation.Relu), new ActivationLayer(Activation.Linear), new ActivationLayer(Activation.Softmax)], 4);
        yield return new("dropout", () => [new LstmLayer(5, Dropout: 0.3f, RecurrentDropout: 0.2f, ReturnSequences: true), new DropoutLayer(0.5f), new GruLayer(5), new DropoutLayer(0.5f), new DenseLayer(3)], 4);
        yield return new("embedding", () => [new EmbeddingLayer(11, 4), new LstmLayer(5), new DenseLayer(3)], 11, OnnxInput.Ids);
        yield return new("embedding_mask_zero", () => [new EmbeddingLayer(11, 4, MaskZero: true), new BidirectionalLayer(new GruLayer(5)), new DenseLayer(3)], 11, OnnxInput.MaskedIds);
        yield return new("embedding_mask_zero_seq", () => [new EmbeddingLayer(11, 4, MaskZero: true), new LstmLayer(5, ReturnSequences: true), new DenseLayer(3)], 11, OnnxInput.MaskedIds);
        yield return new("masking", () => [new MaskingLayer(), new LstmLayer(5, ForgetBias: 1f), new DenseLayer(3)], 4, OnnxInput.Masked);
        yield return new("masking_value_seq", () => [new MaskingLayer(-1f), new SimpleRnnLayer(5, ReturnSequences: true), new DenseLayer(3, Activation.Sigmoid)], 4, OnnxInput.Masked, MaskValue: -1f);
        yield return new("masking_bi_stack", () => [new MaskingLayer(), new BidirectionalLayer(new LstmLayer(5, ReturnSequences: true), BidirectionalMerge.Sum), new LstmLayer(4), new DenseLayer(3)], 4, OnnxInput.Masked);
        yield return new("tutorial", () => [new LstmLayer(128, ForgetBias: 1f), new DenseLayer(10)], 28, FixedSteps: 28);
    }

    private static IEnumerable<(string Kind, Func<bool, LayerConfig> Make)> Kinds()
    {
        yield return ("lstm", s => new LstmLayer(5, ForgetBias: 1f, ReturnSequences: s));
        yield return ("gru", s => new GruLayer(5, ReturnSequences: s));
        yield return ("rnn", s => new SimpleRnnLayer(5, RnnActivation.Tanh, ReturnSequences: s));
        yield return ("rnn_relu", s => new SimpleRnnLayer(5, RnnActivation.Relu, ReturnSequences: s));
    }
}
