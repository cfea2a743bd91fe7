namespace Recur.Data;

/// <summary>
/// Baselines a forecasting model must beat, on the windows of a <see cref="TimeSeriesData"/>, scored by RMSE on the
/// test stretch in the target's units.
/// </summary>
public static class ForecastBaselines
{
    /// <summary>The root mean squared error between <paramref name="predicted"/> and <paramref name="actual"/> (in double).</summary>
    /// <exception cref="ArgumentException">The lengths differ or are 0.</exception>
    public static double Rmse(ReadOnlySpan<float> predicted, ReadOnlySpan<float> actual)
    {
        if (predicted.Length != actual.Length || actual.Length == 0)
        {
            throw new ArgumentException($"ForecastBaselines.Rmse: {predicted.Length} predictions for {actual.Length} values; give one per value, at least one.", nameof(predicted));
        }

        double sum = 0;
        for (int i = 0; i < actual.Length; i++)
        {
            double d = (double)predicted[i] - actual[i];
            sum += d * d;
        }

        return Math.Sqrt(sum / actual.Length);
    }

    /// <summary>Persistence: the forecast is the target's value at the window's last row ("tomorrow = today"). Its test RMSE.</summary>
    public static double Persistence(TimeSeriesData data)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Rmse(data.Test.LastTargets, data.Test.Targets);
    }

    /// <summary>
    /// A linear autoregression on the whole window: the standardised target is a weighted sum of the W · F standardised
    /// inputs plus a bias, fitted by least squares on the training stretch (the normal equations in double with a ridge
    /// term <paramref name="ridge"/> · I on the weights, not the bias, solved by Cholesky). Its test RMSE in the target's units.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ridge"/> is negative.</exception>
    public static double LinearAutoregression(TimeSeriesData data, double ridge = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(data);
        double[] weights = FitLinear(data.Train, ridge);
        return Rmse(PredictLinear(data, data.Test, weights), data.Test.Targets);
    }

    /// <summary>The weights (W · F, then the bias) of the least-squares fit described in <see cref="LinearAutoregression"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ridge"/> is negative.</exception>
    public static double[] FitLinear(TimeSeriesPart train, double ridge = 1e-3)
    {
        ArgumentNullException.ThrowIfNull(train);
        ArgumentOutOfRangeException.ThrowIfNegative(ridge);
        SequenceData d = train.Data;
        int k = d.Data.Features, m = k + 1;
        float[] x = d.Data.Images.Data, y = d.Targets!;
        var a = new double[m * m];
        var b = new double[m];
        var row = new double[m];
        for (int i = 0; i < d.Count; i++)
        {
            for (int j = 0; j < k; j++)
            {
                row[j] = x[i * k + j];
            }

            row[k] = 1;
            for (int p = 0; p < m; p++)
            {
                b[p] += row[p] * y[i];
                for (int q = 0; q <= p; q++)
                {
                    a[p * m + q] += row[p] * row[q];
                }
            }
        }

        for (int p = 0; p < k; p++)
        {
            a[p * m + p] += ridge * d.Count;
        }

        return SolveCholesky(a, b, m);
    }

    /// <summary>The predictions, in the target's units, of <paramref name="weights"/> (from <see cref="FitLinear"/>) on <paramref name="part"/>'s windows.</summary>
    public static float[] PredictLinear(TimeSeriesData data, TimeSeriesPart part, double[] weights)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(part);
        ArgumentNullException.ThrowIfNull(weights);
        int k = part.Data.Data.Features;
        if (weights.Length != k + 1)
        {
            throw new ArgumentException($"ForecastBaselines.PredictLinear: {weights.Length} weights for windows of {k} values; expected {k + 1} (the last is the bias).", nameof(weights));
        }

        float[] x = part.Data.Data.Images.Data;
        var predictions = new float[part.Count];
        for (int i = 0; i < predictions.Length; i++)
        {
            double s = weights[k];
            for (int j = 0; j < k; j++)
            {
                s += weights[j] * x[i * k + j];
            }

            predictions[i] = (float)data.Scaler.UnscaleTarget(s);
        }

        return predictions;
    }

    /// <summary>Solves A w = b for symmetric positive definite A (lower triangle filled, m × m, row-major).</summary>
    private static double[] SolveCholesky(double[] a, double[] b, int m)
    {
        var l = new double[m * m];
        for (int i = 0; i < m; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double s = a[i * m + j];
                for (int p = 0; p < j; p++)
                {
                    s -= l[i * m + p] * l[j * m + p];
                }

                if (i == j)
                {
                    if (!(s > 0))
                    {
                        throw new InvalidOperationException("ForecastBaselines: the normal equations are singular; use a ridge term above 0.");
                    }

                    l[i * m + i] = Math.Sqrt(s);
                }
                else
                {
                    l[i * m + j] = s / l[j * m + j];
                }
            }
        }

        var z = new double[m];
        for (int i = 0; i < m; i++)
        {
            double s = b[i];
            for (int p = 0; p < i; p++)
            {
                s -= l[i * m + p] * z[p];
            }

            z[i] = s / l[i * m + i];
        }

        var w = new double[m];
        for (int i = m - 1; i >= 0; i--)
        {
            double s = z[i];
            for (int p = i + 1; p < m; p++)
            {
                s -= l[p * m + i] * w[p];
            }

            w[i] = s / l[i * m + i];
        }

        return w;
    }
}
