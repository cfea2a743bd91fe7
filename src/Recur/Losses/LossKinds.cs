namespace Recur.Losses;

/// <summary>
/// Every loss a compiled model's <c>config.json</c> can name, by class name; register one of your own once with
/// <c>LossKinds.Registry.Register&lt;T&gt;("Name", toConfig, fromConfig)</c>.
/// </summary>
public static class LossKinds
{
    /// <summary>The losses (<see cref="SoftmaxCrossEntropy"/>, <see cref="CategoricalCrossentropy"/>, …).</summary>
    public static Registry<ILoss> Registry { get; } = Stock();

    private static Registry<ILoss> Stock()
    {
        var losses = new Registry<ILoss>("loss", "LossKinds.Registry");
        losses.Register<SoftmaxCrossEntropy>("SoftmaxCrossEntropy", _ => [], _ => new SoftmaxCrossEntropy());
        losses.Register<CategoricalCrossentropy>(
            "CategoricalCrossentropy", l => new() { ["from_logits"] = l.FromLogits }, c => new(c.Flag("from_logits", "CategoricalCrossentropy")));
        losses.Register<SparseCategoricalCrossentropy>(
            "SparseCategoricalCrossentropy", l => new() { ["from_logits"] = l.FromLogits }, c => new(c.Flag("from_logits", "SparseCategoricalCrossentropy")));
        losses.Register<MeanSquaredError>("MeanSquaredError", _ => [], _ => new MeanSquaredError());
        losses.Register<MeanAbsoluteError>("MeanAbsoluteError", _ => [], _ => new MeanAbsoluteError());
        losses.Register<Huber>("Huber", l => new() { ["delta"] = (double)l.Delta }, c => new((float)c.Number("delta", "Huber")));
        losses.Register<BinaryCrossentropy>(
            "BinaryCrossentropy", l => new() { ["from_logits"] = l.FromLogits }, c => new(c.Flag("from_logits", "BinaryCrossentropy")));
        return losses;
    }
}
