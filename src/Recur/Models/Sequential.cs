using System.Collections;
using System.Globalization;
using Recur.Layers;
using Recur.Losses;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Training;

namespace Recur.Models;

/// <summary>
/// A stack of layers, each feeding the next — Keras's <c>Sequential</c>. Add <see cref="LayerConfig"/>s (built lazily,
/// Keras-style, once the input shape is known) or built <see cref="ILayer"/>s, with <c>Add</c> or a collection
/// initializer; <c>Compile</c> it with a loss, an optimizer and metrics; train it with <c>Fit</c> (or
/// <see cref="TrainOnBatch(Tensor, Tensor)"/>), measure it with <c>Evaluate</c>, run it with <see cref="Predict(Tensor, int)"/>, and save it with
/// <c>Save</c> / <c>Load</c>.
/// </summary>
/// <example>
/// <code>
/// var model = new Sequential(seed: 42)
/// {
///     new LstmLayer(128) { InputShape = [28, 28] },   // timesteps × num_input
///     new DenseLayer(10),                             // logits
/// };
/// model.Compile(new CategoricalCrossentropy(fromLogits: true), new Adam(0.001), ["accuracy"]);
/// History history = model.Fit(x, y, batchSize: 128, epochs: 2, validationData: (xTest, yTest));
/// </code>
/// </example>
public sealed partial class Sequential : IEnumerable<ILayer>, ITrainable
{
    private readonly List<Entry> _entries = [];
    private readonly List<ILayer> _layers = [];
    private readonly List<Parameter> _parameters = [];
    private readonly ulong _seed;
    private float? _clipNorm;
    private int[]? _inputShape;
    private Tensor? _batch;
    private SequenceMask? _batchMask; // [b, T]  Evaluate's and Predict's mask of one batch, from lengths
    private Metric[] _metrics = [];       // the compiled metrics other than accuracy, in Metrics order
    private MetricTotal[] _batchTotals = []; // TrainOnBatch's totals, reused from step to step
    private Tensor? _shardX, _shardY;         // a shard's rows, under a GradientReduction with a shard count
    private SequenceMask? _shardMask;

    /// <summary>Creates an empty model named <c>sequential</c> whose layers are initialised from seed 0.</summary>
    public Sequential()
        : this(0)
    {
    }

