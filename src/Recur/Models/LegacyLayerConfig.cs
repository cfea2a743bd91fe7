using System.Globalization;
using System.Text.Json.Nodes;
using Recur.Initializers;
using Recur.Layers;

namespace Recur.Models;

/// <summary>
/// Reads the <c>"type"</c> form of <c>config.json</c> layers that Recur wrote for layers added built before the
/// registry (<c>{"type": "Lstm", "name": …, "input_size": 28, "hidden_size": 128, …}</c>, what every <c>recur
/// train</c> run saved): each becomes the record that rebuilds the same layer, with its input size and the engine
/// class's initializers. Frozen: a new layer kind never comes here.
/// </summary>
internal static class LegacyLayerConfig
{
    /// <summary>The record an old <c>"type"</c> entry describes.</summary>
    /// <exception cref="InvalidDataException">The entry names an unknown type or lacks an argument.</exception>
    public static LayerConfig FromType(JsonObject c)
    {
        string type = Get<string>(c, "type");
        string name = Get<string>(c, "name");
        return type switch
        {
            "Dense" => new DenseLayer(Get<int>(c, "out_features"), Activation.Linear, Get<bool>(c, "use_bias"))
            {
                Name = name,
                InputDim = Get<int>(c, "in_features"),
                KernelInitializer = new TorchUniform(),
                BiasInitializer = new TorchUniform(),
            },
            "Lstm" => new LstmLayer(Get<int>(c, "hidden_size"), Get<float>(c, "forget_bias"), Get<bool>(c, "return_sequences"), Rate(c, "dropout"), Rate(c, "recurrent_dropout"))
            {
                Name = name,
                InputShape = Steps(c),
                UnitForgetBias = false,
            },
            "Gru" => new GruLayer(Get<int>(c, "hidden_size"), Get<bool>(c, "return_sequences"), Rate(c, "dropout"), Rate(c, "recurrent_dropout"))
            {
                Name = name,
                InputShape = Steps(c),
            },
            "SimpleRnn" => new SimpleRnnLayer(Get<int>(c, "hidden_size"), RnnActivationOf(c, name), Get<bool>(c, "return_sequences"), Rate(c, "dropout"), Rate(c, "recurrent_dropout"))
            {
                Name = name,
                InputShape = Steps(c),
            },
            "Dropout" => new DropoutLayer(Get<float>(c, "rate")) { Name = name },
            "Bidirectional" => Bidirectional(c, name),
            _ => throw new InvalidDataException(
                $"{ModelFile.ConfigFileName}: unknown layer type '{type}' (the old form knew Dense, Lstm, Gru, SimpleRnn, Dropout, Bidirectional); the model was not written by Recur."),
        };
    }

    /// <summary>A Bidirectional from its two directions, as the built layer's options give it (see <see cref="BidirectionalLayer"/>).</summary>
    private static BidirectionalLayer Bidirectional(JsonObject c, string name)
    {
        BidirectionalMerge merge = Get<string>(c, "merge") switch
        {
            "sum" => BidirectionalMerge.Sum,
            "concat" => BidirectionalMerge.Concat,
            string m => throw new InvalidDataException($"{ModelFile.ConfigFileName}: Bidirectional '{name}' has merge '{m}'; known: concat, sum."),
        };
        JsonObject forward = Direction(c, "forward");
        return BidirectionalLayer.Of(name, Get<int>(forward, "input_size"), FromType(forward), FromType(Direction(c, "backward")), merge);
    }

    private static JsonObject Direction(JsonObject bidirectional, string key) =>
        bidirectional[key] as JsonObject ?? throw new InvalidDataException($"{ModelFile.ConfigFileName}: a Bidirectional layer has no \"{key}\" layer.");

    /// <summary>A recurrent layer's input shape: any number of steps of <c>input_size</c> features.</summary>
    private static int[] Steps(JsonObject c) => [-1, Get<int>(c, "input_size")];

    /// <summary>A recurrent layer's <c>dropout</c> or <c>recurrent_dropout</c>: 0 when absent (files written before them, or rates of 0).</summary>
    private static float Rate(JsonObject c, string key) => c.ContainsKey(key) ? Get<float>(c, key) : 0f;

    private static RnnActivation RnnActivationOf(JsonObject c, string name) =>
        Enum.TryParse(Get<string>(c, "activation"), ignoreCase: true, out RnnActivation a) && Enum.IsDefined(a)
            ? a
            : throw new InvalidDataException($"{ModelFile.ConfigFileName}: SimpleRnn '{name}' has activation '{Get<string>(c, "activation")}'; known: Tanh, Relu.");

    private static T Get<T>(JsonObject c, string key)
    {
        try
        {
            return c[key] is JsonNode node ? node.GetValue<T>() : throw new InvalidDataException($"{ModelFile.ConfigFileName}: a layer has no \"{key}\".");
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture, $"{ModelFile.ConfigFileName}: \"{key}\" of a layer is not a {typeof(T).Name}."), e);
        }
    }
}
