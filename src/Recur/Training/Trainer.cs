using System.Globalization;
using System.Text.Json.Nodes;
using Recur.Losses;
using Recur.Optimizers;
using Recur.Tensors;

namespace Recur.Training;

/// <summary>
/// The training loop, the one <c>Sequential.Fit</c> and <c>recur train</c> both run: batches from an
/// <see cref="IBatchSource"/>, one <see cref="ITrainable.TrainOnBatch(Tensor, Tensor, SequenceMask?)"/> per step, validation every epoch or every N
/// steps, and <see cref="Callback"/>s around each step for everything else (learning-rate schedules, logs, progress,
/// checkpoints, early stopping, divergence). It stops after <see cref="Epochs"/> epochs or <see cref="Steps"/> steps,
/// whichever comes first, or when a callback sets <see cref="ITrainable.StopTraining"/>.
/// </summary>
/// <remarks>
/// <para>Per step: <see cref="Callback.OnBatchBegin"/> (a schedule sets the learning rate here), the next batch, the
/// optimisation step, the running means of the epoch into the logs, a validation when one is due, then
/// <see cref="Callback.OnBatchEnd"/>. After an epoch's last batch: a validation (when validating per epoch), <c>lr</c>
/// (the rate at the epoch's start, as Keras logs it), <see cref="ITrainable.Epoch"/> advanced, then
/// <see cref="Callback.OnEpochEnd"/>.</para>
/// <para><see cref="CaptureState"/> holds everything the rest of a run depends on besides the model's weights and
/// optimizer state: the position (step, epoch, batch), the epoch's running sums, the data source's position and
/// shuffling state, every generator the model draws dropout masks from, and each callback's own state. A run given
/// that state back (<see cref="Run"/>'s <c>resume</c>, or a callback's <see cref="Callback.ResumeState"/>) with the
/// model restored continues bit for bit as if it had never stopped.</para>
/// </remarks>
public sealed class Trainer
{
    private const string StateFormat = "recur.trainer";
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;
    private readonly List<Callback> _callbacks;
    private List<Callback> _active; // the callbacks this process runs: all, or under Replicas on a rank other than 0 those OnEveryReplica
    private GradientReduction? _reduction;
    private Tensor? _shardX, _shardY;  // this process's rows of the batch, under Replicas
    private SequenceMask? _shardMask;
    private readonly Dictionary<string, double> _logs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, double> _validation = new(StringComparer.Ordinal);
    private readonly List<MetricTotal> _metricSums = []; // the epoch's totals of the metrics other than accuracy
    private readonly Dictionary<string, (double Sum, double Count)> _restoredSums = new(StringComparer.Ordinal); // by name, until the next step
    private double _lossSum, _hitSum, _epochLearningRate;
    private int _seen;
    private bool _inBatchEnd; // between a batch's OnBatchEnd calls

    /// <summary>Creates the loop.</summary>
    /// <param name="model">The model to train; compiled.</param>
    /// <param name="data">The training batches.</param>
    /// <param name="callbacks">Called in order, before the <see cref="History"/> the loop adds last.</param>
    public Trainer(ITrainable model, IBatchSource data, IEnumerable<Callback>? callbacks = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        Model = model;
        Data = data;
        History = new History();
        _callbacks = [.. callbacks ?? [], History];
        _active = _callbacks;
    }

    /// <summary>The model.</summary>
    public ITrainable Model { get; }

    /// <summary>The training batches.</summary>
    public IBatchSource Data { get; }

    /// <summary>The callbacks, in the order they are called; the last is <see cref="History"/>.</summary>
    public IReadOnlyList<Callback> Callbacks => _callbacks;

    /// <summary>The per-epoch logs of the run (the last callback).</summary>
    public History History { get; }

    /// <summary>Stop after this epoch (Keras's <c>epochs</c>: the epoch count to reach, counting any before a resume); null for no limit.</summary>
    public int? Epochs { get; init; }

    /// <summary>Stop after this many steps in all (counting any before a resume); null for no limit.</summary>
    public int? Steps { get; init; }

    /// <summary>Validation inputs and targets, measured with <see cref="ITrainable.Evaluate(Tensor, Tensor, int, int[])"/>; null for none.</summary>
    public (Tensor X, Tensor Y)? ValidationData { get; init; }

    /// <summary>
    /// The length of each validation sequence (PyTorch's <c>pack_padded_sequence</c> lengths, each in [1, T]), or null
    /// when every sequence is of full length.
    /// </summary>
    public int[]? ValidationLengths { get; init; }

