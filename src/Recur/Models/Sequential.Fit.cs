using Recur.Layers;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Training;

namespace Recur.Models;

public sealed partial class Sequential
{
    /// <summary>Set by a callback (e.g. <see cref="EarlyStopping"/>) to end <see cref="Fit"/> after the current epoch.</summary>
    public bool StopTraining { get; set; }

    /// <summary>Epochs completed by <see cref="Fit"/> (saved with the model; pass it as <c>initialEpoch</c> to resume).</summary>
    public int Epoch { get; set; }

    /// <summary>
    /// Trains the model for epochs <paramref name="initialEpoch"/> … <paramref name="epochs"/> − 1 (Keras's <c>fit</c>).
    /// Each epoch visits every training example once in batches of <paramref name="batchSize"/> (the last batch may
    /// be smaller), in an order shuffled from the model's seed and the epoch number alone — so a run resumed at
    /// <c>initialEpoch: k</c> after <see cref="Load"/> sees the same batches as one that never stopped.
    /// </summary>
    /// <param name="x">Inputs <c>[N, …]</c>, e.g. <c>[N, T, I]</c>.</param>
    /// <param name="y">Targets <c>[N, …]</c>: one-hot <c>[N, C]</c>, class indices <c>[N]</c> (sparse loss), or values (mse).</param>
    /// <param name="batchSize">Examples per step.</param>
    /// <param name="epochs">The epoch to stop before (Keras's meaning: with <paramref name="initialEpoch"/> 2 and epochs 4, two epochs run).</param>
    /// <param name="verbose">0 silent, 1 progress bar, 2 one line per epoch; a <see cref="ProgbarLogger"/> on the console is added unless one is given.</param>
    /// <param name="callbacks">Callbacks, called in order, before the returned <see cref="History"/>.</param>
    /// <param name="validationSplit">The fraction of <paramref name="x"/>, taken from its end before shuffling, held out for validation.</param>
    /// <param name="validationData">Validation inputs and targets (overrides <paramref name="validationSplit"/>).</param>
    /// <param name="shuffle">Shuffle the training examples every epoch.</param>
    /// <param name="initialEpoch">The first epoch to run (to resume).</param>
    /// <returns>The per-epoch metrics: <c>loss</c>, <c>accuracy</c> (when compiled with it), <c>val_loss</c>, <c>val_accuracy</c>, <c>lr</c>.</returns>
    /// <exception cref="InvalidOperationException">The model is not compiled.</exception>
    /// <exception cref="ArgumentException">Shapes or labels do not fit the model or the loss; arguments out of range.</exception>
    /// <exception cref="Losses.DivergenceException">The loss became NaN or infinite.</exception>
    public History Fit(
        Tensor x,
        Tensor y,
        int batchSize = 32,
        int epochs = 1,
        int verbose = 1,
        IEnumerable<Callback>? callbacks = null,
        double validationSplit = 0,
        (Tensor X, Tensor Y)? validationData = null,
        bool shuffle = true,
        int initialEpoch = 0)
    {
        (_, Optimizer optimizer) = RequireCompiled();
        CheckSameCount(x, y);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(initialEpoch);
        ArgumentOutOfRangeException.ThrowIfLessThan(epochs, initialEpoch);
        CheckCanResume(initialEpoch);
        if (verbose is < 0 or > 2)
        {
            throw new ArgumentOutOfRangeException(nameof(verbose), verbose, "Sequential.Fit: verbose must be 0 (silent), 1 (progress bar) or 2 (one line per epoch).");
        }

        if (!(validationSplit >= 0 && validationSplit < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(validationSplit), validationSplit, "Sequential.Fit: validationSplit must be in [0, 1).");
        }

        if (validationData is null && validationSplit > 0)
        {
            int n = x.Dim(0), train = (int)(n * (1 - validationSplit));
            if (train == 0 || train == n)
            {
                throw new ArgumentException($"Sequential.Fit: validationSplit {validationSplit} of {n} examples leaves no training or no validation examples.", nameof(validationSplit));
            }

            validationData = (Rows(x, train, n - train).Clone(), Rows(y, train, n - train).Clone());
            x = Rows(x, 0, train).Clone();
            y = Rows(y, 0, train).Clone();
        }

        EnsureBuilt(x);
        if (validationData is var (vx, vy))
        {
            CheckSameCount(vx, vy);
            EnsureBuilt(vx); // a wrong validation shape fails now, not after the first epoch
        }

        int count = x.Dim(0), steps = (count + batchSize - 1) / batchSize;
        var history = new History();
        var list = new List<Callback>();
        if (verbose != 0 && !(callbacks ?? []).Any(c => c is ProgbarLogger))
        {
            list.Add(new ProgbarLogger());
        }

        list.AddRange(callbacks ?? []);
        list.Add(history);
        var parameters = new FitParameters(epochs, steps, count, verbose, validationData is not null);
        foreach (Callback c in list)
        {
            c.Model = this;
            c.Params = parameters;
        }

        bool accuracy = Metrics.Contains("accuracy");
        StopTraining = false;
        var logs = new Dictionary<string, double>(StringComparer.Ordinal);
        int[] order = new int[count];
        Tensor? xb = null, yb = null;
        foreach (Callback c in list)
        {
            c.OnTrainBegin();
        }

        for (int epoch = initialEpoch; epoch < epochs && !StopTraining; epoch++)
        {
            foreach (Callback c in list)
            {
                c.OnEpochBegin(epoch);
            }

            for (int i = 0; i < count; i++)
            {
                order[i] = i;
            }

            if (shuffle)
            {
                new Rng(_seed, ShuffleStream + (ulong)epoch).Shuffle(order.AsSpan());
            }

            double lossSum = 0, hitSum = 0;
            int seen = 0;
            double lr = optimizer.LearningRate;
            for (int batch = 0; batch < steps; batch++)
            {
                int start = batch * batchSize, size = Math.Min(batchSize, count - start);
                Gather(x, order.AsSpan(start, size), ref xb);
                Gather(y, order.AsSpan(start, size), ref yb);
                foreach (Callback c in list)
                {
                    c.OnBatchBegin(batch);
                }

                BatchResult r = TrainOnBatch(xb!, yb!);
                lossSum += (double)r.Loss * size;
                hitSum += (double)r.Accuracy * size;
                seen += size;
                logs.Clear();
                logs["loss"] = lossSum / seen;
                if (accuracy)
                {
                    logs["accuracy"] = hitSum / seen;
                }

                foreach (Callback c in list)
                {
                    c.OnBatchEnd(batch, logs);
                }
            }

            if (validationData is var (valX, valY))
            {
                BatchResult v = Evaluate(valX, valY, batchSize: Math.Max(batchSize, 256));
                logs["val_loss"] = v.Loss;
                if (accuracy)
                {
                    logs["val_accuracy"] = v.Accuracy;
                }
            }

            logs["lr"] = lr;
            Epoch = epoch + 1;
            foreach (Callback c in list)
            {
                c.OnEpochEnd(epoch, logs);
            }
        }

        foreach (Callback c in list)
        {
            c.OnTrainEnd(logs);
        }

        return history;
    }

