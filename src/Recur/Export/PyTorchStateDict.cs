using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Recur.IO;
using Recur.Layers;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Export;

/// <summary>
/// A <see cref="Sequential"/>'s weights as a PyTorch state dict — the keys and tensors <c>module.state_dict()</c> has
/// for the torch modules the model's layers are — and back, saved as safetensors: what
/// <c>torch.nn.LSTM</c>/<c>GRU</c>/<c>RNN</c>, <c>nn.Linear</c> and <c>nn.Embedding</c> users write with
/// <c>safetensors.torch.save_file(model.state_dict(), path)</c> and read with <c>load_state_dict(strict=True)</c>.
/// </summary>
/// <remarks>
/// <para><b>Modules.</b> The model's layers are walked in order. Consecutive recurrent layers of one kind (LSTM, GRU,
/// RNN with tanh, RNN with relu), one hidden size and one direction (plain, or <see cref="Bidirectional"/> with
/// <see cref="BidirectionalMerge.Concat"/>) form one multi-layer torch module — <c>nn.LSTM(num_layers=n)</c> — whose
/// layers are <c>_l0</c>, <c>_l1</c>, …; a <see cref="Dropout"/> between them does not split them (torch's
/// <c>dropout</c> argument, nothing at inference). Every other layer with parameters is a module of its own whose
/// keys are its parameters' names (<see cref="Dense"/>: <c>Linear</c>'s <c>weight [out, in]</c> and <c>bias</c>;
/// <see cref="Embedding"/>: <c>weight [V, E]</c>). A module is named after its (first) Recur layer, or what
/// <c>moduleNames</c> maps that layer's name to (<c>{"lstm": "rnn", "dense": "fc"}</c>); a later recurrent layer that
/// the map gives a module name of its own starts a new module.</para>
/// <para><b>Keys of a recurrent layer</b> (k its place in the module): <c>weight_ih_l{k} = WeightIh [G, I]</c>,
/// <c>weight_hh_l{k} = WeightHh [G, H]</c>, the same gate orders (LSTM i, f, g, o; GRU r, z, n); the backward direction
/// of a bidirectional layer the same with <c>_reverse</c>. A GRU's <c>bias_ih_l{k}</c>, <c>bias_hh_l{k}</c> are its
/// own two. An LSTM and a simple RNN keep one bias: written as <c>bias_ih = bias</c>, <c>bias_hh = 0</c>, read as
/// <c>bias = bias_ih + bias_hh</c>. An LSTM's <see cref="Lstm.ForgetBias"/> constant c ≠ 0 (TensorFlow's
/// <c>BasicLSTMCell</c>, which torch does not have) is written into the forget quarter <c>[H, 2H)</c> of
/// <c>bias_hh</c>, so torch adds it where Recur does, and taken out of it on reading (<c>bias_f = bias_ih_f +
/// (bias_hh_f − c)</c>): a model written and read back has the same bits.</para>
/// <para><b>Not exported:</b> a <see cref="Bidirectional"/> with <see cref="BidirectionalMerge.Sum"/> (torch's
/// <c>bidirectional=True</c> concatenates; no one module sums), and recurrent layers other than
/// <see cref="Lstm"/>, <see cref="Gru"/> and <see cref="SimpleRnn"/>; a layer-normalised <see cref="Lstm"/> or <see cref="Gru"/>
/// (<see cref="RecurrentLayer.LayerNorm"/>). All are refused with the layer's name.</para>
/// <para>Reading is <c>load_state_dict(strict=True)</c>: every key used, every parameter set, shapes checked; a file
/// that does not fit is refused whole (the model is left as it was) with the missing and unexpected keys and every
/// shape that differs, in one line.</para>
/// </remarks>
public static class PyTorchStateDict
{
    /// <summary>
    /// The state dict of <paramref name="model"/> (copies of its weights), keys sorted: e.g.
    /// <c>lstm.weight_ih_l0 [4H, I]</c>, <c>lstm.weight_hh_l0 [4H, H]</c>, <c>lstm.bias_ih_l0 [4H]</c>,
    /// <c>lstm.bias_hh_l0 [4H]</c>, <c>dense.weight [C, H]</c>, <c>dense.bias [C]</c>.
    /// </summary>
    /// <param name="model">A built model.</param>
    /// <param name="moduleNames">Recur layer name → torch module name; a layer not in it keeps its own name.</param>
    /// <exception cref="InvalidOperationException">The model is not built.</exception>
    /// <exception cref="NotSupportedException">A layer has no torch equivalent (see the remarks).</exception>
    /// <exception cref="ArgumentException"><paramref name="moduleNames"/> names no layer of the model, or gives two modules one name.</exception>
    public static IReadOnlyDictionary<string, Tensor> From(Sequential model, IReadOnlyDictionary<string, string>? moduleNames = null)
    {
        var state = new SortedDictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (PyTorchModuleEntry entry in Plan(model, moduleNames))
        {
            if (entry.Layer is not RecurrentLayer recurrent)
            {
                foreach (Parameter p in entry.Layer.Parameters)
                {
                    state.Add($"{entry.Module}.{p.Name}", p.Value.Clone());
                }

                continue;
            }

            IReadOnlyDictionary<string, Tensor> torch = recurrent.ToPyTorch();
            Tensor biasHh = torch["bias_hh_l0"];
            if (recurrent is Lstm { ForgetBias: not 0f } lstm)
            {
                ForgetQuarter(biasHh, lstm.HiddenSize).Fill(lstm.ForgetBias); // bias_hh is 0 for a one-bias layer
            }

            state.Add(entry.Key("weight_ih"), torch["weight_ih_l0"]);
            state.Add(entry.Key("weight_hh"), torch["weight_hh_l0"]);
            state.Add(entry.Key("bias_ih"), torch["bias_ih_l0"]);
            state.Add(entry.Key("bias_hh"), biasHh);
        }

        return state;
    }

