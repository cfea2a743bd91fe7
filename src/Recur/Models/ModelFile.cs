using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recur.IO;
using Recur.Layers;
using Recur.Losses;
using Recur.Optimizers;
using Recur.Tensors;

namespace Recur.Models;

/// <summary>
/// Saves and loads a <see cref="Sequential"/> as a directory: <c>config.json</c> (the model's name and seed, the layers
/// and their constructor arguments — a <see cref="LayerConfig"/> as Keras's <c>class_name</c> plus its arguments —,
/// free-form string metadata and, once compiled, the loss, metrics, optimizer settings and completed epochs),
/// <c>model.safetensors</c> (the weights, named <c>layer.parameter</c>, e.g. <c>lstm.weight_ih</c>, in PyTorch's
/// layouts) and, once compiled, <c>optimizer.safetensors</c> (the optimizer's buffers, e.g.
/// <c>lstm.weight_ih.exp_avg</c>, with step counts, learning rate and iterations in its metadata).
/// Each file is written to a temporary name and renamed into place, so a failed save leaves the
/// previous model readable; everything is serialised before the first rename, and a <c>save_id</c> shared by the
/// three files makes <see cref="Load"/> refuse, with a clear message, a directory whose files come from two saves
/// (a crash between the renames).
/// </summary>
public static class ModelFile
{
    /// <summary>The configuration file's name inside a model directory.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>The weights file's name inside a model directory.</summary>
    public const string WeightsFileName = "model.safetensors";

    /// <summary>The optimizer state file's name inside a model directory.</summary>
    public const string OptimizerFileName = "optimizer.safetensors";

    private const string Format = "recur.sequential";

