using Recur.Layers;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Training;

namespace Recur.Models;

public sealed partial class Sequential
{
    /// <summary>Set by a callback (e.g. <see cref="EarlyStopping"/>) to end <see cref="Fit"/> after the current batch.</summary>
    public bool StopTraining { get; set; }

    /// <summary>Epochs completed by <see cref="Fit"/> (saved with the model; pass it as <c>initialEpoch</c> to resume).</summary>
    public int Epoch { get; set; }

    /// <summary>
    /// Trains the model for epochs <paramref name="initialEpoch"/> … <paramref name="epochs"/> − 1 (Keras's <c>fit</c>).
    /// Each epoch visits every training example once in batches of <paramref name="batchSize"/> (the last batch may
    /// be smaller), in an order shuffled from the model's seed and the epoch number alone — so a run resumed at
    /// <c>initialEpoch: k</c> after <see cref="Load"/> sees the same batches as one that never stopped. It runs the
    /// project's one training loop, <see cref="Trainer"/>, over <see cref="TensorBatches"/>, validating at the end of
    /// every epoch; use a <see cref="Trainer"/> directly for step-based runs, schedules per step or streamed batches.
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
    /// <param name="lengths">
    /// For sequences <c>x [N, T, …]</c> padded at the end: each one's count of valid steps (PyTorch's
    /// <c>pack_padded_sequence</c> lengths, in [1, T]); the recurrent layers run only those steps and a per-step loss
    /// skips the rest. Null when every sequence has all T steps (or when a <c>Masking</c> or <c>Embedding(maskZero)</c>
    /// layer makes the mask from the data).
    /// </param>
    /// <param name="validationLengths">The lengths of the validation sequences, as <paramref name="lengths"/>.</param>
    /// <returns>The per-epoch metrics: <c>loss</c>, <c>accuracy</c> (when compiled with it), <c>val_loss</c>, <c>val_accuracy</c>, <c>lr</c>.</returns>
    /// <exception cref="InvalidOperationException">The model is not compiled.</exception>
    /// <exception cref="ArgumentException">
    /// Shapes or labels do not fit the model or the loss; <paramref name="x"/> has no rows; an input or target is NaN or
    /// infinite (named by its index); arguments out of range.
    /// </exception>
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
        int initialEpoch = 0,
        int[]? lengths = null,
        int[]? validationLengths = null)
    {
        RequireCompiled();
        CheckSameCount(x, y);
        EnsureBuilt(x, "Sequential.Fit", "x");
        CheckData(x, y, "Sequential.Fit");
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
            if (lengths is not null && lengths.Length == n)
            {
                validationLengths = lengths[train..];
                lengths = lengths[..train];
            }
        }

        EnsureBuilt(x, "Sequential.Fit", "x");
        if (lengths is not null)
        {
            TensorBatches.CheckLengths(lengths, x, "Sequential.Fit");
        }

        if (validationData is var (vx, vy))
        {
            CheckSameCount(vx, vy);
            EnsureBuilt(vx, "Sequential.Fit", "validationData.X"); // a wrong validation shape fails now, not after the first epoch
            CheckData(vx, vy, "Sequential.Fit", "validationData.X", "validationData.Y");
            if (validationLengths is not null)
            {
                TensorBatches.CheckLengths(validationLengths, vx, "Sequential.Fit (validation)");
            }
        }
        else if (validationLengths is not null)
        {
            throw new ArgumentException("Sequential.Fit: validationLengths were given without validation data; give validationData too, or drop them.", nameof(validationLengths));
        }

        var list = new List<Callback>();
        if (verbose != 0 && !(callbacks ?? []).Any(c => c is ProgbarLogger))
        {
            list.Add(new ProgbarLogger());
        }

        list.AddRange(callbacks ?? []);
        var trainer = new Trainer(this, new TensorBatches(x, y, batchSize, shuffle, _seed, initialEpoch, lengths), list)
        {
            Epochs = epochs,
            ValidationData = validationData,
            ValidationLengths = validationLengths,
            ValidationBatchSize = Math.Max(batchSize, 256),
            Verbose = verbose,
        };
        return trainer.Run(initialEpoch);
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

    /// <summary>
    /// Puts into this model the weights, optimizer state and <see cref="Epoch"/> of a model directory saved from a model
    /// built and compiled the same way (<see cref="Save"/>, or a checkpoint), for resuming a run in place.
    /// </summary>
    /// <exception cref="InvalidOperationException">This model is not compiled.</exception>
    /// <exception cref="InvalidDataException">The directory is not a model, holds no optimizer state, or its layers or optimizer differ from this model's.</exception>
    public void Restore(string path)
    {
        (_, Optimizer optimizer) = RequireCompiled();
        Sequential saved = ModelFile.Load(path).Model;
        var ours = ModelFile.NamedParameters(this).ToArray();
        var theirs = ModelFile.NamedParameters(saved).ToArray();
        if (ours.Length != theirs.Length || !ours.Zip(theirs).All(p => p.First.Key == p.Second.Key && p.First.Value.Value.HasShape(p.Second.Value.Value.Shape)))
        {
            throw new InvalidDataException(
                $"{path} holds the parameters [{string.Join(", ", theirs.Select(p => p.Key))}], but this model has [{string.Join(", ", ours.Select(p => p.Key))}] (or other shapes); restore from a model built the same way.");
        }

        if (saved.Optimizer is not { } savedOptimizer || saved.OptimizerStateMissing)
        {
            throw new InvalidDataException(
                $"{path} holds no optimizer state (it was saved before Compile, or has no {ModelFile.OptimizerFileName}: for inference only); training cannot resume from it.");
        }

        try
        {
            optimizer.ImportState(savedOptimizer.ExportState(theirs), ours);
        }
        catch (ArgumentException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }

        SetWeights(saved.GetWeights());
        Epoch = saved.Epoch;
    }

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
            p.MarkChanged();
        }
    }

    /// <summary>
    /// The generators the layers draw from in training (dropout masks), each once however many layers share it, in
    /// layer order: what a checkpoint saves so a resumed run draws the same masks.
    /// </summary>
    public IReadOnlyList<Rng> RandomSources
    {
        get
        {
            var sources = new List<Rng>();
            foreach (ILayer layer in _layers)
            {
                AddRandomSources(layer, sources);
            }

            return sources;
        }
    }

    private static void AddRandomSources(ILayer layer, List<Rng> sources)
    {
        // The recurrent layers, Dropout, and Bidirectional (its directions', forward's first) are IRandomLayers.
        IReadOnlyList<Rng> own = layer is IRandomLayer r ? r.RandomSources : [];
        foreach (Rng rng in own)
        {
            if (!sources.Exists(s => ReferenceEquals(s, rng)))
            {
                sources.Add(rng);
            }
        }
    }
}