    /// <summary>
    /// Saves the model as a directory (<see cref="ModelFile"/>): configuration JSON, weights, and — once compiled — the
    /// optimizer state and <see cref="Epoch"/>, for resuming. The directory is replaced as a whole, so a failed save
    /// leaves the previous model as it was (<see cref="ModelFile.Save(Sequential, string, IReadOnlyDictionary{string, string}?)"/> says how).
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is not built.</exception>
    /// <exception cref="NotSupportedException">A layer added built is of a kind that cannot be saved.</exception>
    public void Save(string path) => ModelFile.Save(this, path);

    /// <summary>
    /// Loads a model saved with <see cref="Save"/>: built, with its weights, and — when it was compiled — compiled
    /// again with its loss, metrics and optimizer, the optimizer state restored and <see cref="Epoch"/> set, so
    /// <c>Fit(initialEpoch: model.Epoch)</c> continues as if training had never stopped. A run directory gives its last
    /// checkpoint. Without <c>optimizer.safetensors</c> the model predicts but cannot resume (<see cref="OptimizerStateMissing"/>).
    /// </summary>
    /// <exception cref="DirectoryNotFoundException">The path does not exist.</exception>
    /// <exception cref="InvalidDataException">The path is not a Recur model directory, or a file in it is truncated, corrupt or does not match the others.</exception>
    public static Sequential Load(string path) => ModelFile.Load(path).Model;

    /// <summary>Copies of every parameter's values, in <see cref="Parameters"/> order (Keras's <c>get_weights</c>).</summary>
    public float[][] GetWeights() => _parameters.Select(p => p.Value.Data.AsSpan(0, p.Value.Length).ToArray()).ToArray();

    /// <summary>Sets every parameter's values from <paramref name="weights"/>, as returned by <see cref="GetWeights"/>.</summary>
    /// <exception cref="ArgumentException">The count or a length does not match.</exception>
    public void SetWeights(IReadOnlyList<float[]> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Count != _parameters.Count)
        {
            throw new ArgumentException($"Sequential.SetWeights: {weights.Count} arrays for {_parameters.Count} parameters.", nameof(weights));
        }

        for (int i = 0; i < weights.Count; i++)
        {
            Parameter p = _parameters[i];
            if (weights[i].Length != p.Value.Length)
            {
                throw new ArgumentException($"Sequential.SetWeights: array {i} has {weights[i].Length} values but {p.Name} has {p.Value.Length}.", nameof(weights));
            }

            weights[i].CopyTo(p.Value.Span);
        }
    }

    /// <summary>The Rng stream of epoch 0's shuffling (streams 1… initialise layers).</summary>
    private const ulong ShuffleStream = 1UL << 32;

    /// <summary>Rows <paramref name="rows"/> of <c>source [N, …]</c> into <paramref name="buffer"/> <c>[rows, …]</c>.</summary>
    private static void Gather(Tensor source, ReadOnlySpan<int> rows, ref Tensor? buffer)
    {
        int width = source.Length / source.Dim(0);
        Span<int> shape = stackalloc int[source.Rank];
        source.Shape.CopyTo(shape);
        shape[0] = rows.Length;
        Tensor b = Buffers.Ensure(ref buffer, shape);
        for (int i = 0; i < rows.Length; i++)
        {
            source.Span.Slice(rows[i] * width, width).CopyTo(b.Span.Slice(i * width, width));
        }
    }
}