    /// <summary>How layer configs are written: snake_case arguments after Keras's <c>class_name</c>.</summary>
    internal static readonly JsonSerializerOptions ConfigJson = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        AllowOutOfOrderMetadataProperties = true,
        RespectNullableAnnotations = true,
        Converters = { new System.Text.Json.Serialization.JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) }, // reads numbers too
    };

    /// <summary>Writes <paramref name="model"/>'s configuration and weights into <paramref name="directory"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="directory">The model directory; created if missing.</param>
    /// <param name="metadata">Strings stored with the configuration (e.g. how inputs are laid out).</param>
    public static void Save(Sequential model, string directory, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);

        if (!model.IsBuilt)
        {
            throw new InvalidOperationException(
                "ModelFile.Save: the model is not built, so it has no weights yet; give the first layer an InputShape, call Build, or train it first.");
        }

        var weights = new SortedDictionary<string, Tensor>(StringComparer.Ordinal);
        var layers = new JsonArray();
        IReadOnlyList<LayerConfig?> configs = model.Configs;
        for (int k = 0; k < model.Layers.Count; k++)
        {
            ILayer layer = model.Layers[k];
            layers.Add(configs[k] is { } c ? JsonSerializer.SerializeToNode(c, ConfigJson) : LayerConfig(layer));
            foreach (var (name, p) in NamedParameters(layer))
            {
                weights.Add(name, p.Value);
            }
        }

        var meta = new JsonObject();
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            meta[key] = value;
        }

        var config = new JsonObject
        {
            ["format"] = Format,
            ["version"] = 2,
            ["name"] = model.Name,
            ["seed"] = model.Seed,
            ["input_shape"] = model.InputShape is { } shape ? new JsonArray(shape.Select(d => (JsonNode)d).ToArray()) : null,
            ["layers"] = layers,
            ["metadata"] = meta,
        };

        // Everything is serialised before the first file is replaced, so an error in the model leaves the old files
        // alone; each file is then written atomically. The save id, in all three, lets Load detect a directory
        // left half-replaced by a crash between the renames.
        string saveId = Guid.NewGuid().ToString("N");
        JsonObject? training = TrainingConfig(model);
        if (training is not null)
        {
            // The dropout generators' states, so Load + Fit(initialEpoch) draws the masks a run that never stopped draws.
            training["random_states"] = new JsonArray(model.RandomSources.Select(r => Training.StateJson.Write(r.State)).ToArray());
        }

        config["training"] = training;
        config["save_id"] = saveId;
        byte[] weightsBytes = Serialize(weights, new Dictionary<string, string> { ["format"] = Format, ["save_id"] = saveId });
        byte[]? optimizerBytes = training is null ? null : OptimizerBytes(model, saveId);
        string configText = config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        AtomicFile.WriteAllBytes(Path.Combine(directory, WeightsFileName), weightsBytes);
        if (optimizerBytes is not null)
        {
            AtomicFile.WriteAllBytes(Path.Combine(directory, OptimizerFileName), optimizerBytes);
        }

        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFileName), configText);
    }

    /// <summary>Reads a model directory written by <see cref="Save"/>.</summary>
    /// <returns>The model (not compiled) and its metadata.</returns>
    /// <exception cref="InvalidDataException">A file is missing, is not a Recur model, or its weights do not match its configuration.</exception>
    public static (Sequential Model, IReadOnlyDictionary<string, string> Metadata) Load(string directory)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        string configPath = Path.Combine(directory, ConfigFileName);
        string weightsPath = Path.Combine(directory, WeightsFileName);
        if (!File.Exists(configPath) || !File.Exists(weightsPath))
        {
            throw new InvalidDataException(
                $"'{directory}' is not a Recur model directory: it needs {ConfigFileName} and {WeightsFileName}. Pass the directory a 'recur train' run wrote (its --out), or a directory saved with ModelFile.Save.");
        }

        JsonObject config;
        try
        {
            config = JsonNode.Parse(File.ReadAllText(configPath)) as JsonObject
                ?? throw new InvalidDataException("the top level is not a JSON object");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"{configPath} is not a valid Recur model configuration ({e.Message}); re-save the model.", e);
        }

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

        string? saveId = (string?)config["save_id"];
        SafeTensorFile weightsFile = SafeTensors.Load(weightsPath);
        IReadOnlyDictionary<string, Tensor> weights = weightsFile.Tensors;
        int used = 0;
        foreach (ILayer layer in model.Layers)
        {
            foreach (var (name, p) in NamedParameters(layer))
            {
                if (!weights.TryGetValue(name, out Tensor? value))
                {
                    throw new InvalidDataException($"{weightsPath} has no tensor '{name}', which {ConfigFileName} needs; the two files do not belong together.");
                }

                if (!value.HasShape(p.Value.Shape))
                {
                    throw new InvalidDataException(
                        $"{weightsPath}: '{name}' has shape {Tensor.FormatShape(value.Shape)} but the configuration needs {Tensor.FormatShape(p.Value.Shape)}.");
                }

                p.Value.CopyFrom(value);
                used++;
            }
        }

        if (used != weights.Count)
        {
            throw new InvalidDataException($"{weightsPath} holds {weights.Count} tensors but the configuration uses {used}; the two files do not belong together.");
        }

        CheckSameSave(weightsFile, saveId, configPath); // after the name and shape checks, whose messages say more

        var metadata = new Dictionary<string, string>();
        if (config["metadata"] is JsonObject meta)
        {
            foreach (var (key, value) in meta)
            {
                metadata[key] = value?.GetValue<string>() ?? "";
            }
        }

        if (config["training"] is JsonObject training)
        {
            LoadTraining(model, training, Path.Combine(directory, OptimizerFileName), saveId, configPath);
            // Layers added built may share a generator that separate ones replace on loading; the states then do not
            // line up, and only training after this load would differ (weights and predictions do not).
            if (training["random_states"] is JsonArray states && states.Count == model.RandomSources.Count)
            {
                IReadOnlyList<Rng> sources = model.RandomSources;
                for (int i = 0; i < sources.Count; i++)
                {
                    sources[i].State = Training.StateJson.ReadRng(states[i], configPath);
                }
            }
        }

        return (model, metadata);
    }

    /// <summary>The compile settings and progress, or null when the model is not compiled or its loss or optimizer is not one Recur can recreate.</summary>
    private static JsonObject? TrainingConfig(Sequential model)
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

    /// <summary>Every parameter of <paramref name="model"/> by its checkpoint name, in layer order.</summary>
    internal static IEnumerable<KeyValuePair<string, Parameter>> NamedParameters(Sequential model) =>
        model.Layers.SelectMany(l => NamedParameters(l).Select(e => new KeyValuePair<string, Parameter>(e.Name, e.Parameter)));

    /// <summary>
    /// The checkpoint names of a layer's parameters: <c>{layer}.{parameter}</c>, and for a <see cref="Bidirectional"/>
    /// <c>{layer}.{direction}.{parameter}</c> (<c>bidirectional.forward_lstm.weight_ih</c>).
    /// </summary>
    internal static IEnumerable<(string Name, Parameter Parameter)> NamedParameters(ILayer layer) =>
        layer.Parameters.Select(p => ($"{layer.Name}.{(layer is Bidirectional b ? b.ParameterName(p) : p.Name)}", p));

    private static byte[] Serialize(IReadOnlyDictionary<string, Tensor> tensors, Dictionary<string, string> metadata)
    {
        using var buffer = new MemoryStream();
        SafeTensors.Write(buffer, tensors, metadata);
        return buffer.ToArray();
    }

    /// <summary>Throws when a file's <c>save_id</c> is not the configuration's: the directory mixes two saves.</summary>
    private static void CheckSameSave(SafeTensorFile file, string? saveId, string configPath)
    {
        if (saveId is not null && file.Metadata.GetValueOrDefault("save_id") != saveId)
        {
            throw new InvalidDataException(
                $"{file.Source} was not written by the same save as {configPath} (their save_id differ): a save into this directory was interrupted. Save the model again, or use an earlier checkpoint.");
        }
    }

    private static byte[] OptimizerBytes(Sequential model, string saveId)
    {
        OptimizerState state = model.Optimizer!.ExportState(NamedParameters(model));
        var tensors = new SortedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, values) in state.Slots)
        {
            tensors.Add(name, Tensor.FromArray(values, values.Length));
        }

        var meta = new Dictionary<string, string>
        {
            ["format"] = Format + ".optimizer",
            ["save_id"] = saveId,
            ["optimizer"] = state.Optimizer,
            ["learning_rate"] = state.LearningRate.ToString("R", CultureInfo.InvariantCulture),
            ["iterations"] = state.Iterations.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (name, step) in state.Steps)
        {
            meta["step." + name] = step.ToString(CultureInfo.InvariantCulture);
        }

        return Serialize(tensors, meta);
    }

    private static void LoadTraining(Sequential model, JsonObject training, string optimizerPath, string? saveId, string configPath)
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
                var other => throw new InvalidDataException($"{ConfigFileName}: unknown loss '{other}'."),
            };
            double lr = (double)opt["learning_rate"]!;
            Optimizer optimizer = (string?)opt["class_name"] switch
            {
                "Adam" => new Adam(lr, (double)opt["beta1"]!, (double)opt["beta2"]!, (double)opt["epsilon"]!),
                "Sgd" => new Sgd(lr),
                "Momentum" => new Momentum(lr, (double)opt["momentum"]!, (bool)opt["nesterov"]!),
                "RmsProp" => new RmsProp(lr, (double)opt["alpha"]!, (double)opt["epsilon"]!, (double)opt["momentum"]!, (bool)opt["centered"]!),
                var other => throw new InvalidDataException($"{ConfigFileName}: unknown optimizer '{other}'."),
            };
            model.Compile(lossObject, optimizer, training["metrics"]!.AsArray().Select(m => (string)m!).ToArray(), (float?)training["clip_norm"]);
            model.Epoch = (int)training["epoch"]!;
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{ConfigFileName}: the \"training\" entry is incomplete or malformed ({e.Message}); re-save the model.", e);
        }

        SafeTensorFile file = SafeTensors.Load(optimizerPath);
        CheckSameSave(file, saveId, configPath);
        var slots = new Dictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var (name, t) in file.Tensors)
        {
            slots[name] = t.Data.AsSpan(0, t.Length).ToArray();
        }

        var steps = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, value) in file.Metadata)
        {
            if (key.StartsWith("step.", StringComparison.Ordinal))
            {
                steps[key[5..]] = long.Parse(value, CultureInfo.InvariantCulture);
            }
        }

        var state = new OptimizerState(
            file.Metadata.GetValueOrDefault("optimizer") ?? "",
            double.Parse(file.Metadata.GetValueOrDefault("learning_rate") ?? "NaN", CultureInfo.InvariantCulture),
            long.Parse(file.Metadata.GetValueOrDefault("iterations") ?? "0", CultureInfo.InvariantCulture),
            slots,
            steps);
        try
        {
            model.Optimizer!.ImportState(state, NamedParameters(model));
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{optimizerPath}: {e.Message}", e);
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
                    string m => throw new InvalidDataException($"{ConfigFileName}: Bidirectional '{name}' has merge '{m}'; known: concat, sum."),
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
            _ => throw new InvalidDataException($"{ConfigFileName}: unknown layer type '{type}' (known: Dense, Lstm, Gru, SimpleRnn, Dropout, Bidirectional); the model was written by a newer Recur."),
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
            : throw new InvalidDataException($"{ConfigFileName}: SimpleRnn '{name}' has activation '{Get<string>(c, "activation")}'; known: Tanh, Relu.");

    private static IRecurrentLayer Recurrent(JsonObject bidirectional, string key)
    {
        JsonObject c = bidirectional[key] as JsonObject ?? throw new InvalidDataException($"{ConfigFileName}: a Bidirectional layer has no \"{key}\" layer.");
        return CreateLayer(c) as IRecurrentLayer
            ?? throw new InvalidDataException($"{ConfigFileName}: a Bidirectional layer's {key} layer is a '{Get<string>(c, "type")}', which is not recurrent.");
    }

    private static T Get<T>(JsonObject c, string key)
    {
        try
        {
            return c[key] is JsonNode node ? node.GetValue<T>() : throw new InvalidDataException($"{ConfigFileName}: a layer has no \"{key}\".");
        }
        catch (Exception e) when (e is FormatException or InvalidOperationException)
        {
            throw new InvalidDataException(
                string.Create(CultureInfo.InvariantCulture, $"{ConfigFileName}: \"{key}\" of a layer is not a {typeof(T).Name}."), e);
        }
    }

    private static InvalidDataException Bad(string path, string what) => new($"{path} is not a valid Recur model configuration: {what}.");
}