    /// <summary>Validate every this many steps and at the last step; null to validate at the end of every epoch.</summary>
    public int? ValidationFrequency { get; init; }

    /// <summary>The batch size of validation.</summary>
    public int ValidationBatchSize { get; init; } = 1000;

    /// <summary>
    /// The processes of a data-parallel run, or null to train alone (the default). With a group of N: every process
    /// reads the same batches (the global batch and the data order do not depend on N) and takes its shard of each
    /// (<see cref="DataParallel.Shard"/>); the shards' gradients are summed by one allreduce per step
    /// (<see cref="GradientReduction"/>) and every process takes the same optimizer step; validation is split across the
    /// processes and summed. At the start every process takes rank 0's weights, optimizer state and resume state (only
    /// rank 0 needs a checkpoint to resume from, and any N may resume it), after checking that every process runs the
    /// same data, loop and callbacks. On ranks other than 0 only the callbacks <see cref="Callback.OnEveryReplica"/> run
    /// (schedules, early stopping), so logs, progress and checkpoints are rank 0's alone.
    /// </summary>
    public IReplicaGroup? Replicas { get; init; }

    /// <summary>
    /// Forms each step's gradient on this one process as this many shards of the batch, one after the other, added in
    /// rank order (<see cref="GradientReduction(int)"/>): the gradient a data-parallel run of that many processes
    /// (<see cref="Replicas"/>) forms, so the two give the same weights bit for bit, on any thread count. Null or 1: the
    /// whole batch at once (the default, a little faster; its sums differ from N shards' in rounding). Not with a
    /// <see cref="Replicas"/> group of more than one process, where each process is one shard.
    /// </summary>
    public int? GradientShards { get; init; }

    /// <summary>0 silent, 1 progress bar, 2 one line per epoch: what <see cref="FitParameters.Verbose"/> tells the callbacks.</summary>
    public int Verbose { get; init; }

    /// <summary>Optimisation steps completed, counting any before a resume.</summary>
    public int Step { get; private set; }

    /// <summary>The epoch in progress (0-based), or the next one between epochs.</summary>
    public int Epoch { get; private set; }

    /// <summary>Batches completed in <see cref="Epoch"/>.</summary>
    public int BatchInEpoch { get; private set; }

    /// <summary>The last step's own loss, accuracy and gradient norm (the logs hold the epoch's running means).</summary>
    public BatchResult LastBatch { get; private set; }

    /// <summary>Whether this run continues a saved one.</summary>
    public bool Resumed { get; private set; }

    /// <summary>The step count at which the loop stops when no callback stops it earlier, or null when only epochs bound it.</summary>
    public int? TotalSteps => Steps is int s ? Epochs is int e ? Math.Min(s, e * Data.StepsPerEpoch) : s : Epochs * Data.StepsPerEpoch;

    /// <summary>The metrics of the last validation (<c>val_loss</c>, <c>val_accuracy</c>), empty before the first.</summary>
    public IReadOnlyDictionary<string, double> LastValidation => _validation;

    /// <summary>Runs the loop to the end.</summary>
    /// <param name="initialEpoch">The epoch to start at (Keras's <c>initial_epoch</c>), when not resuming from a saved state.</param>
    /// <param name="resume">A state from <see cref="CaptureState"/> to continue from, with the model already restored; or null.</param>
    /// <returns>The per-epoch logs.</returns>
    /// <exception cref="InvalidOperationException">The model is not compiled, or neither <see cref="Epochs"/> nor <see cref="Steps"/> is set.</exception>
    /// <exception cref="InvalidDataException">The saved state does not fit this model, data or callbacks.</exception>
    /// <exception cref="DivergenceException">A batch's loss or gradients were not finite and no callback handled it.</exception>
    public History Run(int initialEpoch = 0, JsonObject? resume = null)
    {
        Optimizer optimizer = Model.Optimizer ?? throw new InvalidOperationException("Trainer: the model is not compiled; call Compile(loss, optimizer) first.");
        if (Epochs is null && Steps is null)
        {
            throw new InvalidOperationException("Trainer: set Epochs or Steps, or both; the loop needs to know when to stop.");
        }

        ArgumentOutOfRangeException.ThrowIfNegative(initialEpoch);
        if (ValidationFrequency is int f)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(f, 1, nameof(ValidationFrequency));
        }

        int stepsPerEpoch = Data.StepsPerEpoch;
        var parameters = new FitParameters(
            Epochs ?? (Steps!.Value + stepsPerEpoch - 1) / stepsPerEpoch, stepsPerEpoch, Data.Count, Verbose, ValidationData is not null);
        foreach (Callback c in _callbacks)
        {
            (c.Model, c.Params, c.Trainer) = (Model, parameters, this);
        }

