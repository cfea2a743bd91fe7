using Recur.Initializers;
using Recur.Layers;
using Recur.Models;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests.Layers;

/// <summary>
/// Keras's shared layer test (<c>keras/src/testing/test_case.py</c>) over every registered layer kind: the config's
/// JSON round trip, the built layer's options, <c>OutputShape</c> against <c>Forward</c>, finite differences against
/// <c>Backward</c>, and no allocation after warm-up. A kind registered without a sample here fails
/// <see cref="EveryRegisteredKindHasASample"/>.
/// </summary>
public class LayerKindTests(ITestOutputHelper output)
{
    /// <summary>One sample per registered class name: a record with arguments off their defaults where it has them, and the shape of one input example.</summary>
    private static readonly Dictionary<string, (LayerConfig Config, int[] InputShape)> Samples = new(StringComparer.Ordinal)
    {
        ["LSTM"] = (new LstmLayer(3, ForgetBias: 0.5f, ReturnSequences: true, Dropout: 0.2f, RecurrentDropout: 0.3f) { KernelInitializer = new RandomNormal(0f, 0.5f) }, [4, 2]),
        ["GRU"] = (new GruLayer(3, Dropout: 0.1f, RecurrentDropout: 0.2f) { BiasInitializer = new Chrono(4), LayerNorm = true, LayerNormEpsilon = 1e-3f }, [4, 2]),
        ["SimpleRNN"] = (new SimpleRnnLayer(3, ReturnSequences: true, RecurrentDropout: 0.25f) { RecurrentInitializer = new Orthogonal(0.9f), BiasInitializer = new TorchUniform(3) }, [4, 2]),
        ["Dense"] = (new DenseLayer(3, Activation.Softmax) { BiasInitializer = new Constant(0.1f) }, [4, 2]),
        ["Activation"] = (new ActivationLayer(Activation.Softmax), [5]),
        ["Dropout"] = (new DropoutLayer(0.3f), [4, 2]),
        ["Bidirectional"] = (new BidirectionalLayer(new LstmLayer(3, ReturnSequences: true), BidirectionalMerge.Sum)
        {
            BackwardLayer = new LstmLayer(3, ReturnSequences: true, RecurrentDropout: 0.2f) { Name = "back" },
        }, [4, 2]),
        ["Embedding"] = (new EmbeddingLayer(7, 3, MaskZero: true, PaddingIdx: -1) { EmbeddingsInitializer = new RandomNormal(0f, 0.5f) }, [4]),
        ["Masking"] = (new MaskingLayer(0.25f), [4, 2]),
        ["LMU"] = (new LmuLayer(3, 4f, Units: 2, ReturnSequences: true, HiddenToMemory: true) { RecurrentInitializer = new Orthogonal(0.9f) }, [4, 2]),
        ["Scale"] = (new ScaleLayer(0.5f), [4, 2]),
    };

    static LayerKindTests() => ScaleLayer.Register();

    public static TheoryData<string> Kinds => [.. Samples.Keys];

