using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// A trainable tensor: its value, the gradient that <c>Backward</c> accumulates into (+=),
/// and a stable name in PyTorch's style (<c>weight_ih</c>, <c>bias</c>, ...). Optimizers
/// read <see cref="Grad"/>, update <see cref="Value"/> and zero the gradient.
/// </summary>
public sealed class Parameter
{
    /// <summary>Creates a parameter of the given shape with zero value and zero gradient.</summary>
    public Parameter(string name, params int[] shape)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Value = new Tensor(shape);
        Grad = new Tensor(shape);
    }

    /// <summary>
    /// Creates a vector parameter of <paramref name="length"/> elements whose value lives in the pinned object heap, so a
    /// kernel may keep a pointer to it for the parameter's lifetime (a layer-normalised cell's gains, shifts and biases).
    /// </summary>
    internal static Parameter Pinned(string name, int length) => new(name, new Tensor(GC.AllocateArray<float>(length, pinned: true), length));

    private Parameter(string name, Tensor value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name;
        Value = value;
        Grad = new Tensor(value.Length);
    }

    /// <summary>The name, unique within its layer (<c>weight</c>, <c>weight_ih</c>, <c>bias</c>, ...).</summary>
    public string Name { get; }

    /// <summary>
    /// The value. Code that writes it in place outside the library's own writers (optimizers, <c>CopyFromPyTorch</c>,
    /// loading a model or a state dict, <c>SetWeights</c>) calls <see cref="MarkChanged"/> afterwards, so a layer that
    /// keeps a packed copy (a recurrent layer's streaming <c>Step</c>) packs it again.
    /// </summary>
    public Tensor Value { get; }

    /// <summary>
    /// How many times <see cref="Value"/> has been marked changed (<see cref="MarkChanged"/>): a layer that keeps a
    /// copy of its weights in another layout compares it with the count it packed at.
    /// </summary>
    public long Version { get; private set; }

    /// <summary>The accumulated gradient of the loss with respect to <see cref="Value"/>; same shape.</summary>
    public Tensor Grad { get; }

    /// <summary>Whether optimizers update this parameter. Frozen parameters still accumulate gradients.</summary>
    public bool Trainable { get; set; } = true;

    /// <summary>Records that <see cref="Value"/> changed (see <see cref="Version"/>); cheap, call it after every write.</summary>
    public void MarkChanged() => Version++;

    /// <summary>Sets the gradient to zero.</summary>
    public void ZeroGrad() => Grad.Fill(0f);

    /// <inheritdoc/>
    public override string ToString() => $"{Name} {Tensor.FormatShape(Value.Shape)}";
}
