using Recur.Layers;

namespace Recur.Models;

/// <summary>
/// What a model and a training run would need in memory, estimated from the layer records before anything is
/// allocated, so that a model too large for the machine is refused with a message rather than an
/// <see cref="OutOfMemoryException"/> (or an element count that overflows) half-way through.
/// </summary>
/// <remarks>
/// <para>The formula, in 4-byte floats: <c>bytes = 4 · (P · (2 + S) + B · A) + data</c>, where</para>
/// <list type="bullet">
/// <item><c>P</c> is the parameter count (<see cref="Parameters"/>): LSTM <c>4H(I + H) + 4H</c>, GRU
/// <c>3H(I + H) + 6H</c>, SimpleRNN <c>H(I + H) + H</c>, Dense <c>U·F (+ U)</c>, Embedding <c>V·D</c>, Bidirectional
/// both directions; other layers none. Weights and their gradients count twice; <c>S</c> optimizer slots per
/// parameter (Adam 2, SGD 0) are added.</item>
/// <item><c>A</c> is the activations one example keeps for the backward pass (<see cref="ActivationsPerExample"/>):
/// a recurrent layer <c>T · (G·H + 3·I + 2·H)</c> per direction (<c>G</c> = 6 LSTM, 4 GRU, 1 SimpleRNN: the gates and
/// states of every step, the step's operand <c>[x, h]</c>, its output and the input gradients), a Dense
/// <c>rows · (F + U)</c>, an Embedding <c>T·D</c>, any other layer its output. <c>B</c> is the batch size.</item>
/// <item><c>data</c> is the bytes of the data set held in memory, given by the caller.</item>
/// </list>
/// <para>Steps of any length (−1) count as one. A layer kind of your own counts as its output only.
/// <see cref="LargestTensor"/> is the most elements one weight holds, which must fit in one array.</para>
/// </remarks>
public static class MemoryEstimate
{
    /// <summary>The memory this process may use: <see cref="GCMemoryInfo.TotalAvailableMemoryBytes"/> (the machine's, or a container's limit).</summary>
    public static long AvailableBytes => GC.GetGCMemoryInfo().TotalAvailableMemoryBytes;

    /// <summary>P, the parameters of <paramref name="layers"/> built in order for input examples of <paramref name="inputShape"/> (no batch axis).</summary>
    /// <exception cref="ArgumentException">A record cannot take the shape it would receive.</exception>
    public static long Parameters(IEnumerable<LayerConfig> layers, int[] inputShape) => Walk(layers, inputShape).Parameters;

    /// <summary>A, the floats one example keeps for the backward pass through <paramref name="layers"/>.</summary>
    /// <exception cref="ArgumentException">A record cannot take the shape it would receive.</exception>
    public static long ActivationsPerExample(IEnumerable<LayerConfig> layers, int[] inputShape) => Walk(layers, inputShape).Activations;

    /// <summary>The most elements of any one weight of <paramref name="layers"/>.</summary>
    /// <exception cref="ArgumentException">A record cannot take the shape it would receive.</exception>
    public static long LargestTensor(IEnumerable<LayerConfig> layers, int[] inputShape) => Walk(layers, inputShape).Largest;

    /// <summary>
    /// The bytes of training <paramref name="layers"/> on batches of <paramref name="batchSize"/> examples with
    /// <paramref name="optimizerSlots"/> slots per parameter, <paramref name="dataBytes"/> of data held: see the remarks.
    /// </summary>
    /// <exception cref="ArgumentException">A record cannot take the shape it would receive.</exception>
    public static double TrainingBytes(IEnumerable<LayerConfig> layers, int[] inputShape, int batchSize, int optimizerSlots, double dataBytes)
    {
        var (parameters, activations, _) = Walk(layers, inputShape);
        return (4.0 * ((double)parameters * (2 + optimizerSlots) + (double)batchSize * activations)) + dataBytes;
    }

    /// <summary>The bytes of holding the weights of <paramref name="layers"/> and running one example through them: <c>4 · (P + A)</c>.</summary>
    /// <exception cref="ArgumentException">A record cannot take the shape it would receive.</exception>
    public static double InferenceBytes(IEnumerable<LayerConfig> layers, int[] inputShape)
    {
        var (parameters, activations, _) = Walk(layers, inputShape);
        return 4.0 * ((double)parameters + activations);
    }

    /// <summary>"3.1 GiB": a byte count for messages.</summary>
    public static string Format(double bytes) =>
        bytes >= 1 << 30 ? FormattableString.Invariant($"{bytes / (1 << 30):#,0.0} GiB") : FormattableString.Invariant($"{bytes / (1 << 20):0.0} MiB");

    private static (long Parameters, long Activations, long Largest) Walk(IEnumerable<LayerConfig> layers, int[] inputShape)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentNullException.ThrowIfNull(inputShape);
        long parameters = 0, activations = 0, largest = 0;
        int[] shape = inputShape;
        foreach (LayerConfig layer in layers)
        {
            int[] output = layer.OutputShape(shape);
            var (p, a, l) = Of(layer, shape, output);
            (parameters, activations, largest) = (parameters + p, activations + a, Math.Max(largest, l));
            shape = output;
        }

        return (parameters, activations, largest);
    }

    /// <summary>One layer's parameters, activations per example and largest weight, for its input and output shapes.</summary>
    private static (long Parameters, long Activations, long Largest) Of(LayerConfig layer, int[] input, int[] output)
    {
        long steps = input.Length > 1 ? Math.Max(1, input[0]) : 1, features = input[^1];
        switch (layer)
        {
            case BidirectionalLayer b:
                var forward = Of(b.Layer, input, b.Layer.OutputShape(input));
                var backward = b.BackwardLayer is null ? forward : Of(b.BackwardLayer, input, b.BackwardLayer.OutputShape(input));
                return (forward.Parameters + backward.Parameters, forward.Activations + backward.Activations, Math.Max(forward.Largest, backward.Largest));
            case RecurrentLayerConfig r:
                long h = r.Units;
                var (gates, biases, kept) = r switch
                {
                    LstmLayer { LayerNorm: true } => (4L, 22L, 15L), // + gains and shifts 16H + 2H; gate rows 13H + 3 (LayerNormCell.cs)
                    GruLayer { LayerNorm: true } => (3L, 18L, 10L),  // + 12H; gate rows 10H + 2
                    LstmLayer => (4L, 4L, 6L),
                    GruLayer => (3L, 6L, 4L),
                    _ => (1L, 1L, 1L),
                };
                return ((gates * h * (features + h)) + (biases * h), steps * ((kept * h) + (3 * features) + (2 * h)), gates * h * Math.Max(features, h));
            case DenseLayer d:
                long rows = input.Length == 2 ? steps : 1;
                return (((long)d.Units * features) + (d.UseBias ? d.Units : 0), rows * (features + d.Units), d.Units * features);
            case LmuLayer m:
                long hu = m.Units ?? 0, order = m.Order;
                long lmuParameters = features + (m.HiddenToMemory ? hu : 0) + (m.MemoryToMemory ? order : 0) + (hu * (order + hu + 1)) + (m.InputToHidden ? hu * features : 0);
                return (lmuParameters, (steps * (order + hu + features)) + (steps * order), Math.Max(Math.Max(order * order, steps * order), hu * Math.Max(order, hu)));
            case EmbeddingLayer e:
                return ((long)e.InputDim * e.OutputDim, steps * e.OutputDim, (long)e.InputDim * e.OutputDim);
            default:
                return (0, output.Aggregate(1L, (n, d) => n * Math.Max(1, d)), 0);
        }
    }
}