        bool parallel = Replicas is { Size: > 1 };
        _active = parallel && Replicas!.Rank != 0 ? _callbacks.Where(c => c.OnEveryReplica).ToList() : _callbacks;
        if (GradientShards is int shards && (shards < 1 || (parallel && shards > 1)))
        {
            throw new ArgumentException(shards < 1
                ? string.Create(Inv, $"Trainer: GradientShards must be at least 1, not {shards}.")
                : string.Create(Inv, $"Trainer: GradientShards {shards} with {Replicas!.Size} replicas; in a data-parallel run each process is one shard, so leave GradientShards unset."), nameof(GradientShards));
        }

        _reduction = parallel ? new GradientReduction(Replicas!) : GradientShards is > 1 ? new GradientReduction(GradientShards.Value) : null;
        foreach (Callback c in _active)
        {
            resume ??= c.ResumeState();
        }

        if (parallel)
        {
            DataParallel.CheckSame(Replicas!, System.Text.Encoding.UTF8.GetBytes(Fingerprint(initialEpoch)), "data, loop settings or callbacks");
            resume = DataParallel.ShareStart(Replicas!, Model, resume);
        }

        Step = initialEpoch * stepsPerEpoch;
        Epoch = initialEpoch;
        BatchInEpoch = 0;
        _validation.Clear();
        _logs.Clear();
        Resumed = resume is not null;
        if (resume is not null)
        {
            RestoreLoop(resume);
        }

        Model.StopTraining = false;
        foreach (Callback c in _active)
        {
            c.OnTrainBegin();
        }

        if (resume is not null)
        {
            RestoreCallbacks(resume);
            if (BatchInEpoch == stepsPerEpoch)
            {
                EndEpoch(); // saved after an epoch's last batch, before its end
            }
        }

        while (!Model.StopTraining && !(Epoch >= Epochs) && !(Step >= Steps))
        {
            if (BatchInEpoch == 0)
            {
                foreach (Callback c in _active)
                {
                    c.OnEpochBegin(Epoch);
                }

                (_lossSum, _hitSum, _seen) = (0, 0, 0);
                _metricSums.Clear();
                _restoredSums.Clear();
                _epochLearningRate = optimizer.LearningRate;
            }

            foreach (Callback c in _active)
            {
                c.OnBatchBegin(BatchInEpoch);
            }

            if (!TrainStep())
            {
                break;
            }

            _inBatchEnd = true;
            foreach (Callback c in _active)
            {
                c.OnBatchEnd(BatchInEpoch, _logs);
            }

            _inBatchEnd = false;

            if (++BatchInEpoch == stepsPerEpoch || Model.StopTraining)
            {
                EndEpoch();
            }
        }

        foreach (Callback c in _active)
        {
            c.OnTrainEnd(_logs);
        }

