using System.Collections;
using Recur.Layers;
using Recur.Losses;
using Recur.Optimizers;
using Recur.Tensors;

namespace Recur.Models;

/// <summary>
/// A stack of layers, each feeding the next — Keras's <c>Sequential</c>. Build it with
/// <see cref="Add"/> or a collection initializer, <see cref="Compile"/> it with a loss and an
/// optimizer, then train with <see cref="TrainOnBatch"/> and run it with <see cref="Predict"/>.
/// </summary>
/// <example>
/// <code>
/// var model = new Sequential
/// {
///     new Lstm(inputSize: 28, hiddenSize: 128, forgetBias: 1f, rng: rng),
///     new Dense(128, 10, rng: rng),
/// };
/// model.Compile(new SoftmaxCrossEntropy(), new Adam(0.001));
/// BatchResult r = model.TrainOnBatch(x, y);   // x [B, 28, 28], y one-hot [B, 10]
/// </code>
/// </example>
public sealed class Sequential : IEnumerable<ILayer>
{
    private readonly List<ILayer> _layers = [];
    private readonly List<Parameter> _parameters = [];
    private Tensor? _batch;

    /// <summary>The layers, input first.</summary>
    public IReadOnlyList<ILayer> Layers => _layers;

    /// <summary>Every layer's parameters, in layer order.</summary>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>The loss set by <see cref="Compile"/>, or null before.</summary>
    public ILoss? Loss { get; private set; }

    /// <summary>The optimizer set by <see cref="Compile"/>, or null before.</summary>
    public Optimizer? Optimizer { get; private set; }

    /// <summary>When set, gradients are clipped to this global norm before each optimizer step.</summary>
    public float? ClipNorm { get; private set; }

    /// <summary>
    /// Appends a layer. Layer names must be unique: they prefix the parameter names in saved weights.
    /// An <see cref="Lstm"/> added first skips its input gradient (<see cref="Lstm.ComputeInputGradient"/>),
    /// which nothing in the model uses; set it back to true to read <c>dx</c> from <see cref="Backward"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A layer with the same name is already in the model.</exception>
    public void Add(ILayer layer)
    {
        ArgumentNullException.ThrowIfNull(layer);
        foreach (ILayer existing in _layers)
        {
            if (existing.Name == layer.Name)
            {
                throw new ArgumentException(
                    $"Sequential: a layer named '{layer.Name}' is already in the model; give the new one another name (e.g. name: \"{layer.Name}_1\").",
                    nameof(layer));
            }
        }

        if (_layers.Count == 0 && layer is Lstm first)
        {
            first.ComputeInputGradient = false; // nothing consumes the gradient of the model's input
        }

        _layers.Add(layer);
        _parameters.AddRange(layer.Parameters);
    }

    /// <summary>Sets the loss, the optimizer and optional gradient clipping by global norm.</summary>
    public void Compile(ILoss loss, Optimizer optimizer, float? clipNorm = null)
    {
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        if (clipNorm is float c && !(c > 0f && float.IsFinite(c)))
        {
            throw new ArgumentOutOfRangeException(nameof(clipNorm), clipNorm, "Sequential.Compile: clipNorm must be a positive finite number (e.g. 5), or null for no clipping.");
        }

        Loss = loss;
        Optimizer = optimizer;
        ClipNorm = clipNorm;
    }

    /// <summary>
    /// Runs every layer in order. <c>x</c>: the first layer's input (e.g. <c>[B, T, I]</c>) → the last
    /// layer's output (e.g. logits <c>[B, C]</c>), a buffer owned by that layer.
    /// </summary>
    /// <param name="x">The input batch.</param>
    /// <param name="training">True when <see cref="Backward"/> will follow.</param>
    public Tensor Forward(Tensor x, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        RequireLayers();
        Tensor y = x;
        foreach (ILayer layer in _layers)
        {
            y = layer.Forward(y, training);
        }

        return y;
    }

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
    /// <c>x [B, …]</c>, <c>y</c> targets shaped like the predictions (one-hot <c>[B, C]</c> for classification).
    /// </summary>
    /// <returns>The batch's loss and accuracy, measured before the update (as Keras reports them).</returns>
    /// <exception cref="DivergenceException">The loss or the gradients are NaN or infinite; the weights are left as they were before this step.</exception>
    public BatchResult TrainOnBatch(Tensor x, Tensor y)
    {
        (ILoss loss, Optimizer optimizer) = RequireCompiled();
        optimizer.ZeroGrad(_parameters);
        Tensor predictions = Forward(x, training: true);
        float value = loss.Forward(predictions, y);
        float accuracy = loss.IsClassification ? Accuracy.FromOneHot(predictions, y) : float.NaN;
        Backward(loss.Gradient);
        float norm = ClipNorm is float max
            ? GradientClipping.ClipByGlobalNorm(_parameters, max)
            : GlobalNorm(_parameters);
        if (!float.IsFinite(value) || !float.IsFinite(norm))
        {
            throw new DivergenceException(
                $"Sequential: the loss is {value} and the gradient norm {norm}; the model has diverged (lower the learning rate or clip gradients).");
        }

        optimizer.Step(_parameters);
        return new BatchResult(value, accuracy, norm);
    }

