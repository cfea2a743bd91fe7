using Recur.Layers;
using Recur.Tensors;

namespace Recur.Tests.Layers;

/// <summary>
/// A layer kind of a user's own, as the docs describe one: <c>y = x·w</c> with a weight per feature of the last
/// axis, its record and one registration line (<see cref="Register"/>).
/// </summary>
/// <param name="Initial">The value every weight starts at.</param>
internal sealed record ScaleLayer(float Initial = 1f) : LayerConfig
{
    /// <summary>Registers the kind as <c>Scale</c>; registering it again does nothing.</summary>
    public static void Register() => LayerKinds.Registry.Register<ScaleLayer>("Scale");

    public override int[] OutputShape(int[] inputShape) =>
        inputShape.Length > 0 && inputShape[^1] > 0 ? (int[])inputShape.Clone() : throw ShapeError(inputShape, "(None, …, features)");

    protected override ILayer CreateLayer(int[] inputShape, Rng rng) => new Scale(inputShape[^1], this with { Name = LayerName });
}

/// <summary>The engine layer of <see cref="ScaleLayer"/>: <c>x [B, …, F] → x·w</c>, <c>w [F]</c>.</summary>
internal sealed class Scale : ILayer
{
    private readonly Parameter _weight;
    private readonly Parameter[] _parameters;
    private readonly ScaleLayer _options;
    private Tensor? _input, _output, _dx;

    public Scale(int features, ScaleLayer options)
    {
        _options = options;
        _weight = new Parameter("weight", features);
        _weight.Value.Fill(options.Initial);
        _parameters = [_weight];
    }

    public string Name => _options.Name!;

    public IReadOnlyList<Parameter> Parameters => _parameters;

    public LayerConfig Options => _options;

    public Tensor Forward(Tensor x, bool training = false)
    {
        _input = x;
        Tensor y = Buffers.Ensure(ref _output, x.Shape);
        int f = _weight.Value.Length;
        for (int i = 0; i < x.Length; i++)
        {
            y.Data[i] = x.Data[i] * _weight.Value.Data[i % f];
        }

        return y;
    }

    public Tensor Backward(Tensor dy)
    {
        Tensor x = _input!, dx = Buffers.Ensure(ref _dx, dy.Shape);
        int f = _weight.Value.Length;
        for (int i = 0; i < dy.Length; i++)
        {
            dx.Data[i] = dy.Data[i] * _weight.Value.Data[i % f];
            _weight.Grad.Data[i % f] += dy.Data[i] * x.Data[i];
        }

        return dx;
    }
}
