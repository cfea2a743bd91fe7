using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recur.Layers;
using Recur.Losses;
using Recur.Optimizers;

namespace Recur.Models;

/// <summary>
/// The JSON of a model directory's <c>config.json</c>: the model's name, seed and input shape, its layers, free-form
/// string metadata and, once compiled, the loss, metrics, optimizer settings and completed epochs. How the files are
/// written and read is <see cref="ModelFile"/>'s business; this class only turns a <see cref="Sequential"/> into that
/// JSON and back.
/// </summary>
internal static class ModelConfig
{
    /// <summary>The <c>format</c> of <c>config.json</c> and of the weights file's metadata.</summary>
    public const string Format = "recur.sequential";

    /// <summary>How layer configs are written: snake_case arguments after Keras's <c>class_name</c>.</summary>
    internal static readonly JsonSerializerOptions ConfigJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        AllowOutOfOrderMetadataProperties = true,
        RespectNullableAnnotations = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) }, // reads numbers too
    };

    /// <summary>
    /// <paramref name="model"/>'s configuration (without the training entry, see <see cref="TrainingConfig"/>) and
    /// its parameters under their checkpoint names.
    /// </summary>
    public static JsonObject ToJson(Sequential model, IReadOnlyDictionary<string, string>? metadata)
    {
        var layers = new JsonArray();
        IReadOnlyList<LayerConfig?> configs = model.Configs;
        for (int k = 0; k < model.Layers.Count; k++)
        {
            ILayer layer = model.Layers[k];
            layers.Add(configs[k] is { } c ? JsonSerializer.SerializeToNode(c, ConfigJson) : LayerConfig(layer));
        }

        var meta = new JsonObject();
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            meta[key] = value;
        }

        return new JsonObject
        {
            ["format"] = Format,
            ["version"] = 2,
            ["name"] = model.Name,
            ["seed"] = model.Seed,
            ["input_shape"] = model.InputShape is { } shape ? new JsonArray(shape.Select(d => (JsonNode)d).ToArray()) : null,
            ["layers"] = layers,
            ["metadata"] = meta,
        };
    }

    /// <summary>The model (built when its input shape is known, not compiled) and the metadata described by <paramref name="config"/>.</summary>
    /// <exception cref="InvalidDataException">The configuration is not a Recur model's or is malformed.</exception>
    public static (Sequential Model, Dictionary<string, string> Metadata) FromJson(JsonObject config, string configPath)
    {
        if ((string?)config["format"] != Format || config["layers"] is not JsonArray layerArray)
        {
            throw new InvalidDataException($"{configPath} is not a Recur model configuration (expected \"format\": \"{Format}\" and a \"layers\" list).");
        }

        Sequential model;
        try
        {
            model = new Sequential((ulong?)config["seed"] ?? 0, (string?)config["name"] ?? "sequential");
            foreach (JsonNode? node in layerArray)
            {
                JsonObject entry = node as JsonObject ?? throw Bad(configPath, "a layer entry is not an object");
                if (entry.ContainsKey("class_name"))
                {
                    model.Add(entry.Deserialize<LayerConfig>(ConfigJson) ?? throw Bad(configPath, "a layer entry is null"));
                }
                else
                {
                    model.Add(CreateLayer(entry));
                }
            }

            if (!model.IsBuilt && config["input_shape"] is JsonArray shape)
            {
                model.Build(shape.Select(d => (int)d!).ToArray());
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException)
        {
            throw new InvalidDataException($"{configPath} is not a valid Recur model configuration ({e.Message}); re-save the model.", e);
        }

        var metadata = new Dictionary<string, string>();
        if (config["metadata"] is JsonObject meta)
        {
            foreach (var (key, value) in meta)
            {
                metadata[key] = value?.GetValue<string>() ?? "";
            }
        }

        return (model, metadata);
    }

    /// <summary>The compile settings and progress, or null when the model is not compiled or its loss or optimizer is not one Recur can recreate.</summary>
    public static JsonObject? TrainingConfig(Sequential model)
    {
        JsonObject? loss = model.Loss switch
        {
            SoftmaxCrossEntropy => new JsonObject { ["class_name"] = "CategoricalCrossentropy", ["from_logits"] = true },
            CategoricalCrossentropy c => new JsonObject { ["class_name"] = "CategoricalCrossentropy", ["from_logits"] = c.FromLogits },
            SparseCategoricalCrossentropy c => new JsonObject { ["class_name"] = "SparseCategoricalCrossentropy", ["from_logits"] = c.FromLogits },
            MeanSquaredError => new JsonObject { ["class_name"] = "MeanSquaredError" },
            _ => null,
        };
        JsonObject? optimizer = model.Optimizer switch
        {
            Adam a => new JsonObject { ["class_name"] = "Adam", ["beta1"] = a.Beta1, ["beta2"] = a.Beta2, ["epsilon"] = a.Epsilon },
            Sgd => new JsonObject { ["class_name"] = "Sgd" },
            Momentum m => new JsonObject { ["class_name"] = "Momentum", ["momentum"] = m.Coefficient, ["nesterov"] = m.Nesterov },
            RmsProp r => new JsonObject { ["class_name"] = "RmsProp", ["alpha"] = r.Alpha, ["epsilon"] = r.Epsilon, ["momentum"] = r.Momentum, ["centered"] = r.Centered },
            _ => null,
        };
        if (loss is null || optimizer is null)
        {
            return null;
        }

        optimizer["learning_rate"] = model.Optimizer!.LearningRate;
        return new JsonObject
        {
            ["epoch"] = model.Epoch,
            ["loss"] = loss,
            ["metrics"] = new JsonArray(model.Metrics.Select(m => (JsonNode)m).ToArray()),
            ["clip_norm"] = model.ClipNorm,
            ["optimizer"] = optimizer,
        };
    }

    /// <summary>Compiles <paramref name="model"/> as its <c>training</c> entry says and sets its epoch.</summary>
    /// <exception cref="InvalidDataException">The entry is incomplete or names an unknown loss or optimizer.</exception>
    public static void Compile(Sequential model, JsonObject training)
    {
        try
        {
            JsonObject loss = training["loss"]!.AsObject(), opt = training["optimizer"]!.AsObject();
            bool fromLogits = (bool?)loss["from_logits"] ?? false;
            ILoss lossObject = (string?)loss["class_name"] switch
            {
                "CategoricalCrossentropy" => new CategoricalCrossentropy(fromLogits),
                "SparseCategoricalCrossentropy" => new SparseCategoricalCrossentropy(fromLogits),
                "MeanSquaredError" => new MeanSquaredError(),
                var other => throw new InvalidDataException($"{ModelFile.ConfigFileName}: unknown loss '{other}'."),
            };
            double lr = (double)opt["learning_rate"]!;
            Optimizer optimizer = (string?)opt["class_name"] switch
            {
                "Adam" => new Adam(lr, (double)opt["beta1"]!, (double)opt["beta2"]!, (double)opt["epsilon"]!),
                "Sgd" => new Sgd(lr),
                "Momentum" => new Momentum(lr, (double)opt["momentum"]!, (bool)opt["nesterov"]!),
                "RmsProp" => new RmsProp(lr, (double)opt["alpha"]!, (double)opt["epsilon"]!, (double)opt["momentum"]!, (bool)opt["centered"]!),
                var other => throw new InvalidDataException($"{ModelFile.ConfigFileName}: unknown optimizer '{other}'."),
            };
            model.Compile(lossObject, optimizer, training["metrics"]!.AsArray().Select(m => (string)m!).ToArray(), (float?)training["clip_norm"]);
            model.Epoch = (int)training["epoch"]!;
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{ModelFile.ConfigFileName}: the \"training\" entry is incomplete or malformed ({e.Message}); re-save the model.", e);
        }

    }

    private static JsonObject LayerConfig(ILayer layer) => layer switch
    {
        Dense d => new JsonObject
        {
            ["type"] = "Dense",
            ["name"] = d.Name,
            ["in_features"] = d.InFeatures,
            ["out_features"] = d.OutFeatures,
            ["use_bias"] = d.Bias is not null,
        },
        Lstm l => new JsonObject
        {
            ["type"] = "Lstm",
            ["name"] = l.Name,
            ["input_size"] = l.InputSize,
            ["hidden_size"] = l.HiddenSize,
            ["forget_bias"] = l.ForgetBias,
            ["return_sequences"] = l.ReturnSequences,
        }.WithDropout(l.Dropout, l.RecurrentDropout),
        Dropout d => new JsonObject
        {
            ["type"] = "Dropout",
            ["name"] = d.Name,
            ["rate"] = d.Rate,
        },
        Bidirectional b => new JsonObject
        {
            ["type"] = "Bidirectional",
            ["name"] = b.Name,
            ["merge"] = b.Merge == BidirectionalMerge.Sum ? "sum" : "concat",
            ["forward"] = LayerConfig(b.ForwardLayer),
            ["backward"] = LayerConfig(b.BackwardLayer),
        },
        Gru g => new JsonObject
        {
            ["type"] = "Gru",
            ["name"] = g.Name,
            ["input_size"] = g.InputSize,
            ["hidden_size"] = g.HiddenSize,
            ["return_sequences"] = g.ReturnSequences,
        }.WithDropout(g.Dropout, g.RecurrentDropout),
        SimpleRnn r => new JsonObject
        {
            ["type"] = "SimpleRnn",
            ["name"] = r.Name,
            ["input_size"] = r.InputSize,
            ["hidden_size"] = r.HiddenSize,
            ["activation"] = r.Activation.ToString(),
            ["return_sequences"] = r.ReturnSequences,
        }.WithDropout(r.Dropout, r.RecurrentDropout),
        _ => throw new NotSupportedException($"ModelFile: cannot save a layer of type {layer.GetType().Name} added as a built layer; add Dense, Lstm, Gru, SimpleRnn, Dropout and Bidirectional, or LayerConfigs."),
    };

    private static ILayer CreateLayer(JsonObject c)
    {
        string type = Get<string>(c, "type");
        string name = Get<string>(c, "name");
        return type switch
        {
            "Dense" => new Dense(Get<int>(c, "in_features"), Get<int>(c, "out_features"), Get<bool>(c, "use_bias"), name: name),
            "Lstm" => new Lstm(
                Get<int>(c, "input_size"), Get<int>(c, "hidden_size"), Get<float>(c, "forget_bias"), Get<bool>(c, "return_sequences"), name: name)
            {
                Dropout = Rate(c, "dropout"),
                RecurrentDropout = Rate(c, "recurrent_dropout"),
            },
            "Dropout" => new Dropout(Get<float>(c, "rate"), name: name),
            "Bidirectional" => new Bidirectional(
                Recurrent(c, "forward"), Recurrent(c, "backward"),
                Get<string>(c, "merge") switch
                {
                    "sum" => BidirectionalMerge.Sum,
                    "concat" => BidirectionalMerge.Concat,
                    string m => throw new InvalidDataException($"{ModelFile.ConfigFileName}: Bidirectional '{name}' has merge '{m}'; known: concat, sum."),
                },
                name),
            "Gru" => new Gru(Get<int>(c, "input_size"), Get<int>(c, "hidden_size"), Get<bool>(c, "return_sequences"), name: name)
            {
                Dropout = Rate(c, "dropout"),
                RecurrentDropout = Rate(c, "recurrent_dropout"),
            },
            "SimpleRnn" => new SimpleRnn(
                Get<int>(c, "input_size"), Get<int>(c, "hidden_size"), Activation(c, name), Get<bool>(c, "return_sequences"), name: name)
            {
                Dropout = Rate(c, "dropout"),
                RecurrentDropout = Rate(c, "recurrent_dropout"),
            },
            _ => throw new InvalidDataException($"{ModelFile.ConfigFileName}: unknown layer type '{type}' (known: Dense, Lstm, Gru, SimpleRnn, Dropout, Bidirectional); the model was written by a newer Recur."),
        };
    }

    /// <summary>Adds a recurrent layer's <c>dropout</c> and <c>recurrent_dropout</c> when above 0, so files of models without them stay as they were.</summary>
    private static JsonObject WithDropout(this JsonObject c, float dropout, float recurrentDropout)
    {
        if (dropout > 0f)
        {
            c["dropout"] = dropout;
        }

        if (recurrentDropout > 0f)
        {
            c["recurrent_dropout"] = recurrentDropout;
        }

        return c;
    }

    /// <summary>A recurrent layer's <c>dropout</c> or <c>recurrent_dropout</c>: 0 when absent (files written before them, or rates of 0).</summary>
    private static float Rate(JsonObject c, string key) => c.ContainsKey(key) ? Get<float>(c, key) : 0f;

    private static RnnActivation Activation(JsonObject c, string name) =>
        Enum.TryParse(Get<string>(c, "activation"), ignoreCase: true, out RnnActivation a) && Enum.IsDefined(a)
            ? a
            : throw new InvalidDataException($"{ModelFile.ConfigFileName}: SimpleRnn '{name}' has activation '{Get<string>(c, "activation")}'; known: Tanh, Relu.");

    private static IRecurrentLayer Recurrent(JsonObject bidirectional, string key)
    {
        JsonObject c = bidirectional[key] as JsonObject ?? throw new InvalidDataException($"{ModelFile.ConfigFileName}: a Bidirectional layer has no \"{key}\" layer.");
        return CreateLayer(c) as IRecurrentLayer
            ?? throw new InvalidDataException($"{ModelFile.ConfigFileName}: a Bidirectional layer's {key} layer is a '{Get<string>(c, "type")}', which is not recurrent.");
    }

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

    private static InvalidDataException Bad(string path, string what) => new($"{path} is not a valid Recur model configuration: {what}.");
}
