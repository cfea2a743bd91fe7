namespace Recur.Data;

/// <summary>Where a <see cref="DataSet"/>'s <see cref="DataSet.NextBatch(int)"/> stands (see <see cref="DataSet.Position"/>).</summary>
/// <param name="Order">The current order of the examples.</param>
/// <param name="Shuffler">The state of the generator that shuffles them at each new epoch.</param>
/// <param name="EpochsCompleted">Epochs finished.</param>
/// <param name="IndexInEpoch">Examples of the current epoch served.</param>
/// <param name="Started">Whether the first batch was served (the first order is drawn then).</param>
public sealed record DataSetPosition(int[] Order, RngState Shuffler, int EpochsCompleted, int IndexInEpoch, bool Started);