        return History;
    }

    /// <summary>
    /// The loop's state between two steps (see the remarks): a JSON object for a checkpoint beside the model's weights
    /// and optimizer state. Called by checkpoint callbacks from <see cref="Callback.OnBatchEnd"/> or
    /// <see cref="Callback.OnEpochEnd"/>, it describes the run as of the end of that step or epoch.
    /// </summary>
    public JsonObject CaptureState()
    {
        // From OnBatchEnd the current batch is not yet counted in BatchInEpoch; a state taken there resumes after it
        // (after an epoch's last batch, with that epoch's end still to come).
        int batch = BatchInEpoch + (_inBatchEnd ? 1 : 0), epoch = Epoch;

        var random = new JsonArray();
        foreach (Rng rng in Model.RandomSources)
        {
            random.Add(StateJson.Write(rng.State));
        }

        var callbacks = new JsonArray();
        foreach (Callback c in _callbacks)
        {
            callbacks.Add(new JsonObject { ["type"] = c.GetType().Name, ["state"] = c.SaveState()?.DeepClone() });
        }

        var validation = new JsonObject();
        foreach (var (key, value) in _validation)
        {
            validation[key] = StateJson.Write(value);
        }

        var logs = new JsonObject();
        foreach (var (key, value) in _logs)
        {
            logs[key] = StateJson.Write(value);
        }

        var metricSums = new JsonObject();
        foreach (var (name, (sum, count)) in _restoredSums)
        {
            metricSums[name] = new JsonArray(StateJson.Write(sum), StateJson.Write(count));
        }

        foreach (MetricTotal t in _metricSums)
        {
            metricSums[t.Metric.Name] = new JsonArray(StateJson.Write(t.Sum), StateJson.Write(t.Count));
        }

        return new JsonObject
        {
            ["format"] = StateFormat,
            ["version"] = 1,
            ["step"] = Step,
            ["epoch"] = epoch,
            ["batch_in_epoch"] = batch,
            ["model_epoch"] = Model.Epoch,
            ["loss_sum"] = StateJson.Write(_lossSum),
            ["hit_sum"] = StateJson.Write(_hitSum),
            ["seen"] = _seen,
            ["metric_sums"] = metricSums,
            ["epoch_learning_rate"] = StateJson.Write(_epochLearningRate),
            ["last_validation"] = validation,
            ["logs"] = logs,
            ["data"] = Data.SaveState(),
            ["random"] = random,
            ["callbacks"] = callbacks,
        };
    }

    /// <summary>One batch: train, accumulate, validate when due. False when a callback handled a divergence and training ends.</summary>
    private bool TrainStep()
    {
        var (x, y) = Data.Next();
        BatchResult r;
        try
        {
            r = _reduction is null ? Model.TrainOnBatch(x, y, Data.Mask)
                : _reduction.Group is null ? Model.TrainOnBatch(x, y, Data.Mask, _reduction)
                : TrainShard(x, y, Data.Mask, _reduction);
        }
        catch (DivergenceException e)
        {
            bool handled = false;
            foreach (Callback c in _active)
            {
                handled |= c.OnDivergence(e);
            }

            if (!handled)
            {
                throw;
            }

            Model.StopTraining = true;
            return false;
        }

        Step++;
        LastBatch = r;
        int size = x.Dim(0);
        _lossSum += (double)r.Loss * size;
        _hitSum += (double)r.Accuracy * size;
        _seen += size;
        _logs.Clear();
        _logs["loss"] = _lossSum / _seen;
        if (Model.Metrics.Contains("accuracy"))
        {
            _logs["accuracy"] = _hitSum / _seen;
        }

        for (int i = 0; i < r.Metrics.Count; i++)
        {
            MetricTotal t = r.Metrics[i];
            if (i == _metricSums.Count)
            {
                // The epoch's first batch, or the first after a resume, which starts from the saved sums.
                (double sum, double count) = _restoredSums.GetValueOrDefault(t.Metric.Name);
                _metricSums.Add(t with { Sum = sum, Count = count });
            }

            _metricSums[i] = _metricSums[i].Add(t);
            _logs[t.Metric.Name] = _metricSums[i].Value;
        }

        if (ValidationFrequency is int f && (Step % f == 0 || Step == Steps))
        {
            Validate();
        }

        return true;
    }

    /// <summary>Data-parallel: this process's rows of the batch <c>x [B, …]</c>, <c>y [B, …]</c>, mask <c>[B, T]</c>, one step with the gradients summed.</summary>
    private BatchResult TrainShard(Tensor x, Tensor y, SequenceMask? mask, GradientReduction reduction)
    {
        (int start, int count) = DataParallel.Shard(x.Dim(0), reduction.Group!.Rank, reduction.Group.Size);
        SequenceMask? shardMask = null;
        if (mask is not null)
        {
            mask.CopyRows(start, count, shardMask = _shardMask ??= new SequenceMask(count, mask.Steps));
        }

        return Model.TrainOnBatch(Buffers.Rows(x, start, count, ref _shardX), Buffers.Rows(y, start, count, ref _shardY), shardMask, reduction);
    }

    /// <summary>What every process of a data-parallel run must agree on at the start: the data, the loop's bounds, the callbacks and the model's shapes.</summary>
    private string Fingerprint(int initialEpoch) => string.Join("\n",
        Data.Count.ToString(Inv), Data.StepsPerEpoch.ToString(Inv), Data.SaveState().ToJsonString(), Epochs?.ToString(Inv), Steps?.ToString(Inv),
        initialEpoch.ToString(Inv), ValidationFrequency?.ToString(Inv), ValidationBatchSize.ToString(Inv), ValidationData?.X.Dim(0).ToString(Inv),
        string.Join(",", _callbacks.Select(c => c.GetType().FullName)),
        string.Join(",", Model.Parameters.Select(p => p.Name + Tensor.FormatShape(p.Value.Shape))),
        Model.Optimizer!.GetType().FullName);

    private void EndEpoch()
    {
        if (ValidationFrequency is null)
        {
            Validate();
        }

        _logs["lr"] = _epochLearningRate;
        Model.Epoch = Epoch + 1;
        foreach (Callback c in _active)
        {
            c.OnEpochEnd(Epoch, _logs);
        }

        Epoch++;
        BatchInEpoch = 0;
    }

    /// <summary>Measures the validation data into the logs and <see cref="LastValidation"/>.</summary>
    private void Validate()
    {
        if (ValidationData is not var (vx, vy))
        {
            return;
        }

        BatchResult v = Replicas is { Size: > 1 } group
            ? DataParallel.Evaluate(Model, group, vx, vy, ValidationBatchSize, ValidationLengths)
            : Model.Evaluate(vx, vy, ValidationBatchSize, ValidationLengths);
        _validation["val_loss"] = v.Loss;
        if (Model.Metrics.Contains("accuracy"))
        {
            _validation["val_accuracy"] = v.Accuracy;
        }

        foreach (MetricTotal t in v.Metrics)
        {
            _validation["val_" + t.Metric.Name] = t.Value;
        }

        foreach (var (key, value) in _validation)
        {
            _logs[key] = value;
        }
    }

    private void RestoreLoop(JsonObject s)
    {
        const string What = "Trainer: the saved training state";
        if ((string?)s["format"] != StateFormat || (int?)s["version"] != 1)
        {
            throw new InvalidDataException($"{What} is not a Recur trainer state (expected \"format\": \"{StateFormat}\", version 1).");
        }

        Step = StateJson.ReadInt(s, "step", What);
        Epoch = StateJson.ReadInt(s, "epoch", What);
        BatchInEpoch = StateJson.ReadInt(s, "batch_in_epoch", What);
        _seen = StateJson.ReadInt(s, "seen", What);
        if (Step < 0 || Epoch < 0 || BatchInEpoch < 0 || BatchInEpoch > Data.StepsPerEpoch || _seen < 0)
        {
            throw new InvalidDataException(string.Create(Inv,
                $"{What} has step {Step}, epoch {Epoch}, batch {BatchInEpoch}, which does not fit {Data.StepsPerEpoch} batches per epoch; resume with the same data and batch size."));
        }

        Model.Epoch = StateJson.ReadInt(s, "model_epoch", What);
        _lossSum = StateJson.ReadDouble(s["loss_sum"], What);
        _hitSum = StateJson.ReadDouble(s["hit_sum"], What);
        _epochLearningRate = StateJson.ReadDouble(s["epoch_learning_rate"], What);
        _metricSums.Clear();
        _restoredSums.Clear();
        foreach (var (name, pair) in s["metric_sums"] as JsonObject ?? [])
        {
            _restoredSums[name] = pair is JsonArray { Count: 2 } a
                ? (StateJson.ReadDouble(a[0], What), StateJson.ReadDouble(a[1], What))
                : throw new InvalidDataException($"{What} has \"metric_sums\".{name} that is not [sum, count].");
        }
        foreach (var (key, value) in s["last_validation"] as JsonObject ?? [])
        {
            _validation[key] = StateJson.ReadDouble(value, What);
        }

        Data.RestoreState(s["data"] ?? throw new InvalidDataException($"{What} has no \"data\" position."));
        JsonArray random = s["random"] as JsonArray ?? throw new InvalidDataException($"{What} has no \"random\" list.");
        IReadOnlyList<Rng> sources = Model.RandomSources;
        if (random.Count != sources.Count)
        {
            throw new InvalidDataException(string.Create(Inv,
                $"{What} holds {random.Count} random generators, but the model draws from {sources.Count}; it was saved from a model with other dropout layers."));
        }

        for (int i = 0; i < sources.Count; i++)
        {
            sources[i].State = StateJson.ReadRng(random[i], What);
        }

        _logs.Clear();
        foreach (var (key, value) in s["logs"] as JsonObject ?? [])
        {
            _logs[key] = StateJson.ReadDouble(value, What);
        }
    }

    private void RestoreCallbacks(JsonObject s)
    {
        JsonArray saved = s["callbacks"] as JsonArray ?? throw new InvalidDataException("Trainer: the saved training state has no \"callbacks\" list.");
        string names = string.Join(", ", saved.Select(n => (string?)n?["type"]));
        string ours = string.Join(", ", _callbacks.Select(c => c.GetType().Name));
        if (names != ours)
        {
            throw new InvalidDataException(
                $"Trainer: the saved training state was written with the callbacks [{names}], but this run has [{ours}]; resume with the same callbacks, in the same order.");
        }

        for (int i = 0; i < _callbacks.Count; i++)
        {
            if (saved[i]!["state"] is JsonNode state && _active.Contains(_callbacks[i]))
            {
                _callbacks[i].RestoreState(state);
            }
        }
    }
}
