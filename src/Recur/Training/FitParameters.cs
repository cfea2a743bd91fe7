namespace Recur.Training;

/// <summary>What a <see cref="Callback"/> knows of the run (Keras's <c>callback.params</c>).</summary>
/// <param name="Epochs">The epoch count given to Fit (the last epoch is <c>Epochs − 1</c>).</param>
/// <param name="Steps">Training batches per epoch.</param>
/// <param name="Samples">Training examples per epoch.</param>
/// <param name="Verbose">0 silent, 1 progress bar, 2 one line per epoch.</param>
/// <param name="HasValidation">Whether the epoch logs carry <c>val_*</c> metrics.</param>
public sealed record FitParameters(int Epochs, int Steps, int Samples, int Verbose, bool HasValidation);
