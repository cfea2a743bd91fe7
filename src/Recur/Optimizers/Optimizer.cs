using Recur.Layers;

namespace Recur.Optimizers;

/// <summary>
/// Updates parameters from their gradients. <see cref="Step"/> updates every
/// <see cref="Parameter.Trainable"/> parameter from its <see cref="Parameter.Grad"/> and
/// leaves the gradients alone; call <see cref="ZeroGrad"/> before the next backward pass
/// (as PyTorch's <c>optimizer.step()</c> / <c>optimizer.zero_grad()</c>).
/// </summary>
/// <remarks>
/// <para>
/// Per-parameter state (moments, momentum buffers) is keyed by the <see cref="Parameter"/>
/// object and created, zero-filled, the first time a step sees that parameter; after that a
/// step allocates nothing. Frozen parameters (<c>Trainable = false</c>) are skipped
/// entirely: their value and state do not change and, for optimizers with a per-parameter
/// step count (<see cref="Adam"/>), their count does not advance — as PyTorch skips
/// parameters whose <c>grad</c> is None.
/// </para>
/// <para>
/// Hyperparameters are doubles, like PyTorch's Python floats; each kernel rounds them to
/// float once per step and then runs in float32. Not thread-safe.
/// </para>
/// </remarks>
public abstract class Optimizer
{
    /// <summary>Initialises the learning rate.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="learningRate"/> is not finite and positive.</exception>
    protected Optimizer(double learningRate)
    {
        LearningRate = learningRate;
    }

    /// <summary>
    /// The learning rate; settable between steps (for schedules). Must be finite and positive.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is zero, negative, NaN or infinite.</exception>
    public double LearningRate
    {
        get;
        set
        {
            if (!(value > 0.0) || !double.IsFinite(value))
            {
                throw new ArgumentOutOfRangeException(
                    "learningRate", value, $"learningRate must be finite and positive, got {value}.");
            }

            field = value;
        }
    }

    /// <summary>The number of completed <see cref="Step"/> calls.</summary>
    public long Iterations { get; private set; }

    /// <summary>
    /// Updates every trainable parameter in <paramref name="parameters"/> from its gradient,
    /// in list order, then increments <see cref="Iterations"/>. Does not zero the gradients.
    /// Allocates only the state of parameters it has not seen before.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> or one of its items is null.</exception>
    public void Step(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        int count = parameters.Count;
        for (int i = 0; i < count; i++)
        {
            if (parameters[i] is null)
            {
                throw new ArgumentNullException(nameof(parameters), $"parameters[{i}] is null.");
            }
        }

        for (int i = 0; i < count; i++)
        {
            Parameter p = parameters[i];
            if (p.Trainable)
            {
                Update(p);
            }
        }

        Iterations++;
    }

    /// <summary>Zeroes the gradient of every parameter in <paramref name="parameters"/>, frozen ones included.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="parameters"/> or one of its items is null.</exception>
    public void ZeroGrad(IReadOnlyList<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        for (int i = 0; i < parameters.Count; i++)
        {
            Parameter p = parameters[i] ?? throw new ArgumentNullException(nameof(parameters), $"parameters[{i}] is null.");
            p.ZeroGrad();
        }
    }

    /// <summary>Forgets all per-parameter state and sets <see cref="Iterations"/> to 0.</summary>
    public void Reset()
    {
        ResetState();
        Iterations = 0;
    }

    /// <summary>
    /// Applies one update to a trainable parameter from its gradient. Must not allocate
    /// once the parameter's state exists.
    /// </summary>
    protected abstract void Update(Parameter parameter);

    /// <summary>Drops all per-parameter state (called by <see cref="Reset"/>).</summary>
    protected abstract void ResetState();

    /// <summary>Throws unless <paramref name="value"/> is in [0, 1).</summary>
    private protected static double CheckUnitInterval(double value, string name)
    {
        if (!(value >= 0.0 && value < 1.0))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be in [0, 1), got {value}.");
        }

        return value;
    }

    /// <summary>Throws unless <paramref name="value"/> is finite and positive.</summary>
    private protected static double CheckPositive(double value, string name)
    {
        if (!(value > 0.0) || !double.IsFinite(value))
        {
            throw new ArgumentOutOfRangeException(name, value, $"{name} must be finite and positive, got {value}.");
        }

        return value;
    }
}