    /// <summary>
    /// Writes <see cref="From"/>'s state dict to <paramref name="path"/> as safetensors (<see cref="Serialize"/>'s
    /// bytes), atomically: a failed write leaves any previous file as it was.
    /// </summary>
    /// <param name="model">A built model.</param>
    /// <param name="path">The file to create or replace.</param>
    /// <param name="moduleNames">Recur layer name → torch module name.</param>
    /// <exception cref="InvalidOperationException">The model is not built.</exception>
    /// <exception cref="NotSupportedException">A layer has no torch equivalent.</exception>
    /// <exception cref="ArgumentException">As for <see cref="From"/>.</exception>
    /// <exception cref="IOException">The file could not be written.</exception>
    public static void Save(Sequential model, string path, IReadOnlyDictionary<string, string>? moduleNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        AtomicFile.WriteAllBytes(path, Serialize(model, moduleNames));
    }

    /// <summary>
    /// <see cref="From"/>'s state dict as the bytes of a safetensors file (float32, keys sorted, metadata
    /// <c>format: pt</c> as <c>safetensors.torch</c> writes it), which <c>safetensors.torch.load_file</c> reads.
    /// </summary>
    /// <param name="model">A built model.</param>
    /// <param name="moduleNames">Recur layer name → torch module name.</param>
    /// <exception cref="InvalidOperationException">The model is not built.</exception>
    /// <exception cref="NotSupportedException">A layer has no torch equivalent.</exception>
    /// <exception cref="ArgumentException">As for <see cref="From"/>.</exception>
    public static byte[] Serialize(Sequential model, IReadOnlyDictionary<string, string>? moduleNames = null)
    {
        using var buffer = new MemoryStream();
        SafeTensors.Write(buffer, From(model, moduleNames), new Dictionary<string, string> { ["format"] = "pt" });
        return buffer.ToArray();
    }

