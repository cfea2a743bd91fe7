using System.Globalization;
using System.Text.Json.Serialization;
using Recur.Initializers;

namespace Recur.Layers;

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

    /// <summary>
    /// Layer-normalise the cell (Ba, Kiros and Hinton 2016, §3.3; <see cref="Lstm"/>'s and <see cref="Gru"/>'s remarks
    /// give the equations): the input and the recurrent products each normalised over their gate units, with gains
    /// (ones) and shifts (zeros) of their own, and an LSTM's cell state before its output tanh. An LSTM or a GRU only;
    /// false by default, and then not written to <c>config.json</c>, so files of plain layers read and write as before.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool LayerNorm { get; init; }

    /// <summary>ε of the normalisations, finite and above 0 (1e-3 by default, Keras's; <see cref="Lstm"/>'s constructor says why); read and written only with <see cref="LayerNorm"/>.</summary>
    [JsonIgnore]
    public float LayerNormEpsilon { get; init; } = 1e-3f;

    /// <summary><see cref="LayerNormEpsilon"/> as <c>config.json</c> holds it: present only with <see cref="LayerNorm"/>.</summary>
    [JsonInclude]
    [JsonPropertyName("layer_norm_epsilon")]
    private float? LayerNormEpsilonInFile
    {
        get => LayerNorm ? LayerNormEpsilon : null;
        init => LayerNormEpsilon = value ?? 1e-3f;
    }

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
        if (LayerNorm && !(float.IsFinite(LayerNormEpsilon) && LayerNormEpsilon > 0f))
        {
            throw new ArgumentOutOfRangeException(nameof(LayerNormEpsilon), LayerNormEpsilon,
                $"Layer '{LayerName}' ({ClassName}): LayerNormEpsilon must be finite and above 0 (1e-3 by default); received {LayerNormEpsilon}.");
        }
        if (inputShape.Length != 2 || inputShape[1] <= 0)
        {
            throw ShapeError(inputShape, "(None, steps, features): InputShape = [steps, features], e.g. [28, 28] for MNIST rows");
        }

        return ReturnSequences ? [inputShape[0], Units] : [Units];
    }

    /// <summary><c>LSTM(128)</c>, with <c>layer_norm</c> and the dropout rates that are set.</summary>
    public override string Describe() =>
        $"{ClassName}({Units}{DescribeArguments()}{(LayerNorm ? ", layer_norm" : "")}{Rate("dropout", Dropout)}{Rate("recurrent_dropout", RecurrentDropout)})";

    /// <summary>What <see cref="Describe"/> shows between the units and the rates (<c>, relu</c> for a SimpleRNN); nothing by default.</summary>
    protected virtual string DescribeArguments() => "";

    /// <summary>The record a built layer reports: named, with <c>InputShape = [-1, I]</c> unless it had one.</summary>
    protected RecurrentLayerConfig Built(int[] inputShape) => this with { Name = LayerName, InputShape = InputShape ?? [-1, inputShape[1]] };

    /// <summary>This record describing a layer built from its constructor: its name, <c>InputShape = [-1, I]</c>, the initializers it used and its layer normalisation.</summary>
    internal RecurrentLayerConfig Describing(RecurrentLayer layer, IInitializer kernel, IInitializer recurrent, IInitializer bias) =>
        this with
        {
            Name = layer.Name, InputShape = [-1, layer.InputSize], KernelInitializer = kernel, RecurrentInitializer = recurrent, BiasInitializer = bias,
            LayerNorm = layer.LayerNorm, LayerNormEpsilon = layer.LayerNorm ? layer.LayerNormEpsilon : LayerNormEpsilon,
        };

    private static string Rate(string name, float rate) => rate > 0 ? string.Create(CultureInfo.InvariantCulture, $", {name}={rate}") : "";

    private void CheckRate(float rate, string argument)
    {
        if (!(rate >= 0f && rate < 1f))
        {
            throw new ArgumentOutOfRangeException(argument, rate, $"Layer '{LayerName}' ({ClassName}): {argument} must be at least 0 and below 1; received {rate}.");
        }
    }
}
