using System.Globalization;
using System.Text;
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
/// <para>
/// <c>config.json</c> records the length and CRC-32C of each companion file (<c>"files"</c>), so <see cref="Load(string)"/>
/// refuses, with a clear message, files that do not come from the same save; the tensor files hold nothing random, so
/// saving the same model twice writes the same bytes. Directories written before, whose three files share a random
/// <c>save_id</c> instead, load as they did, checked by that id. Inference needs only <c>config.json</c> and
/// <c>model.safetensors</c>; without <c>optimizer.safetensors</c> a loaded model cannot resume training
/// (<see cref="Sequential.OptimizerStateMissing"/>).
/// </para>
/// <para>
/// <see cref="Load(string)"/> also reads a run directory (a <see cref="CheckpointDirectory"/>, as <c>recur train</c>
/// writes): its last checkpoint, or its best with <see cref="Load(string, CheckpointKind)"/>. <see cref="Serialize"/>
/// gives the files as bytes, for a <see cref="CheckpointDirectory.Write"/>.
/// </para>
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

    /// <summary>
    /// Writes <paramref name="model"/>'s configuration and weights into <paramref name="directory"/>, replacing what a
    /// previous save left there as a whole, so that a reader — and a crash or a full disk at any point — finds either
    /// the previous model or the new one, never files of both. How: everything is serialised first (an error in the
    /// model touches nothing); the files are written, each flushed to the disk, into the sibling folder
    /// <c>.{name}.tmp-{id}</c>, which is renamed <c>.{name}.new-{id}</c> once complete; the directory is renamed
    /// <c>.{name}.old-{id}</c>, the new folder renamed to the directory's name, and the old one deleted. A crash in the
    /// instant between those two renames leaves no directory but the complete <c>.{name}.new-{id}</c>, which
    /// <see cref="Load(string)"/> reads and the next save renames into place. Saving the same model twice writes
    /// byte-identical tensor files. One process at a time may save into a directory.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <param name="directory">The model directory; created if missing. It may hold only a model's files, which are all replaced.</param>
    /// <param name="metadata">Strings stored with the configuration (e.g. how inputs are laid out).</param>
    /// <exception cref="InvalidOperationException">The model is not built.</exception>
    /// <exception cref="NotSupportedException">A layer added built is of a kind that cannot be saved.</exception>
    /// <exception cref="ArgumentException"><paramref name="directory"/> holds other files than a model's, or is a run directory.</exception>
    /// <exception cref="IOException">A file could not be written; the directory is as before.</exception>
    public static void Save(Sequential model, string directory, IReadOnlyDictionary<string, string>? metadata = null) =>
        Save(model, directory, metadata, new FileOperations());

    /// <summary><see cref="Save(Sequential, string, IReadOnlyDictionary{string, string}?)"/> with the file operations a test can make fail.</summary>
    internal static void Save(Sequential model, string directory, IReadOnlyDictionary<string, string>? metadata, FileOperations operations)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        IReadOnlyDictionary<string, byte[]> files = Serialize(model, metadata);
        if (CheckpointDirectory.IsRunDirectory(directory))
        {
            throw new ArgumentException(
                $"ModelFile.Save: '{directory}' is a run directory (it has a '{CheckpointDirectory.PointerFileName}' file); write checkpoints into it with CheckpointDirectory.Write, or save the model elsewhere.",
                nameof(directory));
        }

        AtomicDirectory.Replace(directory, files, ModelFiles, operations);
    }

    /// <summary>The names of the files a model directory holds.</summary>
    private static readonly IReadOnlySet<string> ModelFiles = new HashSet<string>(StringComparer.Ordinal) { ConfigFileName, WeightsFileName, OptimizerFileName };

    /// <summary>
    /// <paramref name="model"/>'s files as bytes, without writing them: <c>config.json</c>, <c>model.safetensors</c>
    /// and, once compiled, <c>optimizer.safetensors</c> — what <see cref="Save(Sequential, string, IReadOnlyDictionary{string, string}?)"/>
    /// writes, e.g. to pass to <see cref="CheckpointDirectory.Write"/> with other files of a checkpoint. The same model
    /// and metadata give the same bytes.
    /// </summary>
    /// <param name="model">The model; it must be built.</param>
    /// <param name="metadata">Strings stored with the configuration.</param>
    /// <returns>File name → content.</returns>
    /// <exception cref="InvalidOperationException">The model is not built.</exception>
    /// <exception cref="NotSupportedException">A layer added built is of a kind that cannot be saved.</exception>
    public static IReadOnlyDictionary<string, byte[]> Serialize(Sequential model, IReadOnlyDictionary<string, string>? metadata = null)
    {
        ArgumentNullException.ThrowIfNull(model);
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
        JsonObject? training = ModelConfig.TrainingConfig(model);
        if (training is not null)
        {
            // The dropout generators' states, so Load + Fit(initialEpoch) draws the masks a run that never stopped draws.
            training["random_states"] = new JsonArray(model.RandomSources.Select(r => Training.StateJson.Write(r.State)).ToArray());
        }

        config["training"] = training;
        var files = new Dictionary<string, byte[]>(StringComparer.Ordinal)
        {
            [WeightsFileName] = TensorBytes(weights, new Dictionary<string, string> { ["format"] = Format }),
        };
        if (training is not null)
        {
            files[OptimizerFileName] = OptimizerBytes(model);
        }

        config["files"] = Manifest(files);
        files[ConfigFileName] = Encoding.UTF8.GetBytes(config.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        return files;
    }

    /// <summary><c>config.json</c>'s record of its companion files: <c>{"model.safetensors": {"bytes": 1234, "crc32c": "89abcdef"}, …}</c>.</summary>
    private static JsonObject Manifest(Dictionary<string, byte[]> files)
    {
        var manifest = new JsonObject();
        foreach (var (name, bytes) in files.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            manifest[name] = new JsonObject { ["bytes"] = bytes.Length, ["crc32c"] = Crc(bytes) };
        }

        return manifest;
    }

    private static string Crc(byte[] bytes) => Crc32C.Compute(bytes).ToString("x8", CultureInfo.InvariantCulture);

    /// <summary>
    /// Reads a model directory written by <see cref="Save(Sequential, string, IReadOnlyDictionary{string, string}?)"/>
    /// (or by an earlier Recur), or the last checkpoint of a run directory (one with a
    /// <see cref="CheckpointDirectory.PointerFileName"/> file, as <c>recur train</c> writes). It needs
    /// <c>config.json</c> and <c>model.safetensors</c>; <c>optimizer.safetensors</c> is read when present.
    /// </summary>
    /// <returns>
    /// The model — compiled when it was saved compiled, with its optimizer state when the directory has it
    /// (<see cref="Sequential.OptimizerStateMissing"/> says when not) — and its metadata.
    /// </returns>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">
    /// A file is missing, is not a Recur model, does not match its configuration or comes from another save.
    /// </exception>
    public static (Sequential Model, IReadOnlyDictionary<string, string> Metadata) Load(string directory) => Load(directory, null);

    /// <summary>
    /// Reads the last or the best checkpoint of a run directory, as <see cref="Load(string)"/> does; a plain model
    /// directory counts as its own last checkpoint and has no best.
    /// </summary>
    /// <exception cref="DirectoryNotFoundException"><paramref name="directory"/> does not exist.</exception>
    /// <exception cref="InvalidDataException">There is no such checkpoint, or its files are not a valid model.</exception>
    public static (Sequential Model, IReadOnlyDictionary<string, string> Metadata) Load(string directory, CheckpointKind checkpoint) =>
        Load(directory, (CheckpointKind?)checkpoint);

    private static (Sequential Model, IReadOnlyDictionary<string, string> Metadata) Load(string directory, CheckpointKind? checkpoint)
    {
        ArgumentException.ThrowIfNullOrEmpty(directory);
        if (!CheckpointDirectory.IsRunDirectory(directory))
        {
            return LoadFolder(ModelFolder(directory, checkpoint));
        }

        // The writer deletes a folder once a newer checkpoint is pointed to; a read that loses that race reads the newer one.
        for (int attempt = 1; ; attempt++)
        {
            string folder = CheckpointDirectory.Resolve(directory, checkpoint ?? CheckpointKind.Last);
            try
            {
                return LoadFolder(folder);
            }
            catch (Exception e) when (attempt < 3 && e is IOException or InvalidDataException && !Directory.Exists(folder))
            {
            }
        }
    }

    /// <summary>The folder holding the model of the plain model directory <paramref name="directory"/>.</summary>
    private static string ModelFolder(string directory, CheckpointKind? checkpoint)
    {
        if (Directory.Exists(directory) || File.Exists(directory))
        {
            return checkpoint != CheckpointKind.Best ? directory
                : throw new InvalidDataException($"'{directory}' is a model directory, not a run directory, so it has no best checkpoint; load it as it is.");
        }

        return AtomicDirectory.Pending(directory) // a save interrupted in the instant between its renames
            ?? throw new DirectoryNotFoundException(
                $"'{directory}' does not exist; pass a model directory (one ModelFile.Save wrote) or the run directory of 'recur train' (its --out).");
    }

    /// <summary>Reads the model in the folder <paramref name="directory"/> (a plain model directory or a checkpoint's folder).</summary>
    private static (Sequential Model, IReadOnlyDictionary<string, string> Metadata) LoadFolder(string directory)
    {
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
            config = JsonFiles.Read(configPath) as JsonObject
                ?? throw new InvalidDataException("the top level is not a JSON object");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"{configPath} is not a valid Recur model configuration ({e.Message}); re-save the model.", e);
        }

        (Sequential model, Dictionary<string, string> metadata) = ModelConfig.FromJson(config, configPath);
        string? saveId = (string?)config["save_id"];
        byte[] weightsBytes = File.ReadAllBytes(weightsPath);
        SafeTensorFile weightsFile = SafeTensors.Read(new MemoryStream(weightsBytes, writable: false), weightsPath);
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

                if (Sequential.FirstNonFinite(value.Span) is var bad and >= 0)
                {
                    throw new InvalidDataException(string.Create(CultureInfo.InvariantCulture,
                        $"{weightsPath}: tensor '{name}' holds {value.Span[bad]} at {Sequential.FormatIndex(value.Shape, bad)}; weights must be finite. The file was edited or saved from a run that diverged: load an earlier checkpoint, or train again."));
                }

                p.Value.CopyFrom(value);
                p.MarkChanged();
                used++;
            }
        }

        if (used != weights.Count)
        {
            throw new InvalidDataException($"{weightsPath} holds {weights.Count} tensors but the configuration uses {used}; the two files do not belong together.");
        }

        // After the name and shape checks, whose messages say more.
        CheckSameSave(weightsFile, saveId, configPath);
        CheckManifest(config, weightsBytes, weightsPath, configPath);

        if (config["training"] is JsonObject training)
        {
            string optimizerPath = Path.Combine(directory, OptimizerFileName);
            SafeTensorFile? optimizerFile = null;
            if (File.Exists(optimizerPath)) // inference needs no optimizer state
            {
                byte[] bytes = File.ReadAllBytes(optimizerPath);
                optimizerFile = SafeTensors.Read(new MemoryStream(bytes, writable: false), optimizerPath);
                CheckSameSave(optimizerFile, saveId, configPath);
                CheckManifest(config, bytes, optimizerPath, configPath);
            }

            LoadTraining(model, training, optimizerFile, optimizerPath);
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

    private static byte[] TensorBytes(IReadOnlyDictionary<string, Tensor> tensors, Dictionary<string, string> metadata)
    {
        using var buffer = new MemoryStream();
        SafeTensors.Write(buffer, tensors, metadata);
        return buffer.ToArray();
    }

    /// <summary>Throws when a file's <c>save_id</c> is not the configuration's: the directory mixes two saves (directories written before <c>"files"</c>).</summary>
    private static void CheckSameSave(SafeTensorFile file, string? saveId, string configPath)
    {
        if (saveId is not null && file.Metadata.GetValueOrDefault("save_id") != saveId)
        {
            throw new InvalidDataException(
                $"{file.Source} was not written by the same save as {configPath} (their save_id differ): a save into this directory was interrupted. Save the model again, or use an earlier checkpoint.");
        }
    }

    /// <summary>
    /// Throws when <paramref name="bytes"/>, read from <paramref name="path"/>, are not the file <c>config.json</c>'s
    /// <c>"files"</c> records (its length and CRC-32C): the two come from different saves. Directories written before
    /// <c>"files"</c> pass (their <c>save_id</c> is checked instead).
    /// </summary>
    private static void CheckManifest(JsonObject config, byte[] bytes, string path, string configPath)
    {
        if (config["files"] is not JsonObject files)
        {
            return;
        }

        string name = Path.GetFileName(path);
        long? length;
        string? crc;
        try
        {
            length = (long?)files[name]?["bytes"];
            crc = (string?)files[name]?["crc32c"];
        }
        catch (Exception e) when (e is InvalidOperationException or FormatException)
        {
            throw new InvalidDataException($"{configPath}: its \"files\" entry for {name} is malformed ({e.Message}); re-save the model.", e);
        }

        if (length is null || crc is null)
        {
            throw new InvalidDataException($"{configPath} does not record {name} in its \"files\" (length and CRC-32C), so {path} does not belong with it; re-save the model.");
        }

        string actual = Crc(bytes);
        if (length != bytes.Length || crc != actual)
        {
            throw new InvalidDataException(
                $"{path} does not match {configPath}: {ConfigFileName} records {length} bytes with CRC-32C {crc}, the file has {bytes.Length} bytes with CRC-32C {actual}. " +
                "The files come from two saves (an interrupted copy, or a file replaced by hand); save the model again, or use an earlier checkpoint.");
        }
    }

    private static byte[] OptimizerBytes(Sequential model)
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
            ["optimizer"] = state.Optimizer,
            ["learning_rate"] = state.LearningRate.ToString("R", CultureInfo.InvariantCulture),
            ["iterations"] = state.Iterations.ToString(CultureInfo.InvariantCulture),
        };
        foreach (var (name, step) in state.Steps)
        {
            meta["step." + name] = step.ToString(CultureInfo.InvariantCulture);
        }

        return TensorBytes(tensors, meta);
    }

    /// <summary>Compiles the model from its <c>"training"</c> settings and restores the optimizer state of <paramref name="file"/>, or without it marks the state missing.</summary>
    private static void LoadTraining(Sequential model, JsonObject training, SafeTensorFile? file, string optimizerPath)
    {
        ModelConfig.Compile(model, training);
        if (file is null)
        {
            model.OptimizerStateMissing = true;
            return;
        }

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
