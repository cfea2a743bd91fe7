using System.Text.Json.Nodes;
using Recur.Initializers;

namespace Recur.Layers;

/// <summary>
/// Every layer kind that <c>config.json</c> can name: its options record (a <see cref="LayerConfig"/>) by Keras's
/// class name — the only list of them. A layer kind is its engine class (an <see cref="ILayer"/> whose
/// <see cref="ILayer.Options"/> returns its record), its record and one line here; a kind of your own is the same two
/// types and one call, before saving or loading:
/// <code>
/// LayerKinds.Registry.Register&lt;ScaleLayer&gt;("Scale");
/// </code>
/// </summary>
public static class LayerKinds
{
    /// <summary>The layer kinds (<see cref="LstmLayer"/>, <see cref="DenseLayer"/>, …); a record's initializers are written through <see cref="InitializerKinds.Registry"/>.</summary>
    public static Registry<LayerConfig> Registry { get; } = Stock();

    private static Registry<LayerConfig> Stock()
    {
        var layers = new Registry<LayerConfig>("layer", "LayerKinds.Registry", new RegistryConverter<IInitializer>(InitializerKinds.Registry));
        layers.Register<LstmLayer>("LSTM", legacyDefaults: new JsonObject { ["forget_bias"] = 1f, ["unit_forget_bias"] = false });
        layers.Register<GruLayer>("GRU");
        layers.Register<SimpleRnnLayer>("SimpleRNN");
        layers.Register<DenseLayer>("Dense", legacyDefaults: new JsonObject { ["kernel_initializer"] = TorchUniform(), ["bias_initializer"] = TorchUniform() });
        layers.Register<ActivationLayer>("Activation");
        layers.Register<DropoutLayer>("Dropout");
        layers.Register<BidirectionalLayer>("Bidirectional");
        layers.Register<EmbeddingLayer>("Embedding");
        layers.Register<MaskingLayer>("Masking");
        layers.Register<LmuLayer>("LMU");
        return layers;
    }

    /// <summary><see cref="Initializers.TorchUniform"/>'s JSON: what a DenseLayer was initialised with before it had initializers.</summary>
    private static JsonObject TorchUniform() => new() { ["class_name"] = "TorchUniform", ["config"] = new JsonObject() };
}