    /// <summary>Loss and accuracy of the model on <c>x</c>, <c>y</c> without changing it, in batches of <paramref name="batchSize"/>.</summary>
    public BatchResult Evaluate(Tensor x, Tensor y, int batchSize = 1000)
    {
        (ILoss loss, _) = RequireCompiled();
        CheckSameCount(x, y);
        double lossSum = 0, hits = 0;
        int n = x.Dim(0);
        for (int start = 0; start < n; start += batchSize)
        {
            int count = Math.Min(batchSize, n - start);
            Tensor predictions = Forward(Rows(x, start, count, ref _batch));
            Tensor targets = Rows(y, start, count);
            lossSum += (double)loss.Forward(predictions, targets) * count;
            if (loss.IsClassification)
            {
                hits += (double)Accuracy.FromOneHot(predictions, targets) * count;
            }
        }

        return new BatchResult((float)(lossSum / n), loss.IsClassification ? (float)(hits / n) : float.NaN, float.NaN);
    }

    /// <summary>
    /// The model's output for every row of <c>x [N, …]</c>, computed in batches of
    /// <paramref name="batchSize"/>: a new tensor <c>[N, …]</c> (logits for a classifier ending in Dense).
    /// </summary>
    public Tensor Predict(Tensor x, int batchSize = 1000)
    {
        ArgumentNullException.ThrowIfNull(x);
        ArgumentOutOfRangeException.ThrowIfLessThan(batchSize, 1);
        int n = x.Dim(0);
        Tensor? result = null;
        for (int start = 0; start < n; start += batchSize)
        {
            int count = Math.Min(batchSize, n - start);
            Tensor output = Forward(Rows(x, start, count, ref _batch));
            if (result is null)
            {
                int[] shape = output.Shape.ToArray();
                shape[0] = n;
                result = new Tensor(shape);
            }

            int row = output.Length / count;
            output.Span.CopyTo(result.Span.Slice(start * row, count * row));
        }

        return result ?? throw new ArgumentException("Sequential.Predict: x has no rows.", nameof(x));
    }

    /// <summary>Returns an enumerator over the layers (for collection initializers).</summary>
    public IEnumerator<ILayer> GetEnumerator() => _layers.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Rows <c>[start, start + count)</c> of <c>x</c>: <c>x</c> itself when that is all of it, else a copy in <paramref name="buffer"/>.</summary>
    internal static Tensor Rows(Tensor x, int start, int count, ref Tensor? buffer)
    {
        if (start == 0 && count == x.Dim(0))
        {
            return x;
        }

        int[] shape = x.Shape.ToArray();
        shape[0] = count;
        Tensor rows = Buffers.Ensure(ref buffer, shape);
        int row = x.Length / x.Dim(0);
        x.Span.Slice(start * row, count * row).CopyTo(rows.Span);
        return rows;
    }

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

    private void RequireLayers()
    {
        if (_layers.Count == 0)
        {
            throw new InvalidOperationException("Sequential: the model has no layers; Add at least one.");
        }
    }

    private (ILoss, Optimizer) RequireCompiled() =>
        Loss is { } loss && Optimizer is { } optimizer
            ? (loss, optimizer)
            : throw new InvalidOperationException("Sequential: call Compile(loss, optimizer) before training or evaluating.");
}

/// <summary>What one batch (or one evaluation) measured.</summary>
/// <param name="Loss">The mean loss.</param>
/// <param name="Accuracy">The share of correct arg-max predictions, or NaN when the loss is not a classification loss.</param>
/// <param name="GradientNorm">The global gradient norm before clipping (training only; NaN otherwise).</param>
public readonly record struct BatchResult(float Loss, float Accuracy, float GradientNorm);
