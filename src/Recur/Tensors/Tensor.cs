using System.Text;

namespace Recur.Tensors;

/// <summary>
/// A dense float32 tensor: a shape and a row-major <see cref="float"/> array of exactly
/// <see cref="Length"/> elements. Tensors made by <see cref="Reshape"/> share storage.
/// </summary>
public sealed class Tensor
{
    private readonly int[] _shape;

    /// <summary>Creates a zero-filled tensor of the given shape.</summary>
    /// <exception cref="ArgumentException">A dimension is negative or the shape is empty.</exception>
    public Tensor(params int[] shape)
        : this(new float[CheckedLength(shape, nameof(shape))], shape)
    {
    }

    /// <summary>Wraps <paramref name="data"/> (not copied) as a tensor of the given shape.</summary>
    /// <exception cref="ArgumentException">The data length is not the product of the shape.</exception>
    public Tensor(float[] data, params int[] shape)
    {
        ArgumentNullException.ThrowIfNull(data);
        int length = CheckedLength(shape, nameof(shape));
        if (data.Length != length)
        {
            throw new ArgumentException(
                $"data has {data.Length} elements but shape {FormatShape(shape)} needs {length}.", nameof(data));
        }

        Data = data;
        _shape = (int[])shape.Clone();
    }

    /// <summary>The storage, row-major, exactly <see cref="Length"/> elements.</summary>
    public float[] Data { get; }

    /// <summary>The dimensions, outermost first.</summary>
    public ReadOnlySpan<int> Shape => _shape;

    /// <summary>The number of dimensions.</summary>
    public int Rank => _shape.Length;

    /// <summary>The number of elements.</summary>
    public int Length => Data.Length;

    /// <summary>The elements as a span.</summary>
    public Span<float> Span => Data;

    /// <summary>Dimension <paramref name="axis"/>; negative axes count from the end.</summary>
    public int Dim(int axis) => _shape[axis < 0 ? _shape.Length + axis : axis];

    /// <summary>Element access for a rank-2 tensor.</summary>
    public float this[int i, int j]
    {
        get => Data[Offset2(i, j)];
        set => Data[Offset2(i, j)] = value;
    }

    /// <summary>Element access for a rank-3 tensor.</summary>
    public float this[int i, int j, int k]
    {
        get => Data[Offset3(i, j, k)];
        set => Data[Offset3(i, j, k)] = value;
    }

    /// <summary>True when the shape equals <paramref name="shape"/>.</summary>
    public bool HasShape(params ReadOnlySpan<int> shape) => Shape.SequenceEqual(shape);

    /// <summary>A tensor of another shape over the same storage.</summary>
    /// <exception cref="ArgumentException">The element counts differ.</exception>
    public Tensor Reshape(params int[] shape) => new(Data, shape);

    /// <summary>A deep copy.</summary>
    public Tensor Clone() => new((float[])Data.Clone(), _shape);

    /// <summary>Sets every element to <paramref name="value"/>.</summary>
    public void Fill(float value) => Data.AsSpan().Fill(value);

    /// <summary>Copies <paramref name="source"/>'s elements into this tensor.</summary>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public void CopyFrom(Tensor source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (!HasShape(source.Shape))
        {
            throw new ArgumentException(
                $"source has shape {FormatShape(source.Shape)}, expected {FormatShape(Shape)}.", nameof(source));
        }

        source.Data.AsSpan().CopyTo(Data);
    }

    /// <summary>Rows of a rank-2 view: row <paramref name="row"/> of a <c>[R, C]</c> tensor.</summary>
    public Span<float> Row(int row)
    {
        int cols = _shape[^1];
        return Data.AsSpan(row * cols, cols);
    }

    /// <summary>Creates a tensor holding a copy of <paramref name="values"/>.</summary>
    public static Tensor FromArray(ReadOnlySpan<float> values, params int[] shape) => new(values.ToArray(), shape);

    /// <summary>Formats a shape as <c>[2, 3, 4]</c>.</summary>
    public static string FormatShape(ReadOnlySpan<int> shape)
    {
        var sb = new StringBuilder("[");
        for (int i = 0; i < shape.Length; i++)
        {
            if (i > 0)
            {
                sb.Append(", ");
            }

            sb.Append(shape[i]);
        }

        return sb.Append(']').ToString();
    }

    /// <inheritdoc/>
    public override string ToString() => $"Tensor{FormatShape(Shape)}";

    private int Offset2(int i, int j)
    {
        if (_shape.Length != 2)
        {
            throw new InvalidOperationException($"Two indices given to a rank-{_shape.Length} tensor.");
        }

        if ((uint)i >= (uint)_shape[0] || (uint)j >= (uint)_shape[1])
        {
            throw new IndexOutOfRangeException($"Index ({i}, {j}) is outside shape {FormatShape(Shape)}.");
        }

        return i * _shape[1] + j;
    }

    private int Offset3(int i, int j, int k)
    {
        if (_shape.Length != 3)
        {
            throw new InvalidOperationException($"Three indices given to a rank-{_shape.Length} tensor.");
        }

        if ((uint)i >= (uint)_shape[0] || (uint)j >= (uint)_shape[1] || (uint)k >= (uint)_shape[2])
        {
            throw new IndexOutOfRangeException($"Index ({i}, {j}, {k}) is outside shape {FormatShape(Shape)}.");
        }

        return (i * _shape[1] + j) * _shape[2] + k;
    }

    private static int CheckedLength(int[] shape, string paramName)
    {
        ArgumentNullException.ThrowIfNull(shape, paramName);
        if (shape.Length == 0)
        {
            throw new ArgumentException("A tensor needs at least one dimension.", paramName);
        }

        long length = 1;
        foreach (int d in shape)
        {
            if (d < 0)
            {
                throw new ArgumentException($"Shape {FormatShape(shape)} has a negative dimension.", paramName);
            }

            length *= d;
            if (length > Array.MaxLength)
            {
                throw new ArgumentException($"Shape {FormatShape(shape)} is too large for one array.", paramName);
            }
        }

        return (int)length;
    }
}
