using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recur.IO;
using Recur.Layers;
using Recur.Tensors;

namespace Recur.Models;

/// <summary>
/// Saves and loads a <see cref="Sequential"/> as a directory: <c>config.json</c> (the layers and
/// their constructor arguments, plus free-form string metadata) and <c>model.safetensors</c> (the
/// weights, named <c>layer.parameter</c>, e.g. <c>lstm.weight_ih</c>, in PyTorch's layouts).
/// Each file is written to a temporary name and renamed into place, so a failed save leaves the
/// previous model readable.
/// </summary>
public static class ModelFile
{
    /// <summary>The configuration file's name inside a model directory.</summary>
    public const string ConfigFileName = "config.json";

    /// <summary>The weights file's name inside a model directory.</summary>
    public const string WeightsFileName = "model.safetensors";

    private const string Format = "recur.sequential";

    /// <summary>Writes <paramref name="model"/>'s configuration and weights into <paramref name="directory"/>.</summary>
    /// <param name="model">The model.</param>
    /// <param name="directory">The model directory; created if missing.</param>
    /// <param name="metadata">Strings stored with the configuration (e.g. how inputs are laid out).</param>
    public static void Save(Sequential model, string directory, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentException.ThrowIfNullOrEmpty(directory);
        Directory.CreateDirectory(directory);

        var weights = new SortedDictionary<string, Tensor>(StringComparer.Ordinal);
        var layers = new JsonArray();
        foreach (ILayer layer in model.Layers)
        {
            layers.Add(LayerConfig(layer));
            foreach (Parameter p in layer.Parameters)
            {
                weights.Add($"{layer.Name}.{p.Name}", p.Value);
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
            ["version"] = 1,
            ["layers"] = layers,
            ["metadata"] = meta,
        };

        SafeTensors.Save(Path.Combine(directory, WeightsFileName), weights, new Dictionary<string, string> { ["format"] = Format });
        AtomicFile.WriteAllText(Path.Combine(directory, ConfigFileName), config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
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

        var model = new Sequential();
        foreach (JsonNode? node in layerArray)
        {
            model.Add(CreateLayer(node as JsonObject ?? throw Bad(configPath, "a layer entry is not an object")));
        }

        IReadOnlyDictionary<string, Tensor> weights = SafeTensors.Load(weightsPath).Tensors;
        int used = 0;
        foreach (ILayer layer in model.Layers)
        {
            foreach (Parameter p in layer.Parameters)
            {
                string name = $"{layer.Name}.{p.Name}";
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
        },
        _ => throw new NotSupportedException($"ModelFile: cannot save a layer of type {layer.GetType().Name}; Dense and Lstm are supported."),
    };

    private static ILayer CreateLayer(JsonObject c)
    {
        string type = Get<string>(c, "type");
        string name = Get<string>(c, "name");
        return type switch
        {
            "Dense" => new Dense(Get<int>(c, "in_features"), Get<int>(c, "out_features"), Get<bool>(c, "use_bias"), name: name),
            "Lstm" => new Lstm(
                Get<int>(c, "input_size"), Get<int>(c, "hidden_size"), Get<float>(c, "forget_bias"), Get<bool>(c, "return_sequences"), name: name),
            _ => throw new InvalidDataException($"{ConfigFileName}: unknown layer type '{type}' (known: Dense, Lstm); the model was written by a newer Recur."),
        };
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
