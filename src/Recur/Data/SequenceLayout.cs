using Recur.Tensors;

namespace Recur.Data;

/// <summary>
/// Turns a batch of flat images <c>[B, rows · columns]</c> into sequences <c>[B, T, F]</c> for a
/// recurrent layer, per <see cref="SequenceView"/>. <see cref="SequenceView.Rows"/> and
/// <see cref="SequenceView.Pixels"/> are reshapes that share the images' storage;
/// <see cref="SequenceView.PermutedPixels"/> gathers the pixels through one fixed permutation
/// (drawn once from <c>new Rng(seed)</c>, so train and test see the same order) into a buffer of this
/// layout that is reused from call to call.
/// </summary>
public sealed class SequenceLayout
{
    private readonly int[] _permutation;
    private readonly Dictionary<int, Tensor> _buffers = [];
    private float[]? _lastData;
    private Tensor? _lastView;

    /// <summary>Creates the layout.</summary>
    /// <param name="view">How images become sequences.</param>
    /// <param name="rows">Image rows (28 for MNIST).</param>
    /// <param name="columns">Image columns (28 for MNIST).</param>
    /// <param name="seed">Seeds the permutation of <see cref="SequenceView.PermutedPixels"/> (unused otherwise).</param>
    public SequenceLayout(SequenceView view, int rows = Mnist.ImageSize, int columns = Mnist.ImageSize, ulong seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(rows);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(columns);
        if (!Enum.IsDefined(view))
        {
            throw new ArgumentOutOfRangeException(nameof(view), view, "SequenceLayout: unknown view; use Rows, Pixels or PermutedPixels.");
        }

        View = view;
        Rows = rows;
        Columns = columns;
        Seed = seed;
        (Steps, Features) = view == SequenceView.Rows ? (rows, columns) : (rows * columns, 1);
        _permutation = [];
        if (view == SequenceView.PermutedPixels)
        {
            _permutation = new int[rows * columns];
            for (int i = 0; i < _permutation.Length; i++)
            {
                _permutation[i] = i;
            }

            new Rng(seed).Shuffle(_permutation.AsSpan());
        }
    }

    /// <summary>The view.</summary>
    public SequenceView View { get; }

    /// <summary>Image rows.</summary>
    public int Rows { get; }

    /// <summary>Image columns.</summary>
    public int Columns { get; }

    /// <summary>The permutation seed.</summary>
    public ulong Seed { get; }

    /// <summary>T, the sequence length.</summary>
    public int Steps { get; }

    /// <summary>F, the features per step (the LSTM's input size).</summary>
    public int Features { get; }

    /// <summary>
    /// For <see cref="SequenceView.PermutedPixels"/>, the pixel read at each step (step t reads pixel
    /// <c>Permutation[t]</c>); empty for the other views.
    /// </summary>
    public ReadOnlySpan<int> Permutation => _permutation;

    /// <summary>
    /// <c>images [B, rows · columns] → [B, T, F]</c>. For <see cref="SequenceView.Rows"/> and
    /// <see cref="SequenceView.Pixels"/> the result shares <paramref name="images"/>' storage; for
    /// <see cref="SequenceView.PermutedPixels"/> it is a buffer of this layout, overwritten by the next
    /// call with the same B. Calls with the same buffers allocate nothing.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="images"/> is not <c>[B, rows · columns]</c>.</exception>
    public Tensor Apply(Tensor images)
    {
        ArgumentNullException.ThrowIfNull(images);
        int pixels = Rows * Columns;
        if (images.Rank != 2 || images.Dim(1) != pixels)
        {
            throw new ArgumentException(
                $"SequenceLayout: images has shape {Tensor.FormatShape(images.Shape)}, expected [batch, {pixels}] ({Rows}×{Columns} pixels per image).",
                nameof(images));
        }

        int batch = images.Dim(0);
        if (View != SequenceView.PermutedPixels)
        {
            if (!ReferenceEquals(_lastData, images.Data) || _lastView!.Dim(0) != batch)
            {
                _lastView = images.Reshape(batch, Steps, Features);
                _lastData = images.Data;
            }

            return _lastView;
        }

        if (!_buffers.TryGetValue(batch, out Tensor? output))
        {
            output = new Tensor(batch, Steps, Features);
            _buffers[batch] = output;
        }

        float[] source = images.Data, destination = output.Data;
        int[] permutation = _permutation;
        for (int b = 0; b < batch; b++)
        {
            int offset = b * pixels;
            for (int t = 0; t < permutation.Length; t++)
            {
                destination[offset + t] = source[offset + permutation[t]];
            }
        }

        return output;
    }
}
