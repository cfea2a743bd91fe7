using System.Text.Json;
using System.Text.Json.Nodes;
using Recur.Layers;
using Recur.Losses;
using Recur.Optimizers;

namespace Recur.Models;

/// <summary>
/// The JSON of a model directory's <c>config.json</c>: the model's name, seed and input shape, its layers, free-form
/// string metadata and, once compiled, the loss, metrics, optimizer settings and completed epochs. Layers, losses and
/// optimizers are written as Keras writes them, <c>{"class_name": …, "config": {…}}</c>, through their registries
/// (<see cref="LayerKinds"/>, <see cref="LossKinds"/>, <see cref="OptimizerKinds"/>); older files (the <c>"type"</c>
/// form of layers added built, the flattened <c>class_name</c> form) are read too. How the files are written and read is <see cref="ModelFile"/>'s business;
/// this class only turns a <see cref="Sequential"/> into that JSON and back.
/// </summary>
internal static class ModelConfig
{
    /// <summary>The <c>format</c> of <c>config.json</c> and of the weights file's metadata.</summary>
    public const string Format = "recur.sequential";

    /// <summary>3: every layer as <c>{"class_name", "config"}</c> (2 had the flattened and the <c>"type"</c> forms).</summary>
    private const int Version = 3;

    /// <summary><paramref name="model"/>'s configuration, without the training entry (see <see cref="TrainingConfig"/>).</summary>
    /// <exception cref="NotSupportedException">A layer has no options, or its options record is not registered.</exception>
    public static JsonObject ToJson(Sequential model, IReadOnlyDictionary<string, string>? metadata)
    {
        var layers = new JsonArray();
        IReadOnlyList<LayerConfig?> configs = model.Configs;
        for (int k = 0; k < model.Layers.Count; k++)
        {
            ILayer layer = model.Layers[k];
            LayerConfig config = configs[k] ?? throw new NotSupportedException(
                $"ModelFile: layer '{layer.Name}' ({layer.GetType().Name}) has no options (its ILayer.Options is null), so it cannot be saved; give it an options record (a LayerConfig that rebuilds it) and register that record once with LayerKinds.Registry.Register<TRecord>(\"ClassName\").");
            layers.Add(LayerKinds.Registry.ToJson(config));
        }

        var meta = new JsonObject();
        foreach (var (key, value) in metadata ?? new Dictionary<string, string>())
        {
            meta[key] = value;
        }

        return new JsonObject
        {
            ["format"] = Format,
            ["version"] = Version,
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
            var records = new List<LayerConfig>();
            for (int k = 0; k < layerArray.Count; k++)
            {
                JsonObject entry = layerArray[k] as JsonObject ?? throw Bad(configPath, "a layer entry is not an object");
                ConfigLimits.Check(entry, $"layers[{k}]", configPath);
                records.Add(entry.ContainsKey("type") ? LegacyLayerConfig.FromType(entry) : LayerKinds.Registry.FromJson(entry));
            }

            CheckSize(records, (config["input_shape"] as JsonArray)?.Select(d => (int)d!).ToArray() ?? (records.Count > 0 ? records[0].StandaloneInputShape : null), configPath);
            foreach (LayerConfig record in records)
            {
                model.Add(record);
            }

            if (!model.IsBuilt && config["input_shape"] is JsonArray shape)
            {
                model.Build(shape.Select(d => (int)d!).ToArray());
            }
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or ArgumentException or InvalidDataException)
        {
            // One line: an ArgumentOutOfRangeException's message adds "Actual value was …" on a line of its own.
            string reason = e.Message.Split('\n')[0].Trim();
            throw e.Message.StartsWith(configPath, StringComparison.Ordinal)
                ? new InvalidDataException(reason, e)
                : new InvalidDataException($"{configPath} is not a valid Recur model configuration ({reason}); re-save the model.", e);
        }

        var metadata = new Dictionary<string, string>();
        if (config["metadata"] is JsonObject meta)
        {
            foreach (var (key, value) in meta)
            {
                if (value is not null && value.GetValueKind() != System.Text.Json.JsonValueKind.String)
                {
                    throw new InvalidDataException(
                        $"{configPath}: metadata.{key} is a JSON {value.GetValueKind().ToString().ToLowerInvariant()}, but metadata values are strings; re-save the model.");
                }

                metadata[key] = value?.GetValue<string>() ?? "";
            }
        }

        return (model, metadata);
    }

    /// <summary>The compile settings and progress, or null when the model is not compiled or its loss or optimizer is not registered (so it cannot be recreated).</summary>
    public static JsonObject? TrainingConfig(Sequential model)
    {
        if (model.Loss is not { } loss || model.Optimizer is not { } optimizer
            || LossKinds.Registry.ClassNameOf(loss.GetType()) is null || OptimizerKinds.Registry.ClassNameOf(optimizer.GetType()) is null)
        {
            return null;
        }

        return new JsonObject
        {
            ["epoch"] = model.Epoch,
            ["loss"] = LossKinds.Registry.ToJson(loss),
            ["metrics"] = new JsonArray(model.Metrics.Select(m => (JsonNode)m).ToArray()),
            ["clip_norm"] = model.ClipNorm,
            ["optimizer"] = OptimizerKinds.Registry.ToJson(optimizer),
        };
    }

    /// <summary>Compiles <paramref name="model"/> as its <c>training</c> entry says and sets its epoch.</summary>
    /// <exception cref="InvalidDataException">The entry is incomplete or names an unknown loss or optimizer.</exception>
    public static void Compile(Sequential model, JsonObject training)
    {
        try
        {
            model.Compile(
                LossKinds.Registry.FromJson(training["loss"]),
                OptimizerKinds.Registry.FromJson(training["optimizer"]),
                training["metrics"]!.AsArray().Select(m => (string)m!).ToArray(),
                (float?)training["clip_norm"]);
            model.Epoch = (int)training["epoch"]!;
        }
        catch (Exception e) when (e is NullReferenceException or InvalidOperationException or FormatException or InvalidDataException or ArgumentException)
        {
            throw new InvalidDataException($"{ModelFile.ConfigFileName}: the \"training\" entry is incomplete or malformed ({e.Message}); re-save the model.", e);
        }
    }

    /// <summary>Refuses a model whose weights would not fit in this process's memory (<see cref="MemoryEstimate"/>) or in one array.</summary>
    private static void CheckSize(List<LayerConfig> records, int[]? inputShape, string configPath)
    {
        if (inputShape is null)
        {
            return; // built later, from the first input; its sizes were checked field by field
        }

        long parameters, largest;
        double bytes;
        try
        {
            (parameters, largest, bytes) = (MemoryEstimate.Parameters(records, inputShape), MemoryEstimate.LargestTensor(records, inputShape), MemoryEstimate.InferenceBytes(records, inputShape));
        }
        catch (ArgumentException)
        {
            return; // the records do not fit together; building them says where, in the layer's own words
        }

        long available = MemoryEstimate.AvailableBytes;
        if (largest > Array.MaxLength || bytes > available)
        {
            throw new InvalidDataException(FormattableString.Invariant(
                $"{configPath}: the model has {parameters:N0} parameters and needs about {MemoryEstimate.Format(bytes)}, more than the {MemoryEstimate.Format(available)} this process may use{(largest > Array.MaxLength ? $" (one weight of {largest:N0} elements, more than an array holds)" : "")}; it cannot be loaded here."));
        }
    }

    private static InvalidDataException Bad(string path, string what) => new($"{path} is not a valid Recur model configuration: {what}.");
}
