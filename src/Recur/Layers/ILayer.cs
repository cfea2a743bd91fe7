using Recur.Models;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// A differentiable layer. <see cref="Forward"/> caches what <see cref="Backward"/> needs;
/// <see cref="Backward"/> returns the gradient with respect to the input and
/// <b>accumulates</b> (+=) into each parameter's <see cref="Parameter.Grad"/>; optimizers zero them.
/// </summary>
/// <remarks>
/// Tensors returned by <see cref="Forward"/> and <see cref="Backward"/> are buffers owned by the
/// layer and reused by the next call with the same shapes; <see cref="Tensor.Clone"/> one to keep it.
/// </remarks>
public interface ILayer
{
    /// <summary>The layer's name, used as the prefix of its parameters' names in checkpoints.</summary>
    string Name { get; }

    /// <summary>The trainable tensors, in a fixed order.</summary>
    IReadOnlyList<Parameter> Parameters { get; }

    /// <summary>
    /// The options record that rebuilds this layer as it is now (Keras's <c>get_config</c>: its kind, sizes,
    /// initializers and rates), which models build from and save; null, the default, for a layer that has none — a
    /// model holding it runs, but cannot be saved until the layer returns a <see cref="LayerConfig"/> whose type is
    /// registered with <see cref="Registries.Layers"/>.
    /// </summary>
    LayerConfig? Options => null;

    /// <summary>Runs the layer. Shapes are given by each implementation.</summary>
    /// <param name="x">The input batch.</param>
    /// <param name="training">True when a <see cref="Backward"/> call will follow.</param>
    Tensor Forward(Tensor x, bool training = false);

    /// <summary>Back-propagates <paramref name="dy"/> (shaped like the last output) through the last <see cref="Forward"/>.</summary>
    /// <returns>The gradient with respect to that call's input, shaped like it.</returns>
    Tensor Backward(Tensor dy);
}
