namespace Recur.Layers;

/// <summary>
/// A layer that draws random numbers while training (dropout masks). The training loop saves and restores
/// these generators in a checkpoint so a resumed run continues bit for bit.
/// </summary>
/// <remarks>
/// A layer lists the generator objects it draws from, not copies: several layers may share one <see cref="Rng"/>
/// (the CLI hands one to every layer it builds), so a caller that saves them dedupes by reference and restores each
/// generator once, through <see cref="Rng.State"/>.
/// </remarks>
public interface IRandomLayer
{
    /// <summary>The generators the layer draws from in training, in a fixed order; the same objects on every call.</summary>
    IReadOnlyList<Rng> RandomSources { get; }
}
