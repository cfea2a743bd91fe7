using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Recur.Initializers;
using Recur.Losses;
using Recur.Optimizers;

namespace Recur.Models;

/// <summary>
/// Every kind of layer, initializer, loss and optimizer that <c>config.json</c> can name, by class name — the only
/// list of them. A layer kind is its engine class (an <see cref="Layers.ILayer"/> whose <see cref="Layers.ILayer.Options"/>
/// returns its record), its options record (a <see cref="LayerConfig"/>) and one line here; a kind of your own is the
/// same two types and one call, before saving or loading:
/// <code>
/// Registries.Layers.Register&lt;ScaleLayer&gt;("Scale");
/// </code>
/// </summary>
public static class Registries
{
    static Registries()
    {
        Layers.Register<LstmLayer>("LSTM", legacyDefaults: new JsonObject { ["forget_bias"] = 1f, ["unit_forget_bias"] = false });
        Layers.Register<GruLayer>("GRU");
        Layers.Register<SimpleRnnLayer>("SimpleRNN");
        Layers.Register<DenseLayer>("Dense", legacyDefaults: new JsonObject { ["kernel_initializer"] = TorchUniform(), ["bias_initializer"] = TorchUniform() });
        Layers.Register<ActivationLayer>("Activation");
        Layers.Register<DropoutLayer>("Dropout");
        Layers.Register<BidirectionalLayer>("Bidirectional");

        Initializers.Register<GlorotUniform>("GlorotUniform");
        Initializers.Register<Orthogonal>("Orthogonal");
        Initializers.Register<Zeros>("Zeros");
        Initializers.Register<Constant>("Constant");
        Initializers.Register<RandomNormal>("RandomNormal");
        Initializers.Register<TorchUniform>("TorchUniform");
        Initializers.Register<Chrono>("Chrono");

        Losses.Register<SoftmaxCrossEntropy>("SoftmaxCrossEntropy", _ => [], _ => new SoftmaxCrossEntropy());
        Losses.Register<CategoricalCrossentropy>(
            "CategoricalCrossentropy", l => new() { ["from_logits"] = l.FromLogits }, c => new(c.Flag("from_logits", "CategoricalCrossentropy")));
        Losses.Register<SparseCategoricalCrossentropy>(
            "SparseCategoricalCrossentropy", l => new() { ["from_logits"] = l.FromLogits }, c => new(c.Flag("from_logits", "SparseCategoricalCrossentropy")));
        Losses.Register<MeanSquaredError>("MeanSquaredError", _ => [], _ => new MeanSquaredError());

        Optimizers.Register<Adam>(
            "Adam",
            o => new() { ["learning_rate"] = o.LearningRate, ["beta1"] = o.Beta1, ["beta2"] = o.Beta2, ["epsilon"] = o.Epsilon },
            c => new(c.Number("learning_rate", "Adam"), c.Number("beta1", "Adam"), c.Number("beta2", "Adam"), c.Number("epsilon", "Adam")));
        Optimizers.Register<Sgd>("Sgd", o => new() { ["learning_rate"] = o.LearningRate }, c => new(c.Number("learning_rate", "Sgd")));
        Optimizers.Register<Momentum>(
            "Momentum",
            o => new() { ["learning_rate"] = o.LearningRate, ["momentum"] = o.Coefficient, ["nesterov"] = o.Nesterov },
            c => new(c.Number("learning_rate", "Momentum"), c.Number("momentum", "Momentum"), c.Flag("nesterov", "Momentum")));
        Optimizers.Register<RmsProp>(
            "RmsProp",
            o => new() { ["learning_rate"] = o.LearningRate, ["alpha"] = o.Alpha, ["epsilon"] = o.Epsilon, ["momentum"] = o.Momentum, ["centered"] = o.Centered },
            c => new(c.Number("learning_rate", "RmsProp"), c.Number("alpha", "RmsProp"), c.Number("epsilon", "RmsProp"), c.Number("momentum", "RmsProp"), c.Flag("centered", "RmsProp")));
    }

    /// <summary>The layer kinds: their options records (<see cref="LstmLayer"/>, <see cref="DenseLayer"/>, …) by Keras's class names.</summary>
    public static Registry<LayerConfig> Layers { get; } = new("layer", "Registries.Layers");

    /// <summary>The initializers a record can name (<see cref="GlorotUniform"/>, <see cref="Orthogonal"/>, <see cref="Chrono"/>, …).</summary>
    public static Registry<IInitializer> Initializers { get; } = new("initializer", "Registries.Initializers");

    /// <summary>The losses a compiled model's <c>config.json</c> can name.</summary>
    public static Registry<ILoss> Losses { get; } = new("loss", "Registries.Losses");

    /// <summary>The optimizers a compiled model's <c>config.json</c> can name.</summary>
    public static Registry<Optimizer> Optimizers { get; } = new("optimizer", "Registries.Optimizers");

    /// <summary>
    /// How records become their <c>config</c>: snake_case properties (Keras's argument names), enums as snake_case
    /// strings, nested layers and initializers as <c>{"class_name", "config"}</c>, and an argument the record does not
    /// have refused rather than dropped.
    /// </summary>
    internal static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        RespectNullableAnnotations = true,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        Converters =
        {
            new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower), // reads numbers too
            new RegistryConverter<LayerConfig>(Layers),
            new RegistryConverter<IInitializer>(Initializers),
        },
    };

    /// <summary><see cref="Initializers.TorchUniform"/>'s JSON: what a DenseLayer was initialised with before it had initializers.</summary>
    private static JsonObject TorchUniform() => new() { ["class_name"] = "TorchUniform", ["config"] = new JsonObject() };

    /// <summary>A number of an optimizer's or a loss's config.</summary>
    private static double Number(this JsonObject config, string key, string kind) =>
        config[key] is JsonValue v && v.TryGetValue(out double d) ? d : throw Missing(key, kind, "number");

    /// <summary>A true-or-false argument of an optimizer's or a loss's config.</summary>
    private static bool Flag(this JsonObject config, string key, string kind) =>
        config[key] is JsonValue v && v.TryGetValue(out bool b) ? b : throw Missing(key, kind, "true or false");

    private static InvalidDataException Missing(string key, string kind, string what) =>
        new($"the {kind} config has no \"{key}\" ({what}); re-save the model.");
}