    /// <summary>
    /// Sets every parameter of <paramref name="model"/> from the state dict in the safetensors file
    /// <paramref name="path"/> (see <see cref="Load(Sequential, IReadOnlyDictionary{string, Tensor}, IReadOnlyDictionary{string, string}?, string)"/>).
    /// </summary>
    /// <param name="model">A built model whose architecture matches the torch modules'.</param>
    /// <param name="path">A safetensors file (any float or integer dtype; converted to float32).</param>
    /// <param name="moduleNames">Recur layer name → torch module name.</param>
    /// <exception cref="FileNotFoundException">There is no such file.</exception>
    /// <exception cref="InvalidDataException">The file is not safetensors, or does not fit the model; the model is unchanged.</exception>
    /// <exception cref="NotSupportedException">A layer has no torch equivalent.</exception>
    /// <exception cref="ArgumentException"><paramref name="moduleNames"/> is wrong for the model.</exception>
    public static void Load(Sequential model, string path, IReadOnlyDictionary<string, string>? moduleNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        Load(model, SafeTensors.Load(path).Tensors, moduleNames, path);
    }

    /// <summary>
    /// Sets every parameter of <paramref name="model"/> from <paramref name="stateDict"/>, as
    /// <c>load_state_dict(strict=True)</c>: the keys must be exactly the model's (<see cref="From"/>'s) and each shape
    /// the one the model needs (e.g. <c>lstm.weight_ih_l0 [4H, I]</c>); otherwise nothing is changed and the message
    /// lists the missing keys, the unexpected keys and every shape that differs.
    /// </summary>
    /// <param name="model">A built model whose architecture matches the torch modules'.</param>
    /// <param name="stateDict">Key → tensor, torch's names and layouts.</param>
    /// <param name="moduleNames">Recur layer name → torch module name.</param>
    /// <param name="source">What the state dict is called in messages (a file name).</param>
    /// <exception cref="InvalidDataException">The state dict does not fit the model; the model is unchanged.</exception>
    /// <exception cref="InvalidOperationException">The model is not built.</exception>
    /// <exception cref="NotSupportedException">A layer has no torch equivalent.</exception>
    /// <exception cref="ArgumentException"><paramref name="moduleNames"/> is wrong for the model.</exception>
    public static void Load(Sequential model, IReadOnlyDictionary<string, Tensor> stateDict, IReadOnlyDictionary<string, string>? moduleNames = null,
        string source = "the state dict")
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        ArgumentNullException.ThrowIfNull(source);
        IReadOnlyList<PyTorchModuleEntry> plan = Plan(model, moduleNames);
        Check(plan, stateDict, source);
        foreach (PyTorchModuleEntry entry in plan)
        {
            if (entry.Layer is not RecurrentLayer recurrent)
            {
                foreach (Parameter p in entry.Layer.Parameters)
                {
                    p.Value.CopyFrom(stateDict[$"{entry.Module}.{p.Name}"]);
                    p.MarkChanged();
                }

                continue;
            }

            Tensor biasHh = stateDict[entry.Key("bias_hh")];
            if (recurrent is Lstm { ForgetBias: not 0f } lstm)
            {
                biasHh = biasHh.Clone();
                Span<float> forget = ForgetQuarter(biasHh, lstm.HiddenSize);
                for (int j = 0; j < forget.Length; j++)
                {
                    forget[j] -= lstm.ForgetBias; // first, so a written model reads back to its bits
                }
            }

            recurrent.CopyFromPyTorch(stateDict[entry.Key("weight_ih")], stateDict[entry.Key("weight_hh")], stateDict[entry.Key("bias_ih")], biasHh);
        }
    }

    /// <summary>
    /// The model that <c>config.json</c> in <paramref name="likeDirectory"/> describes (a model directory, or a run
    /// directory's last checkpoint; its own weights are not read), with every weight from the state dict in
    /// <paramref name="path"/>, and that directory's metadata — ready for <c>ModelFile.Save</c>.
    /// </summary>
    /// <param name="path">A safetensors state dict.</param>
    /// <param name="likeDirectory">A directory holding the architecture's <c>config.json</c>, with its input shape.</param>
    /// <param name="moduleNames">Recur layer name → torch module name.</param>
    /// <exception cref="DirectoryNotFoundException"><paramref name="likeDirectory"/> does not exist.</exception>
    /// <exception cref="FileNotFoundException">There is no file <paramref name="path"/>.</exception>
    /// <exception cref="InvalidDataException">The directory holds no valid configuration, or the file is not safetensors or does not fit.</exception>
    /// <exception cref="NotSupportedException">A layer has no torch equivalent.</exception>
    /// <exception cref="ArgumentException"><paramref name="moduleNames"/> is wrong for the model.</exception>
    public static (Sequential Model, IReadOnlyDictionary<string, string> Metadata) Import(string path, string likeDirectory,
        IReadOnlyDictionary<string, string>? moduleNames = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(likeDirectory);
        if (!Directory.Exists(likeDirectory))
        {
            throw new DirectoryNotFoundException($"'{likeDirectory}' does not exist; pass a Recur model directory (or a 'recur train' run directory) whose config.json has the architecture to load the weights into.");
        }

        string folder = CheckpointDirectory.IsRunDirectory(likeDirectory) ? CheckpointDirectory.Resolve(likeDirectory) : likeDirectory;
        string configPath = Path.Combine(folder, ModelFile.ConfigFileName);
        if (!File.Exists(configPath))
        {
            throw new InvalidDataException(
                $"'{likeDirectory}' is not a Recur model directory: it has no {ModelFile.ConfigFileName}, which gives the architecture to load the weights into; pass a directory ModelFile.Save or 'recur train' wrote.");
        }

        JsonObject config;
        try
        {
            config = JsonNode.Parse(File.ReadAllText(configPath)) as JsonObject ?? throw new InvalidDataException("the top level is not a JSON object");
        }
        catch (Exception e) when (e is JsonException or InvalidDataException)
        {
            throw new InvalidDataException($"{configPath} is not a valid Recur model configuration ({e.Message}); re-save the model.", e);
        }

        (Sequential model, Dictionary<string, string> metadata) = ModelConfig.FromJson(config, configPath);
        if (!model.IsBuilt)
        {
            throw new InvalidDataException(
                $"{configPath} has no input shape, so its layers have no sizes to load weights into; add \"input_shape\" (e.g. [28, 28] for steps and features) to it.");
        }

        Load(model, path, moduleNames);
        return (model, metadata);
    }

    /// <summary>Which torch module and key suffix each layer (each direction) of <paramref name="model"/> maps to, in order.</summary>
    private static List<PyTorchModuleEntry> Plan(Sequential model, IReadOnlyDictionary<string, string>? moduleNames)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (!model.IsBuilt)
        {
            throw new InvalidOperationException("PyTorchStateDict: the model is not built, so it has no weights yet; give the first layer an InputShape or call Build first.");
        }

        moduleNames ??= new Dictionary<string, string>();
        foreach (var (layerName, module) in moduleNames)
        {
            if (!model.Layers.Any(l => l.Name == layerName))
            {
                throw new ArgumentException(
                    $"PyTorchStateDict: the module names map '{layerName}', which is no layer of the model; its layers are {string.Join(", ", model.Layers.Select(l => $"'{l.Name}'"))}.",
                    nameof(moduleNames));
            }

            if (string.IsNullOrWhiteSpace(module) || module.Contains('.', StringComparison.Ordinal))
            {
                throw new ArgumentException($"PyTorchStateDict: layer '{layerName}' is mapped to the module name '{module}'; give a torch attribute name, non-empty and without dots.", nameof(moduleNames));
            }
        }

        var plan = new List<PyTorchModuleEntry>();
        var started = new Dictionary<string, ILayer>(StringComparer.Ordinal); // module → the layer that started it
        string? group = null; // the recurrent module the next recurrent layer may join
        string? groupKind = null;
        int depth = 0;
        foreach (ILayer layer in model.Layers)
        {
            string module = moduleNames.GetValueOrDefault(layer.Name) ?? layer.Name;
            if (layer is not IRecurrentLayer)
            {
                if (layer.Parameters.Count > 0)
                {
                    Start(started, module, layer);
                    plan.Add(new PyTorchModuleEntry(layer, module, null, layer));
                }

                if (layer is not Dropout)
                {
                    group = null;
                }

                continue;
            }

            (RecurrentLayer forward, RecurrentLayer? backward) = Directions(layer);
            string kind = $"{Kind(forward)} of {forward.HiddenSize} units{(backward is null ? "" : ", bidirectional")}";
            bool joins = group is not null && kind == groupKind && (!moduleNames.ContainsKey(layer.Name) || module == group);
            (group, groupKind, depth) = joins ? (group, groupKind, depth + 1) : (Start(started, module, layer), kind, 0);
            string suffix = "_l" + depth.ToString(CultureInfo.InvariantCulture);
            plan.Add(new PyTorchModuleEntry(forward, group!, suffix, layer));
            if (backward is not null)
            {
                plan.Add(new PyTorchModuleEntry(backward, group!, suffix + "_reverse", layer));
            }
        }

        return plan;
    }

    /// <summary>Records that <paramref name="layer"/> starts the torch module <paramref name="module"/>; returns the module's name.</summary>
    /// <exception cref="ArgumentException">Another layer started a module of that name.</exception>
    private static string Start(Dictionary<string, ILayer> started, string module, ILayer layer)
    {
        if (!started.TryAdd(module, layer))
        {
            throw new ArgumentException(
                $"PyTorchStateDict: layers '{started[module].Name}' and '{layer.Name}' both map to the torch module '{module}' but cannot be one module (only consecutive recurrent layers of one kind, size and direction can); give them different module names.",
                "moduleNames");
        }

        return module;
    }

    /// <summary>The one or two directions of a recurrent layer, each an <see cref="Lstm"/>, <see cref="Gru"/> or <see cref="SimpleRnn"/>.</summary>
    private static (RecurrentLayer Forward, RecurrentLayer? Backward) Directions(ILayer layer)
    {
        if (layer is RecurrentLayer { LayerNorm: true } or Bidirectional { ForwardLayer: RecurrentLayer { LayerNorm: true } } or Bidirectional { BackwardLayer: RecurrentLayer { LayerNorm: true } })
        {
            throw new NotSupportedException(
                $"PyTorchStateDict: layer '{layer.Name}' is layer-normalised, which no torch module computes (nn.LSTM and nn.GRU have no layer normalisation); save the model with ModelFile instead.");
        }

        switch (layer)
        {
            case RecurrentLayer recurrent:
                return (recurrent, null);
            case Bidirectional { Merge: BidirectionalMerge.Sum }:
                throw new NotSupportedException(
                    $"PyTorchStateDict: layer '{layer.Name}' is a Bidirectional with Merge = Sum, which no torch module computes (bidirectional=True concatenates the two directions); use Merge = Concat, or move its directions' weights yourself with ForwardLayer/BackwardLayer's ToPyTorch.");
            case Bidirectional { ForwardLayer: RecurrentLayer f, BackwardLayer: RecurrentLayer b } when Kind(f) == Kind(b) && f.HiddenSize == b.HiddenSize:
                return (f, b);
            case Bidirectional bidirectional:
                throw new NotSupportedException(
                    $"PyTorchStateDict: layer '{layer.Name}' is a Bidirectional over a {bidirectional.ForwardLayer.GetType().Name} and a {bidirectional.BackwardLayer.GetType().Name}; a torch module needs both directions of one kind (LSTM, GRU or RNN) and size.");
            default:
                throw new NotSupportedException(
                    $"PyTorchStateDict: layer '{layer.Name}' is a {layer.GetType().Name}, a recurrent layer with no torch module; only Lstm, Gru and SimpleRnn (and Bidirectional around them) map to nn.LSTM, nn.GRU and nn.RNN.");
        }
    }

    /// <summary>The torch module a recurrent layer is a layer of: <c>LSTM</c>, <c>GRU</c>, <c>RNN (tanh)</c>, <c>RNN (relu)</c>.</summary>
    private static string Kind(RecurrentLayer layer) => layer switch
    {
        Lstm => "LSTM",
        Gru => "GRU",
        SimpleRnn rnn => rnn.Activation == RnnActivation.Relu ? "RNN (relu)" : "RNN (tanh)",
        _ => layer.GetType().Name,
    };

    /// <summary>The forget gate's quarter <c>[H, 2H)</c> of an LSTM bias <c>[4H]</c> (gates i, f, g, o).</summary>
    private static Span<float> ForgetQuarter(Tensor bias, int hidden) => bias.Span.Slice(hidden, hidden);

    /// <summary>Throws, naming every problem in one line, unless <paramref name="stateDict"/> has exactly the plan's keys with the shapes it needs.</summary>
    private static void Check(IReadOnlyList<PyTorchModuleEntry> plan, IReadOnlyDictionary<string, Tensor> stateDict, string source)
    {
        var needed = new List<(string Key, int[] Shape, PyTorchModuleEntry Entry)>();
        foreach (PyTorchModuleEntry entry in plan)
        {
            if (entry.Layer is RecurrentLayer r)
            {
                int gates = r.WeightIh.Value.Dim(0);
                needed.Add((entry.Key("weight_ih"), r.WeightIh.Value.Shape.ToArray(), entry));
                needed.Add((entry.Key("weight_hh"), r.WeightHh.Value.Shape.ToArray(), entry));
                needed.Add((entry.Key("bias_ih"), [gates], entry));
                needed.Add((entry.Key("bias_hh"), [gates], entry));
            }
            else
            {
                needed.AddRange(entry.Layer.Parameters.Select(p => ($"{entry.Module}.{p.Name}", p.Value.Shape.ToArray(), entry)));
            }
        }

        var problems = new List<string>();
        string[] missing = needed.Select(n => n.Key).Where(k => !stateDict.ContainsKey(k)).ToArray();
        string[] unexpected = stateDict.Keys.Where(k => !needed.Exists(n => n.Key == k)).Order(StringComparer.Ordinal).ToArray();
        if (missing.Length > 0)
        {
            problems.Add("missing keys " + List(missing));
        }

        if (unexpected.Length > 0)
        {
            problems.Add("unexpected keys " + List(unexpected));
        }

        foreach (var (key, shape, entry) in needed)
        {
            if (stateDict.TryGetValue(key, out Tensor? value) && !value.HasShape(shape))
            {
                problems.Add($"'{key}' has shape {Tensor.FormatShape(value.Shape)} but layer '{entry.Owner.Name}'{Describe(entry.Layer)} needs {Tensor.FormatShape(shape)}");
            }
        }

        if (problems.Count == 0)
        {
            return;
        }

        string[] theirs = Modules(stateDict.Keys), ours = Modules(needed.Select(n => n.Key));
        string hint = missing.Length > 0 && unexpected.Length > 0 && !theirs.Intersect(ours).Any()
            ? $" Its modules are {string.Join(", ", theirs)}, the model's {string.Join(", ", ours)}: map the model's layers to its module names (moduleNames; recur import --names TORCH=RECUR)."
            : " Build the Recur model with the torch model's layers, sizes and order.";
        throw new InvalidDataException($"{source} does not fit the model: {string.Join("; ", problems)}.{hint}");
    }

    /// <summary>The module names (the part before the first dot) of <paramref name="keys"/>, sorted.</summary>
    private static string[] Modules(IEnumerable<string> keys) =>
        keys.Select(k => k.Split('.')[0]).Distinct().Order(StringComparer.Ordinal).ToArray();

    /// <summary><c>'a', 'b', … and N more</c>, the first ten.</summary>
    private static string List(string[] keys) =>
        string.Join(", ", keys.Take(10).Select(k => $"'{k}'")) + (keys.Length > 10 ? $" and {keys.Length - 10} more" : "");

    /// <summary><c> (LSTM, 28 → 64)</c> for a recurrent direction; nothing for the others.</summary>
    private static string Describe(ILayer layer) =>
        layer is RecurrentLayer r ? $" ({Kind(r)}, {r.InputSize} features → {r.HiddenSize} units)" : "";
}