    /// <summary>Creates an empty model.</summary>
    /// <param name="seed">Seeds the initialisation of layers built from <see cref="LayerConfig"/>s (layer k uses stream k + 1) and the shuffling of <c>Fit</c>.</param>
    /// <param name="name">The model's name, shown by <see cref="Summary"/>.</param>
    public Sequential(ulong seed, string name = "sequential")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        _seed = seed;
        Name = name;
    }

    /// <summary>The model's name.</summary>
    public string Name { get; }

    /// <summary>The seed given to the constructor.</summary>
    public ulong Seed => _seed;

    /// <summary>The built layers, input first (layers from configs appear once the input shape is known).</summary>
    public IReadOnlyList<ILayer> Layers => _layers;

    /// <summary>
    /// Every layer's options record, input first: the <see cref="LayerConfig"/> it was added as, with its assigned name,
    /// or for a layer added built its <see cref="ILayer.Options"/> (null for a layer that has none).
    /// </summary>
    public IReadOnlyList<LayerConfig?> Configs => _entries.Select(e => e.Config).ToArray();

    /// <summary>Every built layer's parameters, in layer order.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>Whether every layer is built (the input shape is known).</summary>
    public bool IsBuilt => _entries.Count > 0 && _entries.TrueForAll(e => e.Layer is not null);

    /// <summary>
    /// The shape of one input example without the batch axis (−1 where any size goes, Keras's None),
    /// or null before it is known.
    /// </summary>
    public IReadOnlyList<int>? InputShape => _inputShape;

    /// <summary>The shape of one output example without the batch axis, or null when unknown.</summary>
    public IReadOnlyList<int>? OutputShape => _entries.Count == 0 ? null : _entries[^1].OutputShape;

    /// <summary>The loss set by <see cref="Compile(ILoss, Optimizer, IEnumerable{string}?, float?)"/>, or null before.</summary>
    public ILoss? Loss { get; private set; }

    /// <summary>The optimizer set by Compile, or null before.</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>
    /// When set, gradients are clipped to this global norm before each optimizer step (Keras's <c>clipnorm</c>),
    /// in <see cref="TrainOnBatch(Tensor, Tensor)"/> and so in <c>Fit</c>; set by Compile, and may be changed between calls.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is not a positive finite number.</exception>
    public float? ClipNorm
    {
        get => _clipNorm;
        set
        {
            if (value is float c && !(c > 0f && float.IsFinite(c)))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, "Sequential: clipNorm must be a positive finite number (e.g. 5), or null for no clipping.");
            }

            _clipNorm = value;
        }
    }

    /// <summary>
    /// The metrics set by Compile, by their Keras names (<c>accuracy</c>, <c>mae</c>, …; see
    /// <see cref="Metric.Names"/>), which <c>Fit</c> and <c>Evaluate</c> report besides the loss.
    /// </summary>
    public IReadOnlyList<string> Metrics { get; private set; } = [];

    /// <summary>
    /// Appends a built layer. Layer names must be unique: they prefix the parameter names in saved weights. Its
    /// <see cref="ILayer.Options"/> give its shapes: the input shape it takes (<c>[-1, I]</c> for a recurrent layer,
    /// which a first layer gives the model) and its output shape; a layer without options runs, but the shapes after it
    /// are unknown and the model cannot be saved.
    /// A recurrent layer (<see cref="IRecurrentLayer"/>) added first skips its input gradient (<see cref="IRecurrentLayer.ComputeInputGradient"/>),
    /// which nothing in the model uses; set it back to true to read <c>dx</c> from <see cref="Backward"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A layer with the same name is already in the model, or the layer cannot take the previous layer's output.</exception>
    public void Add(ILayer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        CheckUniqueName(layer.Name, nameof(layer));
        Append(new Entry(null, layer, layer.Name), layer.Options?.InputShape);
    }

    /// <summary>
    /// Appends a layer described by <paramref name="config"/> (Keras's <c>model.add(LSTM(128, input_shape=(28, 28)))</c>).
    /// It gets a unique name when it has none (<c>lstm</c>, <c>lstm_1</c>, ..., counted within this model) and is
    /// built as soon as its input shape is known: at once when the first layer gave <see cref="LayerConfig.InputShape"/>,
    /// otherwise by <see cref="Build"/> or the first call that sees data.
    /// </summary>
    /// <exception cref="ArgumentException">The name is taken, an InputShape disagrees with the previous layer's output, or the layer cannot take its input shape.</exception>
    public void Add(LayerConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        string name = config.Name ?? UniqueName(config.BaseName);
        CheckUniqueName(name, nameof(config));
        config = config with { Name = name };
        Append(new Entry(config, null, name), config.InputShape);
    }

    /// <summary>Adds <paramref name="entry"/>, a first one giving the model <paramref name="inputShape"/>, and builds and checks what it can; undoes it on an error.</summary>
    private void Append(Entry entry, int[]? inputShape)
    {
        bool first = _entries.Count == 0;
        if (first && inputShape is not null)
        {
            CheckInputShape(inputShape, entry.Name);
            _inputShape = (int[])inputShape.Clone();
        }

        _entries.Add(entry);
        try
        {
            Propagate();
        }
        catch
        {
            _entries.RemoveAt(_entries.Count - 1);
            if (first)
            {
                _inputShape = null;
            }

            throw;
        }
    }

    /// <summary>
    /// Builds every layer not built yet for examples of shape <paramref name="inputShape"/> (without the batch axis,
    /// e.g. <c>[28, 28]</c>) — Keras's <c>model.build((None, 28, 28))</c>.
    /// </summary>
    /// <exception cref="ArgumentException">The model already has another input shape, or a layer cannot take its input.</exception>
    public void Build(params int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        CheckInputShape(inputShape, "the model");
        if (_inputShape is not null)
        {
            if (!ShapeMatches(inputShape, _inputShape))
            {
                throw new ArgumentException(
                    $"Sequential: the model's input shape is {LayerConfig.FormatShape(_inputShape)}; it cannot be built for {LayerConfig.FormatShape(inputShape)}.", nameof(inputShape));
            }

            return;
        }

        _inputShape = (int[])inputShape.Clone();
        Propagate();
    }

    /// <summary>Sets the loss, the optimizer, the metrics and optional gradient clipping by global norm.</summary>
    /// <param name="loss">The loss object (see <see cref="Losses.Loss.FromName"/> for Keras's names).</param>
    /// <param name="optimizer">The optimizer; its state is saved with the model.</param>
    /// <param name="metrics">
    /// Metrics reported besides the loss, by Keras's names: <c>accuracy</c> (or <c>acc</c>: arg-max accuracy for the
    /// cross-entropies, binary accuracy for <c>binary_crossentropy</c>), <c>categorical_accuracy</c>,
    /// <c>sparse_categorical_accuracy</c>, <c>binary_accuracy</c>, <c>top_k_categorical_accuracy</c>, <c>mae</c>,
    /// <c>mse</c>, <c>rmse</c> (all of <see cref="Metric.Names"/>); or none.
    /// </param>
    /// <param name="clipNorm">When set, the global gradient norm is clipped to it before each step.</param>
    /// <exception cref="ArgumentException">An unknown metric (the message lists the known ones), or one that does not fit the loss (accuracy with a loss that is not a classification loss, a sparse metric with one-hot targets, …).</exception>
    public void Compile(ILoss loss, Optimizer optimizer, IEnumerable<string>? metrics = null, float? clipNorm = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        var list = new List<string>();
        var objects = new List<Metric>();
        foreach (string m in metrics ?? [])
        {
            string name = m is "acc" ? "accuracy" : m;
            if (list.Contains(name))
            {
                continue;
            }

            if (name == "accuracy")
            {
                if (!loss.IsClassification)
                {
                    throw new ArgumentException($"Sequential.Compile: metric \"accuracy\" needs a classification loss, and {loss.Name} is not one; drop the metric.", nameof(metrics));
                }
            }
            else
            {
                objects.Add(Metric.TryFromName(name, loss, out Metric? metric) is string error
                    ? throw new ArgumentException($"Sequential.Compile: {error}.", nameof(metrics))
                    : metric!);
            }

            list.Add(name);
        }

        ClipNorm = clipNorm; // validates first
        Loss = loss;
        Optimizer = optimizer;
        Metrics = list;
        _metrics = [.. objects];
        _batchTotals = new MetricTotal[_metrics.Length];
        OptimizerStateMissing = false;
    }

    /// <summary>
    /// True for a model loaded (<see cref="ModelFile.Load(string)"/>) from a directory that has its training settings but
    /// not its optimizer state (<c>optimizer.safetensors</c>, which inference does not need): it is compiled with the
    /// saved loss and optimizer, but the optimizer starts from nothing, so training would not continue the saved run.
    /// <c>Fit</c> then refuses to resume (an <c>initialEpoch</c> above 0); it may still train from epoch 0, and
    /// <c>Compile</c> clears the flag.
    /// </summary>
    public bool OptimizerStateMissing { get; internal set; }

    /// <summary>Throws when <paramref name="initialEpoch"/> asks to resume a model whose optimizer state was not loaded.</summary>
    /// <exception cref="InvalidOperationException">The model cannot resume; the message says why and what to do.</exception>
    internal void CheckCanResume(int initialEpoch)
    {
        if (initialEpoch > 0 && OptimizerStateMissing)
        {
            throw new InvalidOperationException(
                $"Sequential.Fit: cannot resume at epoch {initialEpoch}: the model was loaded without its optimizer state ({ModelFile.OptimizerFileName} was not in its directory), " +
                "so training would not continue the saved run. Load a directory that has it, or train from epoch 0 (Compile again to choose a new optimizer).");
        }
    }

    /// <summary>Compile with a loss given by its Keras name (<c>categorical_crossentropy</c>, <c>sparse_categorical_crossentropy</c>, <c>mse</c>), from probabilities as Keras's string losses are.</summary>
    /// <exception cref="ArgumentException">The loss name is unknown.</exception>
    public void Compile(string loss, Optimizer optimizer, IEnumerable<string>? metrics = null, float? clipNorm = null) =>
        Compile(Losses.Loss.FromName(loss), optimizer, metrics, clipNorm);

    /// <summary>Compile with the loss and the optimizer given by their Keras names (<c>model.compile(loss="mse", optimizer="adam")</c>; see <see cref="Optimizer.FromName"/>).</summary>
    /// <exception cref="ArgumentException">A name is unknown.</exception>
    public void Compile(string loss, string optimizer, IEnumerable<string>? metrics = null, float? clipNorm = null) =>
        Compile(Losses.Loss.FromName(loss), Optimizers.Optimizer.FromName(optimizer), metrics, clipNorm);

    /// <summary>
    /// Runs every layer in order. <c>x</c>: the first layer's input (e.g. <c>[B, T, I]</c>) → the last
    /// layer's output (e.g. logits <c>[B, C]</c>), a buffer owned by that layer.
    /// </summary>
    /// <param name="x">The input batch.</param>
    /// <param name="training">True when <see cref="Backward"/> will follow.</param>
    public Tensor Forward(Tensor x, bool training = false) => Forward(x, null, training);

    /// <summary>
    /// Runs every layer in order with a sequence mask: <c>x [B, T, …]</c> and <paramref name="mask"/> <c>[B, T]</c>
    /// (null: every step valid; <see cref="SequenceMask.FromLengths"/> gives PyTorch's lengths). The mask travels
    /// through the layers that take part in masking (<see cref="IMaskedLayer"/>), joined by the masks that
    /// <c>Masking</c> and <c>Embedding(maskZero: true)</c> make; the output's mask is <see cref="OutputMask"/>.
    /// </summary>
    /// <exception cref="ArgumentException">The mask's shape is not <c>[B, T]</c> of x.</exception>
    public Tensor Forward(Tensor x, SequenceMask? mask, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        RequireLayers();
        EnsureBuilt(x);
        if (mask is not null && (x.Rank < 2 || mask.Batch != x.Dim(0) || mask.Steps != x.Dim(1)))
        {
            throw new ArgumentException(
                $"Sequential: the mask is [{mask.Batch}, {mask.Steps}] but x has shape {Tensor.FormatShape(x.Shape)}; give one mask entry per sequence and step, [batch, steps].",
                nameof(mask));
        }

        Tensor y = x;
        foreach (ILayer layer in _layers)
        {
            if (layer is IMaskedLayer masked)
            {
                masked.InputMask = mask;
                y = layer.Forward(y, training);
                mask = masked.OutputMask;
            }
            else
            {
                y = layer.Forward(y, training);
                mask = null;
            }
        }

        OutputMask = mask;
        return y;
    }

    /// <summary>
    /// The mask of the last <see cref="Forward(Tensor, SequenceMask?, bool)"/>'s output: <c>[B, T]</c> when the model
    /// returns a masked sequence <c>[B, T, ·]</c> (what a per-step loss skips), else null.
    /// </summary>
    public SequenceMask? OutputMask { get; private set; }

    /// <summary>Back-propagates <c>dy</c> (shaped like the last output) through every layer; returns <c>dx</c>.</summary>
    public Tensor Backward(Tensor dy)
    {
        ArgumentNullException.ThrowIfNull(dy);
        RequireLayers();
        Tensor g = dy;
        for (int i = _layers.Count - 1; i >= 0; i--)
        {
            g = _layers[i].Backward(g);
        }

        return g;
    }

    /// <summary>
    /// One optimization step on a batch: zero gradients, forward, loss, backward, clip, update.
    /// <c>x [B, …]</c>, <c>y</c> targets as the loss takes them (one-hot <c>[B, C]</c> or class indices <c>[B]</c> for
    /// classification; per step <c>[B, T, C]</c> or <c>[B, T]</c>). The loss and metrics skip the steps the output's
    /// mask (<see cref="OutputMask"/>) masks.
    /// </summary>
    /// <returns>
    /// The batch's loss, accuracy and other metrics (<see cref="BatchResult.Metrics"/>, a buffer the next call
    /// reuses), measured before the update (as Keras reports them).
    /// </returns>
    /// <exception cref="DivergenceException">The loss or the gradients are NaN or infinite; the weights are left as they were before this step.</exception>
    public BatchResult TrainOnBatch(Tensor x, Tensor y) => TrainOnBatch(x, y, null);

    /// <summary>
    /// One optimization step on a batch of sequences under <paramref name="mask"/> <c>[B, T]</c> (null: every step
    /// valid; <see cref="SequenceMask.FromLengths"/> for PyTorch's lengths): the recurrent layers run each sequence's
    /// valid steps only, and a per-step loss skips the masked steps. Otherwise as <see cref="TrainOnBatch(Tensor, Tensor)"/>.
    /// </summary>
    /// <exception cref="DivergenceException">The loss or the gradients are NaN or infinite; the weights are left as they were before this step.</exception>
    public BatchResult TrainOnBatch(Tensor x, Tensor y, SequenceMask? mask) => TrainOnBatch(x, y, mask, null);

    /// <summary>
    /// One step of data-parallel training on this process's shard <c>x [b, …]</c>, <c>y</c>, <paramref name="mask"/>
    /// <c>[b, T]</c> of a batch: as <see cref="TrainOnBatch(Tensor, Tensor, SequenceMask?)"/>, with the gradients, loss
    /// and metrics summed over the group by <paramref name="reduction"/> between the backward pass and clipping, so every
    /// process takes the same step (<see cref="Trainer.Replicas"/> runs it). A reduction made with a shard count (no
    /// group) takes the whole batch instead and runs each of its shards in turn (<see cref="Trainer.GradientShards"/>).
    /// </summary>
    /// <exception cref="DivergenceException">The loss or the gradients are NaN or infinite; the weights are left as they were before this step.</exception>
    public BatchResult TrainOnBatch(Tensor x, Tensor y, SequenceMask? mask, GradientReduction? reduction)
    {
        (ILoss loss, Optimizer optimizer) = RequireCompiled();
        if (reduction is { Group: null })
        {
            return TrainOnShards(x, y, mask, reduction, loss, optimizer);
        }

        (float value, float accuracy, int units) = ForwardBackward(x, y, mask, loss, optimizer);
        if (reduction is not null)
        {
            (value, accuracy) = reduction.Reduce(_parameters, value, accuracy, _batchTotals, units);
        }

        return ClipAndStep(value, accuracy, optimizer);
    }

    /// <summary>
    /// The step of a reduction made with a shard count: forward and backward on each shard of the batch in turn
    /// (<see cref="DataParallel.Shard"/>), each added to the reduction, then the step on their sum, as that many
    /// processes take it.
    /// </summary>
    private BatchResult TrainOnShards(Tensor x, Tensor y, SequenceMask? mask, GradientReduction reduction, ILoss loss, Optimizer optimizer)
    {
        CheckSameCount(x, y);
        bool noAccuracy = false;
        for (int s = 0; s < reduction.Shards; s++)
        {
            (int start, int count) = DataParallel.Shard(x.Dim(0), s, reduction.Shards);
            SequenceMask? shardMask = null;
            if (mask is not null)
            {
                mask.CopyRows(start, count, shardMask = _shardMask ??= new SequenceMask(count, mask.Steps));
            }

            (float value, float accuracy, int units) = ForwardBackward(
                Buffers.Rows(x, start, count, ref _shardX), Buffers.Rows(y, start, count, ref _shardY), shardMask, loss, optimizer);
            noAccuracy = float.IsNaN(accuracy);
            reduction.AddShard(s, _parameters, value, accuracy, _batchTotals, units);
        }

        (float sumValue, float sumAccuracy) = reduction.Finish(_parameters, _batchTotals, noAccuracy);
        return ClipAndStep(sumValue, sumAccuracy, optimizer);
    }

    /// <summary>Zeroes the gradients, runs forward, the loss, the metrics and backward: the batch's mean loss, accuracy and units.</summary>
    private (float Loss, float Accuracy, int Units) ForwardBackward(Tensor x, Tensor y, SequenceMask? mask, ILoss loss, Optimizer optimizer)
    {
        optimizer.ZeroGrad(_parameters);
        Tensor predictions = Forward(x, mask, training: true);
        mask = OutputMask;
        float value = loss.Forward(predictions, y, mask);
        float accuracy = loss.IsClassification ? Losses.Loss.Accuracy(loss, predictions, y, mask) : float.NaN;
        for (int i = 0; i < _metrics.Length; i++)
        {
            _batchTotals[i] = _metrics[i].Measure(predictions, y, mask);
        }

        Backward(loss.Gradient);
        return (value, accuracy, Losses.Loss.CountValid(mask, predictions.Dim(0)));
    }

    /// <summary>Clipping, the divergence check and the optimizer step on the gradients in the parameters.</summary>
    private BatchResult ClipAndStep(float value, float accuracy, Optimizer optimizer)
    {
        float norm = ClipNorm is float max
            ? GradientClipping.ClipByGlobalNorm(_parameters, max)
            : GlobalNorm(_parameters);
        if (!float.IsFinite(value) || !float.IsFinite(norm))
        {
            throw new DivergenceException(
                $"Sequential: the loss is {value} and the gradient norm {norm}; the model has diverged (lower the learning rate or clip gradients).");
        }

        optimizer.Step(_parameters);
        return new BatchResult(value, accuracy, norm) { Metrics = _batchTotals };
    }

    /// <summary>
    /// Loss, accuracy and the other compiled metrics of the model on <c>x</c>, <c>y</c> without changing it, in batches
    /// of <paramref name="batchSize"/>: the loss and accuracy are the means of the batches' weighted by their sizes, each
    /// other metric its value over every row (<see cref="BatchResult.Metrics"/>, a new list).
    /// </summary>
    public BatchResult Evaluate(Tensor x, Tensor y, int batchSize = 1000) => Evaluate(x, y, batchSize, null);

    /// <summary>
    /// Loss and metrics on sequences <c>x [N, T, …]</c> padded at the end to T steps, sequence i having
    /// <paramref name="lengths"/>[i] valid steps (PyTorch's lengths; null: all T).
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A length is below 1 or above T, or there is not one per sequence; <paramref name="x"/> has no rows; an input or
    /// target is NaN or infinite (named by its index).
    /// </exception>
    public BatchResult Evaluate(Tensor x, Tensor y, int batchSize, int[]? lengths)
    {
        (ILoss loss, _) = RequireCompiled();
        CheckSameCount(x, y);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        CheckData(x, y, "Sequential.Evaluate");
        if (lengths is not null)
        {
            TensorBatches.CheckLengths(lengths, x, "Sequential.Evaluate");
        }

        double lossSum = 0, hits = 0;
        var totals = new MetricTotal[_metrics.Length];
        for (int i = 0; i < totals.Length; i++)
        {
            totals[i] = new MetricTotal(_metrics[i], 0, 0);
        }

        int n = x.Dim(0);
        for (int start = 0; start < n; start += batchSize)
        {
            int count = Math.Min(batchSize, n - start);
            Tensor predictions = Forward(Rows(x, start, count, ref _batch), BatchMask(lengths, start, count, x));
            Tensor targets = Rows(y, start, count);
            SequenceMask? mask = OutputMask;
            lossSum += (double)loss.Forward(predictions, targets, mask) * count;
            if (loss.IsClassification)
            {
                hits += (double)Losses.Loss.Accuracy(loss, predictions, targets, mask) * count;
            }

            for (int i = 0; i < totals.Length; i++)
            {
                totals[i] = totals[i].Add(_metrics[i].Measure(predictions, targets, mask));
            }
        }

        return new BatchResult((float)(lossSum / n), loss.IsClassification ? (float)(hits / n) : float.NaN, float.NaN) { Metrics = totals };
    }

    /// <summary>
    /// The model's output for every row of <c>x [N, …]</c>, computed in batches of
    /// <paramref name="batchSize"/>: a new tensor <c>[N, …]</c> (logits for a classifier ending in Dense).
    /// </summary>
    public Tensor Predict(Tensor x, int batchSize = 1000) => Predict(x, batchSize, null);

    /// <summary>
    /// The model's output for sequences <c>x [N, T, …]</c> padded at the end to T steps, sequence i having
    /// <paramref name="lengths"/>[i] valid steps (PyTorch's lengths; null: all T): a new tensor <c>[N, …]</c>. A model
    /// ending in a recurrent layer's last output gives each sequence's output after its last valid step.
    /// </summary>
    /// <exception cref="ArgumentException">
    /// A length is below 1 or above T, or there is not one per sequence; <paramref name="x"/> has no rows or holds a NaN
    /// or infinite value (named by its index).
    /// </exception>
    /// <exception cref="DivergenceException"><see cref="CheckFinitePredictions"/> is set and an output is NaN or infinite.</exception>
    public Tensor Predict(Tensor x, int batchSize, int[]? lengths)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        CheckInputShape(x, "Sequential.Predict", "x");
        CheckFinite(x, "Sequential.Predict", "x", "inputs must be finite: replace missing values first (e.g. np.nan_to_num)");
        if (lengths is not null)
        {
            TensorBatches.CheckLengths(lengths, x, "Sequential.Predict");
        }

        int n = x.Dim(0);
        Tensor? result = null;
        for (int start = 0; start < n; start += batchSize)
        {
            int count = Math.Min(batchSize, n - start);
            Tensor output = Forward(Rows(x, start, count, ref _batch), BatchMask(lengths, start, count, x));
            if (result is null)
            {
                int[] shape = output.Shape.ToArray();
                shape[0] = n;
                result = new Tensor(shape);
            }

            int row = output.Length / count;
            output.Span.CopyTo(result.Span.Slice(start * row, count * row));
        }

        if (result is null)
        {
            throw new ArgumentException($"Sequential.Predict: x has no rows (shape {Tensor.FormatShape(x.Shape)}); give at least one example.", nameof(x));
        }

        if (CheckFinitePredictions && FirstNonFinite(result.Span) is var bad and >= 0)
        {
            throw new DivergenceException(NotFinite(result, bad, "Sequential.Predict", "output",
                "the inputs are finite, so the weights make it: check them (a model trained with a too high learning rate, or edited weights)"));
        }

        return result;
    }

    /// <summary>Returns an enumerator over the layers (for collection initializers).</summary>
    public IEnumerator<ILayer> GetEnumerator() => _layers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>The mask of sequences <c>[start, start + count)</c> of <paramref name="x"/> from <paramref name="lengths"/> (null for none), in a reused buffer.</summary>
    private SequenceMask? BatchMask(int[]? lengths, int start, int count, Tensor x)
    {
        if (lengths is null)
        {
            return null;
        }

        _batchMask ??= new SequenceMask(count, x.Dim(1));
        _batchMask.SetLengths(lengths.AsSpan(start, count), x.Dim(1));
        return _batchMask;
    }

    /// <summary>Rows <c>[start, start + count)</c> of <c>x</c>: <c>x</c> itself when that is all of it, else a copy in <paramref name="buffer"/>.</summary>
    internal static Tensor Rows(Tensor x, int start, int count, ref Tensor? buffer) => Buffers.Rows(x, start, count, ref buffer);

    private static Tensor Rows(Tensor x, int start, int count)
    {
        Tensor? buffer = null;
        return Rows(x, start, count, ref buffer);
    }

    private static float GlobalNorm(IReadOnlyList<Parameter> parameters)
    {
        double sum = 0;
        foreach (Parameter p in parameters)
        {
            ReadOnlySpan<float> g = p.Grad.Span;
            sum += System.Numerics.Tensors.TensorPrimitives.Dot(g, g);
        }

        return (float)Math.Sqrt(sum);
    }

    private static void CheckSameCount(Tensor x, Tensor y)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        if (x.Dim(0) != y.Dim(0))
        {
            throw new ArgumentException(
                $"Sequential: x has {x.Dim(0)} rows ({Tensor.FormatShape(x.Shape)}) but y has {y.Dim(0)} ({Tensor.FormatShape(y.Shape)}); give one target per input.", nameof(y));
        }
    }

    /// <summary>Builds the model for <c>x</c>'s example shape if needed, then checks that <c>x [B, …]</c> fits the input shape.</summary>
    private void EnsureBuilt(Tensor x) => EnsureBuilt(x, "Sequential", "x");

    /// <summary>
    /// Checks a whole array handed to <c>Fit</c>, <c>Evaluate</c> or <c>Predict</c> against a built model's input shape
    /// before it is cut into batches, so a mismatch is reported with the array's shape and name, not a batch's.
    /// A model not yet built is built by its first batch, as before.
    /// </summary>
    private void CheckInputShape(Tensor x, string caller, string name)
    {
        if (_inputShape is not null)
        {
            EnsureBuilt(x, caller, name);
            return;
        }

        // Built layers added without an input shape: the first one's options say what it reads ([-1, I] for a recurrent layer).
        if (IsBuilt && _layers.Count > 0 && _layers[0].Options?.InputShape is int[] first
            && (x.Rank != first.Length + 1 || !ShapeMatches(x.Shape[1..], first)))
        {
            throw new ArgumentException(
                $"{caller}: {name} has shape {Tensor.FormatShape(x.Shape)}, but the model's first layer '{_layers[0].Name}' takes {LayerConfig.FormatShape(first)} (batch first); reshape the data or change the first layer.",
                name);
        }
    }

    private void EnsureBuilt(Tensor x, string caller, string name)
    {
        if (_inputShape is null)
        {
            if (IsBuilt)
            {
                return; // built layers added without a known input shape: each checks its own input
            }

            Build(x.Shape[1..].ToArray());
        }

        if (x.Rank != _inputShape!.Length + 1 || !ShapeMatches(x.Shape[1..], _inputShape))
        {
            throw new ArgumentException(
                $"{caller}: {name} has shape {Tensor.FormatShape(x.Shape)}, but the model takes {LayerConfig.FormatShape(_inputShape)} (batch first); reshape the data (e.g. MNIST rows: [N, 28, 28]) or change the first layer's InputShape.",
                name);
        }
    }

    /// <summary>Whether <paramref name="shape"/> fits <paramref name="pattern"/> (−1 in the pattern takes any size).</summary>
    private static bool ShapeMatches(ReadOnlySpan<int> shape, int[] pattern)
    {
        if (shape.Length != pattern.Length)
        {
            return false;
        }

        for (int i = 0; i < shape.Length; i++)
        {
            if (pattern[i] >= 0 && shape[i] != pattern[i])
            {
                return false;
            }
        }

        return true;
    }

    private static void CheckInputShape(int[] shape, string what)
    {
        if (shape.Length == 0 || Array.Exists(shape, d => d == 0 || d < -1))
        {
            throw new ArgumentException(
                $"Sequential: the input shape {LayerConfig.FormatShape(shape)} of {what} is not valid; give the size of each axis of one example, e.g. [28, 28] "
                + "(−1, Keras's None, lets an axis take any size, e.g. [-1, 28] for sequences of any length, or [-1] for token ids; each layer says which axes it needs known).");
        }
    }

    private void CheckUniqueName(string name, string argument)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name, argument);
        if (_entries.Exists(e => e.Name == name))
        {
            throw new ArgumentException(
                $"Sequential: a layer named '{name}' is already in the model; give the new one another name (e.g. name: \"{name}_1\").", argument);
        }
    }

    /// <summary>Keras's automatic name: <c>stem</c>, then <c>stem_1</c>, <c>stem_2</c>, ... (per model).</summary>
    private string UniqueName(string stem)
    {
        string name = stem;
        for (int k = 1; _entries.Exists(e => e.Name == name); k++)
        {
            name = string.Create(CultureInfo.InvariantCulture, $"{stem}_{k}");
        }

        return name;
    }

    /// <summary>
    /// Walks the layers from the input through their records, building those not built yet and computing output
    /// shapes as far as the shapes are known. A record that gives its own InputShape (a built layer's options) is
    /// checked against the shape before it, and restarts the shapes where they were unknown; one that can be built
    /// alone (a Dense of known input size) is built even so.
    /// </summary>
    private void Propagate()
    {
        int[]? shape = _inputShape;
        for (int k = 0; k < _entries.Count; k++)
        {
            Entry e = _entries[k];
            LayerConfig? config = e.Config;
            if (config is null)
            {
                e.OutputShape = shape = null; // a built layer without options: what it outputs is unknown
                continue;
            }

            if (shape is not null && config.InputShape is { } own && !ShapeMatches(shape, own))
            {
                throw LayerConfig.ShapeError(e.Name, config.ClassName, shape, LayerConfig.FormatShape(own));
            }

            shape ??= config.InputShape;
            if (e.Layer is null && (shape ?? config.StandaloneInputShape) is { } build)
            {
                e.Layer = config.Build(build, new Rng(_seed, (ulong)k + 1));
            }

            e.OutputShape = shape = shape is null ? null : config.OutputShape(shape);
        }

        _layers.Clear();
        _parameters.Clear();
        foreach (Entry e in _entries)
        {
            if (e.Layer is null)
            {
                break;
            }

            _layers.Add(e.Layer);
            _parameters.AddRange(e.Layer.Parameters);
        }

        if (_layers.Count > 0 && _layers[0] is IRecurrentLayer first)
        {
            first.ComputeInputGradient = false; // nothing consumes the gradient of the model's input
        }
    }

    /// <summary>
    /// One layer as added: the config it was added as (null when added built), the engine layer once built, and the
    /// output shape once known.
    /// </summary>
    private sealed class Entry(LayerConfig? added, ILayer? layer, string name)
    {
        /// <summary>The layer's record: the one it was added as, or a built layer's current options.</summary>
        public LayerConfig? Config => added ?? Layer?.Options;

        public ILayer? Layer { get; set; } = layer;

        public string Name { get; } = name;

        public int[]? OutputShape { get; set; }
    }

    private void RequireLayers()
    {
        if (_entries.Count == 0)
        {
            throw new InvalidOperationException("Sequential: the model has no layers; Add at least one.");
        }
    }

    private (ILoss, Optimizer) RequireCompiled() =>
        Loss is { } loss && Optimizer is { } optimizer
            ? (loss, optimizer)
            : throw new InvalidOperationException("Sequential: call Compile(loss, optimizer) before training or evaluating.");
}
