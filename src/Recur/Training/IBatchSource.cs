using System.Text.Json.Nodes;
using Recur.Tensors;

namespace Recur.Training;

/// <summary>
/// Where the training loop's batches come from: in-memory tensors (<see cref="TensorBatches"/>) or a stream such as
/// <see cref="Data.DataSet.NextBatch(int)"/> (<see cref="DataSetBatches"/>). A source knows its position, and can save
/// and restore it, so a resumed run sees the same batches as one that never stopped.
/// </summary>
public interface IBatchSource
{
    /// <summary>Examples per epoch.</summary>
    int Count { get; }

    /// <summary>Batches per epoch: the loop ends an epoch after this many.</summary>
    int StepsPerEpoch { get; }

    /// <summary>
    /// The next batch: inputs <c>[b, …]</c> and targets <c>[b, …]</c>, buffers owned by the source and valid until the
    /// next call (b may be smaller than the nominal batch size at the end of an epoch).
    /// </summary>
    (Tensor X, Tensor Y) Next();

    /// <summary>
    /// The sequence mask <c>[b, T]</c> of the batch the last <see cref="Next"/> returned, or null when its sequences are
    /// all of full length (the default). A buffer owned by the source, valid until the next call.
    /// </summary>
    SequenceMask? Mask => null;

    /// <summary>The position and any random state, as JSON, for a checkpoint.</summary>
    JsonNode SaveState();

    /// <summary>Restores a position saved by <see cref="SaveState"/> from a source built the same way.</summary>
    /// <exception cref="InvalidDataException">The state does not belong to a source like this one.</exception>
    void RestoreState(JsonNode state);
}
