using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// Inverted dropout, as Keras's <c>Dropout(rate)</c> and PyTorch's <c>nn.Dropout(p)</c>: in training each
/// element is zeroed with probability <see cref="Rate"/> and the rest are scaled by <c>1 / (1 − rate)</c>, so
/// the expected output equals the input; at inference (<c>training: false</c>) the input passes unchanged.
/// Any input shape. The masks come from the layer's own seeded <see cref="Rng"/>, one per training forward
/// pass, so a seed gives the same run every time, whatever the number of threads.
/// </summary>
public sealed class Dropout : IMaskedLayer, IRandomLayer
{
    private readonly Rng _rng;
    private Tensor? _mask;   // 0 or 1 / (1 − rate), shaped like the last training input
    private Tensor? _output;
    private Tensor? _dx;
    private bool _lastTraining;

    /// <summary>Creates the layer.</summary>
    /// <param name="rate">The fraction of elements to drop, in [0, 1).</param>
    /// <param name="rng">The source of the masks; <c>new Rng(0)</c> when null.</param>
    /// <param name="name">The layer name.</param>
    /// <exception cref="ArgumentOutOfRangeException">rate is not in [0, 1).</exception>
    public Dropout(float rate, Rng? rng = null, string name = "dropout")
    {
        if (!(rate >= 0f && rate < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), rate, $"Dropout: rate is the fraction of inputs to drop and must be at least 0 and below 1; received {rate}.");
        }

        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Rate = rate;
        Name = name;
        _rng = rng ?? new Rng(0);
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The fraction of elements dropped in training.</summary>
    public float Rate { get; }

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters => [];

    /// <summary><c>DropoutLayer(Rate)</c> with this layer's name.</summary>
    public LayerConfig Options => new DropoutLayer(Rate) { Name = Name };

    /// <inheritdoc/>
    public IReadOnlyList<Rng> RandomSources => [_rng];

    /// <summary>The mask of the next <see cref="Forward"/>'s input (see <see cref="IMaskedLayer.InputMask"/>); null when every step is valid.</summary>
    public SequenceMask? InputMask { get; set; }

    /// <summary>The last <see cref="Forward"/>'s input mask when its input was a sequence <c>[B, T, …]</c>; null for <c>[B, F]</c> or no mask.</summary>
    public SequenceMask? OutputMask { get; private set; }

    /// <summary>
    /// Training: <c>x·mask</c> with a fresh mask. Inference: <paramref name="x"/> itself (not a copy), as
    /// Keras returns its input.
    /// </summary>
    public Tensor Forward(Tensor x, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        _lastTraining = training;
        OutputMask = MaskFlow.PassOn(InputMask, x, "Dropout");
        if (!training)
        {
            return x;
        }

        Tensor mask = Buffers.Ensure(ref _mask, x.Shape);
        Span<float> m = mask.Span;
        float keep = 1f / (1f - Rate);
        for (int i = 0; i < m.Length; i++)
        {
            m[i] = _rng.NextFloat() >= Rate ? keep : 0f;
        }

        Tensor y = Buffers.Ensure(ref _output, x.Shape);
        TensorPrimitives.Multiply(x.Span, m, y.Span);
        return y;
    }

    /// <summary><c>dy·mask</c> of the last training forward pass.</summary>
    /// <exception cref="InvalidOperationException">The last forward pass was not a training one.</exception>
    public Tensor Backward(Tensor dy)
    {
        if (!_lastTraining || _mask is null)
        {
            throw new InvalidOperationException("Dropout.Backward needs a Forward with training: true before it.");
        }

        ShapeCheck.Same(dy, _mask, nameof(dy), "Dropout");
        Tensor dx = Buffers.Ensure(ref _dx, dy.Shape);
        TensorPrimitives.Multiply(dy.Span, _mask.Span, dx.Span);
        return dx;
    }
}
