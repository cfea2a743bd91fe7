using System.Globalization;
using Recur.Initializers;
using Recur.Layers;

namespace Recur.Models;

/// <summary>
/// What the recurrent records (<see cref="LstmLayer"/>, <see cref="GruLayer"/>, <see cref="SimpleRnnLayer"/>) share:
/// <c>(steps, features)</c> → <c>(Units)</c>, or <c>(steps, Units)</c> with <paramref name="ReturnSequences"/>; the
/// dropout rates; the three initializers, with Keras's defaults (Glorot uniform, orthogonal, zeros).
/// </summary>
/// <param name="Units">H, the hidden size; positive.</param>
/// <param name="ReturnSequences">Return every step's output rather than the last one.</param>
/// <param name="Dropout">Keras's <c>dropout</c>, in [0, 1).</param>
/// <param name="RecurrentDropout">Keras's <c>recurrent_dropout</c>, in [0, 1).</param>
public abstract record RecurrentLayerConfig(int Units, bool ReturnSequences, float Dropout, float RecurrentDropout) : LayerConfig
{
    /// <summary>For <c>weight_ih</c> (Keras's <c>kernel</c>); Glorot uniform by default.</summary>
    public IInitializer KernelInitializer { get; init; } = new GlorotUniform();

    /// <summary>For <c>weight_hh</c> (Keras's <c>recurrent_kernel</c>); orthogonal by default.</summary>
    public IInitializer RecurrentInitializer { get; init; } = new Orthogonal();

    /// <summary>For the biases; zeros by default (<see cref="Chrono"/> for an LSTM's or a GRU's on long sequences).</summary>
    public IInitializer BiasInitializer { get; init; } = new Zeros();

    /// <summary>True: a recurrent layer reads its sequence step by step.</summary>
    protected override bool Recurrent => true;

    /// <summary>
    /// <c>(steps, features)</c> → <c>(Units)</c>, or <c>(steps, Units)</c> with <see cref="ReturnSequences"/>; throws a
    /// message naming the layer when <see cref="Units"/> is not positive, a dropout rate is not in [0, 1) or the
    /// input is not a sequence.
    /// </summary>
    public override int[] OutputShape(int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(inputShape);
        ShapeCheck.Positive(Units, "Units", GetType().Name);
        CheckRate(Dropout, "Dropout");
        CheckRate(RecurrentDropout, "RecurrentDropout");
        if (inputShape.Length != 2 || inputShape[1] <= 0)
        {
            throw ShapeError(inputShape, "(None, steps, features): InputShape = [steps, features], e.g. [28, 28] for MNIST rows");
        }

        return ReturnSequences ? [inputShape[0], Units] : [Units];
    }

    /// <summary><c>LSTM(128)</c>, with the dropout rates that are set.</summary>
    public override string Describe() => $"{ClassName}({Units}{DescribeArguments()}{Rate("dropout", Dropout)}{Rate("recurrent_dropout", RecurrentDropout)})";

    /// <summary>What <see cref="Describe"/> shows between the units and the rates (<c>, relu</c> for a SimpleRNN); nothing by default.</summary>
    protected virtual string DescribeArguments() => "";

    /// <summary>The record a built layer reports: named, with <c>InputShape = [-1, I]</c> unless it had one.</summary>
    protected RecurrentLayerConfig Built(int[] inputShape) => this with { Name = LayerName, InputShape = InputShape ?? [-1, inputShape[1]] };

    /// <summary>This record describing a layer built from its constructor: its name, <c>InputShape = [-1, I]</c> and the initializers it used.</summary>
    internal RecurrentLayerConfig Describing(IRecurrentLayer layer, IInitializer kernel, IInitializer recurrent, IInitializer bias) =>
        this with { Name = layer.Name, InputShape = [-1, layer.InputSize], KernelInitializer = kernel, RecurrentInitializer = recurrent, BiasInitializer = bias };

    private static string Rate(string name, float rate) => rate > 0 ? string.Create(CultureInfo.InvariantCulture, $", {name}={rate}") : "";

    private void CheckRate(float rate, string argument)
    {
        if (!(rate >= 0f && rate < 1f))
        {
            throw new ArgumentOutOfRangeException(argument, rate, $"Layer '{LayerName}' ({ClassName}): {argument} must be at least 0 and below 1; received {rate}.");
        }
    }
}
