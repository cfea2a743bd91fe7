using System.Diagnostics;
using Recur.Data;
using Recur.Layers;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Training;

namespace ForecastExample;

/// <summary>
/// The model of the example, in Keras's words: <c>Sequential([GRU(16, input_shape=(W, F)), Dense(1)])</c> compiled
/// with <c>huber</c> and Adam, trained on standardised windows with <c>EarlyStopping(monitor='val_loss',
/// restore_best_weights=True)</c>.
/// </summary>
public static class ForecastModel
{
    /// <summary>The model for windows of <paramref name="window"/> steps of <paramref name="features"/> values, compiled.</summary>
    public static Sequential Build(int window, int features, ForecastOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        LayerConfig recurrent = options.Cell switch
        {
            "lstm" => new LstmLayer(options.Units) { InputShape = [window, features] },
            "gru" => new GruLayer(options.Units) { InputShape = [window, features] },
            _ => throw new ArgumentException($"ForecastModel: cell '{options.Cell}' is not one of lstm, gru; give --cell lstm or --cell gru.", nameof(options)),
        };
        var model = new Sequential(options.Seed, "forecast") { recurrent, new DenseLayer(1) };
        model.Compile(options.Loss, new Adam(options.LearningRate), ["rmse"]);
        return model;
    }

    /// <summary>
    /// Builds the model and trains it on the training stretch, validating on the validation stretch after every epoch,
    /// until the validation loss has not improved for <see cref="ForecastOptions.Patience"/> epochs; the best epoch's
    /// weights are kept.
    /// </summary>
    /// <returns>The model, its history, the best epoch (1-based) and the training wall time.</returns>
    public static (Sequential Model, History History, int BestEpoch, TimeSpan Elapsed) Train(TimeSeriesData data, ForecastOptions options, int verbose = 0)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        Sequential model = Build(data.Window, data.Features, options);
        var stop = new EarlyStopping("val_loss", patience: options.Patience, restoreBestWeights: true);
        var clock = Stopwatch.StartNew();
        History history = model.Fit(data.Train.Data.Sequences, data.Train.Data.TargetTensor, batchSize: options.BatchSize, epochs: options.MaxEpochs,
            verbose: verbose, callbacks: [stop], validationData: (data.Validation.Data.Sequences, data.Validation.Data.TargetTensor));
        return (model, history, stop.BestEpoch + 1, clock.Elapsed);
    }

    /// <summary>The model's forecasts for <paramref name="part"/>'s windows, in the target's units <c>[N]</c>.</summary>
    public static float[] Forecast(Sequential model, TimeSeriesData data, TimeSeriesPart part)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(part);
        Tensor scaled = model.Predict(part.Data.Sequences); // [N, 1]
        return scaled.Data.AsSpan(0, part.Count).ToArray().Select(v => (float)data.Scaler.UnscaleTarget(v)).ToArray();
    }

    /// <summary>The mean, step by step, of several models' forecasts <c>K × [N]</c> → <c>[N]</c>: the ensemble's forecast.</summary>
    public static float[] Average(IReadOnlyList<float[]> forecasts)
    {
        ArgumentNullException.ThrowIfNull(forecasts);
        if (forecasts.Count == 0 || forecasts.Any(f => f.Length != forecasts[0].Length))
        {
            throw new ArgumentException($"ForecastModel.Average: give at least one forecast, all of one length; got {forecasts.Count} of lengths {string.Join(", ", forecasts.Select(f => f.Length))}.", nameof(forecasts));
        }

        var mean = new float[forecasts[0].Length];
        for (int i = 0; i < mean.Length; i++)
        {
            mean[i] = (float)forecasts.Average(f => (double)f[i]);
        }

        return mean;
    }
}
