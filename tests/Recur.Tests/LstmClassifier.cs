using Recur.Layers;
using Recur.Losses;
using Recur.Optimizers;
using Recur.Tensors;

namespace Recur.Tests;

/// <summary>
/// The tutorials' model for tests: Lstm on <c>[B, T, I]</c>, its last step into Dense → logits,
/// softmax cross-entropy with class indices. (The library's Sequential model comes later.)
/// </summary>
internal sealed class LstmClassifier(Lstm lstm, Dense dense)
{
    public Lstm Lstm { get; } = lstm;

    public Dense Dense { get; } = dense;

    public Parameter[] Parameters { get; } = [.. lstm.Parameters, .. dense.Parameters];

    public SoftmaxCrossEntropy Loss { get; } = new();

    /// <summary>Zero the gradients, forward, loss, backward, optionally clip, one optimizer step; returns the loss.</summary>
    public float TrainStep(Tensor x, int[] labels, Optimizer optimizer, float? clipNorm = null) =>
        TrainStep(x, labels, optimizer, clipNorm, out _);

    /// <inheritdoc cref="TrainStep(Tensor, int[], Optimizer, float?)"/>
    /// <param name="gradNorm">The global gradient norm before clipping (NaN when not clipping).</param>
    public float TrainStep(Tensor x, int[] labels, Optimizer optimizer, float? clipNorm, out float gradNorm)
    {
        optimizer.ZeroGrad(Parameters);
        float loss = Loss.Forward(Dense.Forward(Lstm.Forward(x, training: true), training: true), labels);
        Lstm.Backward(Dense.Backward(Loss.Gradient));
        gradNorm = clipNorm is float max ? GradientClipping.ClipByGlobalNorm(Parameters, max) : float.NaN;
        optimizer.Step(Parameters);
        return loss;
    }

    /// <summary>Logits <c>[B, classes]</c> (a buffer of the Dense layer).</summary>
    public Tensor Logits(Tensor x) => Dense.Forward(Lstm.Forward(x));
}
