using Recur.Tensors;

namespace Recur.Initializers;

/// <summary>
/// Fills a parameter tensor with initial values.
/// </summary>
/// <remarks>
/// <para>
/// Fan-in and fan-out are given by the caller, because only the layer knows which axis of
/// its weight is which. Recur stores weights in PyTorch's layout, <c>[out, in]</c>
/// (<c>weight_ih</c> is <c>[4H, I]</c>, <c>weight_hh</c> is <c>[4H, H]</c>, a Dense weight
/// is <c>[units, in]</c>), so for a rank-2 weight fanIn = <c>Dim(1)</c> and fanOut =
/// <c>Dim(0)</c>; <see cref="Initializer.Fans"/> computes exactly that (PyTorch's
/// <c>_calculate_fan_in_and_fan_out</c>) and the extension
/// <see cref="Initializer.Fill(IInitializer, Tensor, Rng)"/> uses it. Note that Keras's
/// kernels are the transpose, <c>[in, out]</c>, so Keras reads its fans from the other axes;
/// the numbers are the same for the same logical weight.
/// </para>
/// <para>
/// Initializers that depend only on the shape (<see cref="Orthogonal"/>) or on nothing
/// (<see cref="Zeros"/>, <see cref="Constant"/>, <see cref="RandomNormal"/>) ignore the fans.
/// Random initializers draw from <c>rng</c> in element order (row-major), so the same seed
/// gives the same tensor.
/// </para>
/// </remarks>
public interface IInitializer
{
    /// <summary>
    /// Overwrites every element of <paramref name="tensor"/> (any shape).
    /// </summary>
    /// <param name="tensor">The tensor to fill, e.g. a weight <c>[out, in]</c> or a bias <c>[out]</c>.</param>
    /// <param name="fanIn">The number of inputs feeding each output unit (<c>in</c> for <c>[out, in]</c>).</param>
    /// <param name="fanOut">The number of output units each input feeds (<c>out</c> for <c>[out, in]</c>).</param>
    /// <param name="rng">The random source; advanced by random initializers only.</param>
    /// <exception cref="ArgumentNullException"><paramref name="tensor"/> or <paramref name="rng"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">A fan this initializer needs is not positive.</exception>
    void Fill(Tensor tensor, int fanIn, int fanOut, Rng rng);
}
