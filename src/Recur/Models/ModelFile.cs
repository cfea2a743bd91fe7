using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recur.IO;
using Recur.Layers;
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

    private const string Format = ModelConfig.Format;

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
        foreach (var (name, p) in NamedParameters(model))
        {
            weights.Add(name, p.Value);
        }

        JsonObject config = ModelConfig.ToJson(model, metadata);

        // Everything is serialised before the first file is replaced, so an error in the model leaves the old files
        // alone; each file is then written atomically. The save id, in all three, lets Load detect a directory
        // left half-replaced by a crash between the renames.
        string saveId = Guid.NewGuid().ToString("N");
        JsonObject? training = ModelConfig.TrainingConfig(model);
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

        (Sequential model, Dictionary<string, string> metadata) = ModelConfig.FromJson(config, configPath);
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
        ModelConfig.Compile(model, training);
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

}