    [Fact]
    public void EveryRegisteredKindHasASample()
    {
        string[] missing = [.. LayerKinds.Registry.ClassNames.Where(c => !Samples.ContainsKey(c))];
        Assert.True(missing.Length == 0, $"registered layer kinds without a sample in {nameof(LayerKindTests)}.{nameof(Samples)}: {string.Join(", ", missing)}; add one for each.");
        Assert.All(Samples.Keys, k => Assert.Contains(k, LayerKinds.Registry.ClassNames));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TheConfigRoundTripsThroughJson(string kind)
    {
        LayerConfig config = Samples[kind].Config with { Name = "sample" };
        System.Text.Json.Nodes.JsonObject json = LayerKinds.Registry.ToJson(config);
        Assert.Equal(kind, (string?)json["class_name"]);
        Assert.Equal("sample", (string?)json["config"]!["name"]);

        LayerConfig back = LayerKinds.Registry.FromJson(System.Text.Json.Nodes.JsonNode.Parse(json.ToJsonString()));
        Assert.Equal(config, back);
        Assert.Equal(json.ToJsonString(), LayerKinds.Registry.ToJson(back).ToJsonString());
        Assert.Equal(kind, back.ClassName);
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void TheBuiltLayerReportsOptionsThatRebuildIt(string kind)
    {
        (LayerConfig config, int[] shape) = Samples[kind];
        ILayer layer = config.Build(shape, new Rng(4));
        LayerConfig options = layer.Options ?? throw new Xunit.Sdk.XunitException($"{kind}: the built layer reports no options");
        Assert.Equal(config.BaseName, layer.Name);
        Assert.Equal(layer.Name, options.Name);
        Assert.Equal(LayerKinds.Registry.ToJson(options).ToJsonString(), LayerKinds.Registry.ToJson(LayerKinds.Registry.FromJson(LayerKinds.Registry.ToJson(options))).ToJsonString());

        ILayer again = options.Build(shape, new Rng(4));
        Assert.Equal(layer.Parameters.Select(p => p.Name), again.Parameters.Select(p => p.Name));
        for (int i = 0; i < layer.Parameters.Count; i++)
        {
            Assert.Equal(layer.Parameters[i].Value.Data, again.Parameters[i].Value.Data);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void OutputShapeIsTheShapeForwardReturns(string kind)
    {
        (LayerConfig config, int[] shape) = Samples[kind];
        ILayer layer = config.Build(shape, new Rng(5));
        int[] expected = config.OutputShape(shape);
        foreach (bool training in (bool[])[true, false])
        {
            Tensor y = layer.Forward(Input(kind, 3, [2, .. shape]), training);
            Assert.Equal([2, .. expected], y.Shape.ToArray());
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void BackwardMatchesFiniteDifferences(string kind)
    {
        // The loss Σ Forward(x)·w, in training. A layer with dropout draws its masks from the Rng it was built with,
        // so each evaluation builds the layer afresh from the same seed (the same masks on its first pass) and copies
        // the current, perturbed, parameters into it.
        (LayerConfig config, int[] shape) = Samples[kind];
        Tensor x = Input(kind, 6, [2, .. shape]);
        ILayer layer = config.Build(shape, new Rng(6));
        Tensor w = GradCheck.Values(7, 1f, [.. layer.Forward(x, training: true).Shape]);
        Tensor dx = layer.Backward(w).Clone();

        double Loss()
        {
            ILayer fresh = config.Build(shape, new Rng(6));
            for (int i = 0; i < layer.Parameters.Count; i++)
            {
                fresh.Parameters[i].Value.CopyFrom(layer.Parameters[i].Value);
            }

            return GradCheck.Dot(fresh.Forward(x, training: true), w);
        }

        if (config is EmbeddingLayer)
        {
            Assert.All(dx.Data, v => Assert.Equal(0f, v)); // token ids have no gradient
        }
        else
        {
            GradCheck.Check($"{kind} dx", x, dx, Loss, output);
        }

        foreach (var (name, p) in ModelFile.NamedParameters(layer))
        {
            GradCheck.Check(name, p.Value, p.Grad, Loss, output);
        }
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void ForwardAndBackwardAllocateNothingAfterWarmUp(string kind)
    {
        (LayerConfig config, int[] shape) = Samples[kind];
        ILayer layer = config.Build(shape, new Rng(8));
        Tensor x = Input(kind, 8, [4, .. shape]);
        Tensor dy = GradCheck.Values(9, 1f, [4, .. config.OutputShape(shape)]);
        long allocated = SingleThread.AllocatedAfterWarmUp(() =>
        {
            layer.Forward(x, training: false);
            layer.Forward(x, training: true);
            layer.Backward(dy);
        });
        Assert.Equal(0, allocated);
    }

    /// <summary>
    /// An input batch for <paramref name="kind"/>: token ids for an Embedding — whole numbers in <c>[0, InputDim)</c>,
    /// none of them the padding row (whose gradient is zero by definition, PyTorch's, not by differentiation), the first
    /// step of each sequence not 0 (so no sequence is all padding) — and values in [−1, 1) for the rest.
    /// </summary>
    private static Tensor Input(string kind, int seed, int[] shape)
    {
        Tensor x = GradCheck.Values(seed, 1f, shape);
        if (Samples[kind].Config is not EmbeddingLayer e)
        {
            return x;
        }

        int padding = e.PaddingIdx is int p ? (p + e.InputDim) % e.InputDim : -1;
        for (int i = 0; i < x.Length; i++)
        {
            int id = (int)((x.Data[i] + 1f) / 2f * e.InputDim) % e.InputDim;
            while (id == padding || (id == 0 && i % shape[^1] == 0))
            {
                id = (id + 1) % e.InputDim;
            }

            x.Data[i] = id;
        }

        return x;
    }
}
