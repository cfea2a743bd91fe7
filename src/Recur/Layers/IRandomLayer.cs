namespace Recur.Layers;

/// <summary>
/// A layer that draws random numbers while training (dropout masks). The training loop saves and restores
/// these generators in a checkpoint so a resumed run continues bit for bit.
/// </summary>
public interface IRandomLayer
{
    /// <summary>The generators the layer draws from in training; several layers may share one.</summary>
    IReadOnlyList<Rng> RandomSources { get; }
}
