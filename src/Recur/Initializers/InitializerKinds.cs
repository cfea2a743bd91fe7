namespace Recur.Initializers;

/// <summary>
/// Every initializer a layer record can name in <c>config.json</c>, by class name; register one of your own (a
/// record implementing <see cref="IInitializer"/>) once with <c>InitializerKinds.Registry.Register&lt;T&gt;("Name")</c>.
/// </summary>
public static class InitializerKinds
{
    /// <summary>The initializers (<see cref="GlorotUniform"/>, <see cref="Orthogonal"/>, <see cref="Chrono"/>, …).</summary>
    public static Registry<IInitializer> Registry { get; } = Stock();

    private static Registry<IInitializer> Stock()
    {
        var initializers = new Registry<IInitializer>("initializer", "InitializerKinds.Registry");
        initializers.Register<GlorotUniform>("GlorotUniform");
        initializers.Register<Orthogonal>("Orthogonal");
        initializers.Register<Zeros>("Zeros");
        initializers.Register<Constant>("Constant");
        initializers.Register<RandomNormal>("RandomNormal");
        initializers.Register<RandomUniform>("RandomUniform");
        initializers.Register<TorchUniform>("TorchUniform");
        initializers.Register<Chrono>("Chrono");
        return initializers;
    }
}
