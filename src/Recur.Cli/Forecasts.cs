using Recur.Data;
using Recur.Models;
using Recur.Tensors;

namespace Recur.Cli;

/// <summary>A forecasting model's outputs in the target's units, and their errors.</summary>
internal static class Forecasts
{
    /// <summary>The forecasts for <paramref name="windows"/> <c>[N, W, F]</c> (standardised by <paramref name="scaler"/>), in the target's units <c>[N]</c>.</summary>
    public static float[] Predict(Sequential model, TimeSeriesScaler scaler, Tensor windows)
    {
        Tensor y = model.Predict(windows); // [N, 1], standardised
        var forecasts = new float[windows.Dim(0)];
        for (int i = 0; i < forecasts.Length; i++)
        {
            forecasts[i] = (float)scaler.UnscaleTarget(y.Data[i]);
        }

        return forecasts;
    }

    /// <summary>The root mean squared and mean absolute errors of <paramref name="predicted"/> against <paramref name="actual"/>.</summary>
    public static (double Rmse, double Mae) Errors(ReadOnlySpan<float> predicted, ReadOnlySpan<float> actual)
    {
        double absolute = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            absolute += Math.Abs((double)predicted[i] - actual[i]);
        }

        return (ForecastBaselines.Rmse(predicted, actual), absolute / actual.Length);
    }

    /// <summary>
    /// Windows <c>[N, W, F]</c> standardised by <paramref name="from"/> (the scaler a file's own training stretch gives),
    /// standardised instead by <paramref name="to"/> (the one the model was trained with), in place; the columns must match.
    /// </summary>
    /// <exception cref="InvalidDataException">The scalers read other columns.</exception>
    public static Tensor Restandardise(Tensor windows, TimeSeriesScaler from, TimeSeriesScaler to, string path)
    {
        if (!from.Columns.SequenceEqual(to.Columns))
        {
            throw new InvalidDataException(
                $"'{path}' gives the columns {string.Join(", ", from.Columns)}, but the model reads {string.Join(", ", to.Columns)}; give a series with the training file's columns.");
        }

        int f = to.Columns.Count;
        Span<float> x = windows.Span;
        for (int k = 0; k < x.Length; k++)
        {
            int j = k % f;
            double raw = x[k] * from.Deviations[j] + from.Means[j];
            x[k] = (float)((raw - to.Means[j]) / to.Deviations[j]);
        }

        return windows;
    }
}
