namespace ForecastExample;

/// <summary>The forecasting model's sizes and training settings (the defaults are the ones chosen by validation RMSE; see README.md).</summary>
public sealed record ForecastOptions
{
    /// <summary>"lstm" or "gru".</summary>
    public string Cell { get; init; } = "gru";

    /// <summary>The recurrent layer's units.</summary>
    public int Units { get; init; } = 16;

    /// <summary>"mse" or "huber" (on standardised targets).</summary>
    public string Loss { get; init; } = "huber";

    /// <summary>The most epochs; early stopping on the validation loss usually ends training sooner.</summary>
    public int MaxEpochs { get; init; } = 200;

    /// <summary>Epochs without a better validation loss before training stops (the best epoch's weights are kept).</summary>
    public int Patience { get; init; } = 15;

    /// <summary>Windows per step.</summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Adam's learning rate.</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Seeds the weights and the order of the batches.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>The settings on one line.</summary>
    public override string ToString() =>
        $"cell {Cell}, units {Units}, loss {Loss}, Adam lr {LearningRate}, batch {BatchSize}, at most {MaxEpochs} epochs, patience {Patience}";
}
