namespace Recur.Optimizers;

/// <summary>
/// Every optimizer a compiled model's <c>config.json</c> can name, by class name, with its settings (its slots are in
/// <c>optimizer.safetensors</c>); register one of your own once with
/// <c>OptimizerKinds.Registry.Register&lt;T&gt;("Name", toConfig, fromConfig)</c>.
/// </summary>
public static class OptimizerKinds
{
    /// <summary>The optimizers (<see cref="Adam"/>, <see cref="Sgd"/>, <see cref="Momentum"/>, <see cref="RmsProp"/>).</summary>
    public static Registry<Optimizer> Registry { get; } = Stock();

    private static Registry<Optimizer> Stock()
    {
        var optimizers = new Registry<Optimizer>("optimizer", "OptimizerKinds.Registry");
        optimizers.Register<Adam>(
            "Adam",
            o => new() { ["learning_rate"] = o.LearningRate, ["beta1"] = o.Beta1, ["beta2"] = o.Beta2, ["epsilon"] = o.Epsilon },
            c => new(c.Number("learning_rate", "Adam"), c.Number("beta1", "Adam"), c.Number("beta2", "Adam"), c.Number("epsilon", "Adam")));
        optimizers.Register<Sgd>("Sgd", o => new() { ["learning_rate"] = o.LearningRate }, c => new(c.Number("learning_rate", "Sgd")));
        optimizers.Register<Momentum>(
            "Momentum",
            o => new() { ["learning_rate"] = o.LearningRate, ["momentum"] = o.Coefficient, ["nesterov"] = o.Nesterov },
            c => new(c.Number("learning_rate", "Momentum"), c.Number("momentum", "Momentum"), c.Flag("nesterov", "Momentum")));
        optimizers.Register<RmsProp>(
            "RmsProp",
            o => new() { ["learning_rate"] = o.LearningRate, ["alpha"] = o.Alpha, ["epsilon"] = o.Epsilon, ["momentum"] = o.Momentum, ["centered"] = o.Centered },
            c => new(c.Number("learning_rate", "RmsProp"), c.Number("alpha", "RmsProp"), c.Number("epsilon", "RmsProp"), c.Number("momentum", "RmsProp"), c.Flag("centered", "RmsProp")));
        return optimizers;
    }
}
