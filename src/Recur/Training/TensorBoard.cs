using System.Text.Json.Nodes;
using Recur.IO;

namespace Recur.Training;

/// <summary>
/// Keras's <c>TensorBoard</c> callback: event files in <c>logDir/train</c> and <c>logDir/validation</c> with
/// <c>epoch_loss</c>, <c>epoch_accuracy</c> (and <c>epoch_learning_rate</c> in train) at step = epoch, and with a
/// batch frequency also <c>batch_loss</c>, <c>batch_accuracy</c> in train every N batches at step = the batch count
/// of the run. View with <c>tensorboard --logdir logDir</c>.
/// </summary>
public sealed class TensorBoard : Callback
{
    private readonly int _batchFrequency;
    private TensorBoardWriter? _train;
    private TensorBoardWriter? _validation;
    private long _globalBatch;

    /// <summary>Creates the callback, writing at epoch ends only (Keras's <c>update_freq="epoch"</c>).</summary>
    /// <param name="logDir">The run's log directory.</param>
    public TensorBoard(string logDir)
        : this(logDir, "epoch")
    {
    }

    /// <summary>Creates the callback.</summary>
    /// <param name="logDir">The run's log directory.</param>
    /// <param name="updateFreq"><c>"epoch"</c>, or a positive number of batches between <c>batch_*</c> scalars.</param>
    /// <exception cref="ArgumentException"><paramref name="updateFreq"/> is neither.</exception>
    public TensorBoard(string logDir, string updateFreq)
        : this(logDir, updateFreq == "epoch" ? 0
            : int.TryParse(updateFreq, out int n) && n > 0 ? n
            : throw new ArgumentException($"TensorBoard: updateFreq must be \"epoch\" or a positive batch count; received '{updateFreq}'.", nameof(updateFreq)))
    {
    }

    /// <summary>Creates the callback writing <c>batch_*</c> scalars every <paramref name="updateFreq"/> batches (0: epoch ends only).</summary>
    /// <param name="logDir">The run's log directory.</param>
    /// <param name="updateFreq">Batches between batch scalars; 0 for none.</param>
    public TensorBoard(string logDir, int updateFreq)
    {
        ArgumentException.ThrowIfNullOrEmpty(logDir);
        ArgumentOutOfRangeException.ThrowIfNegative(updateFreq);
        LogDir = logDir;
        _batchFrequency = updateFreq;
    }

    /// <summary>The run's log directory.</summary>
    public string LogDir { get; }

    /// <inheritdoc/>
    public override bool OnEveryReplica => false;

    /// <inheritdoc/>
    public override JsonNode SaveState() => new JsonObject { ["global_batch"] = _globalBatch };

    /// <inheritdoc/>
    public override void RestoreState(JsonNode state) => _globalBatch = (long?)state["global_batch"] ?? 0;

    /// <inheritdoc/>
    public override void OnTrainBegin()
    {
        _train = new TensorBoardWriter(Path.Combine(LogDir, "train"), ".v2");
        _globalBatch = 0;
    }

    /// <inheritdoc/>
    public override void OnBatchEnd(int batch, IDictionary<string, double> logs)
    {
        _globalBatch++;
        if (_batchFrequency > 0 && _globalBatch % _batchFrequency == 0 && _train is not null)
        {
            foreach (var (key, value) in logs)
            {
                _train.AddScalar("batch_" + key, (float)value, _globalBatch);
            }
        }
    }

    /// <inheritdoc/>
    public override void OnEpochEnd(int epoch, IDictionary<string, double> logs)
    {
        TensorBoardWriter train = _train ?? throw new InvalidOperationException("TensorBoard: OnEpochEnd before OnTrainBegin.");
        foreach (var (key, value) in logs)
        {
            if (key.StartsWith("val_", StringComparison.Ordinal))
            {
                _validation ??= new TensorBoardWriter(Path.Combine(LogDir, "validation"), ".v2");
                _validation.AddScalar("epoch_" + key[4..], (float)value, epoch);
            }
            else
            {
                train.AddScalar(key == "lr" ? "epoch_learning_rate" : "epoch_" + key, (float)value, epoch);
            }
        }

        train.Flush();
        _validation?.Flush();
    }

    /// <inheritdoc/>
    public override void OnTrainEnd(IDictionary<string, double> logs)
    {
        _train?.Dispose();
        _validation?.Dispose();
        _train = _validation = null;
    }
}
