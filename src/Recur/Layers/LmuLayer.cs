using System.Globalization;
using Recur.Initializers;

namespace Recur.Layers;

/// <summary>
/// keras-lmu's <c>LMU(memory_d=1, order, theta, hidden_cell, …)</c>: builds an <see cref="Lmu"/> reading
/// <c>[B, T, I]</c> (InputShape <c>[T, I]</c>) into <c>[B, Units]</c> — or <c>[B, Order]</c>, the memory, when
/// <paramref name="Units"/> is null (no hidden cell) — or every step's with <paramref name="ReturnSequences"/>.
/// The hidden cell is the paper's <c>tanh(W_m·m_t + W_h·h_{t−1} (+ W_x·x_t) + bias)</c>.
/// Weights <c>I (+ H) (+ d) + H·d + H·H (+ H·I) + H</c>.
/// </summary>
/// <param name="Order">d, the memory's order (Legendre polynomials kept); at least 1.</param>
/// <param name="Theta">θ, the window the memory spans, in steps; above 0 (often the sequence length).</param>
/// <param name="Units">H, the hidden cell's units; null, the default, for a memory-only LMU whose output is m_t.</param>
/// <param name="ReturnSequences">Return every step's output rather than the last one.</param>
/// <param name="HiddenToMemory">keras-lmu's <c>hidden_to_memory</c>: <c>h_{t−1}</c> feeds u (needs a hidden cell).</param>
/// <param name="MemoryToMemory">keras-lmu's <c>memory_to_memory</c>: <c>m_{t−1}</c> feeds u.</param>
/// <param name="InputToHidden">keras-lmu's <c>input_to_hidden</c>: <c>x_t</c> feeds the hidden cell (needs one).</param>
public sealed record LmuLayer(
    int Order,
    float Theta,
    int? Units = null,
    bool ReturnSequences = false,
    bool HiddenToMemory = false,
    bool MemoryToMemory = false,
    bool InputToHidden = false) : LayerConfig
{
    /// <summary>For the encoders, <c>memory_kernel</c> and <c>input_kernel</c>; Glorot uniform by default.</summary>
    public IInitializer KernelInitializer { get; init; } = new GlorotUniform();

    /// <summary>For <c>recurrent_kernel</c>; orthogonal by default.</summary>
    public IInitializer RecurrentInitializer { get; init; } = new Orthogonal();

    /// <summary>For <c>bias</c>; zeros by default.</summary>
    public IInitializer BiasInitializer { get; init; } = new Zeros();

    /// <summary><c>(steps, features)</c> → <c>(Units or Order)</c>, or <c>(steps, ·)</c> with <see cref="ReturnSequences"/>; checks the arguments.</summary>
    public override int[] OutputShape(int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        Check();
        if (inputShape.Length != 2 || inputShape[1] <= 0)
        {
            throw ShapeError(inputShape, "(None, steps, features): InputShape = [steps, features], e.g. [784, 1] for MNIST pixels");
        }

        int output = Units ?? Order;
        return ReturnSequences ? [inputShape[0], output] : [output];
    }

    /// <summary><c>LMU(order=256, theta=784, units=212)</c>.</summary>
    public override string Describe() =>
        string.Create(CultureInfo.InvariantCulture, $"LMU(order={Order}, theta={Theta}{(Units is int h ? $", units={h}" : ", memory only")}{(HiddenToMemory ? ", hidden_to_memory" : "")}{(MemoryToMemory ? ", memory_to_memory" : "")}{(InputToHidden ? ", input_to_hidden" : "")})");

    /// <summary>Throws, in one line naming the option, when an argument is out of range.</summary>
    internal void Check()
    {
        if (Order < 1)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Layer '{LayerName}' (LMU): Order must be at least 1; received {Order}."), nameof(Order));
        }

        if (!(Theta > 0) || !float.IsFinite(Theta))
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Layer '{LayerName}' (LMU): Theta must be a finite number above 0 (the window in steps, often the sequence length); received {Theta}."), nameof(Theta));
        }

        if (Units is int units && units < 1)
        {
            throw new ArgumentException(string.Create(CultureInfo.InvariantCulture, $"Layer '{LayerName}' (LMU): Units must be at least 1, or null for a memory-only LMU; received {units}."), nameof(Units));
        }

        if (Units is null && (HiddenToMemory || InputToHidden))
        {
            throw new ArgumentException($"Layer '{LayerName}' (LMU): {(HiddenToMemory ? "HiddenToMemory" : "InputToHidden")} needs a hidden cell, but Units is null; give Units or turn the option off.", HiddenToMemory ? nameof(HiddenToMemory) : nameof(InputToHidden));
        }
    }

    /// <inheritdoc/>
    protected override ILayer CreateLayer(int[] inputShape, Rng rng) =>
        new Lmu(inputShape[1], Order, Theta, Units, HiddenToMemory, MemoryToMemory, InputToHidden, ReturnSequences, KernelInitializer, RecurrentInitializer, BiasInitializer, rng, LayerName)
        {
            Options = this with { Name = LayerName, InputShape = InputShape ?? [-1, inputShape[1]] },
        };
}
