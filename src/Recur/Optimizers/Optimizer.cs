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

    /// <summary>
    /// The optimizer Keras names <paramref name="name"/>, with Keras's defaults: <c>adam</c> (lr 0.001, β1 0.9,
    /// β2 0.999, ε 1e-7) or <c>sgd</c> (lr 0.01). Construct <see cref="RmsProp"/> and <see cref="Momentum"/>
    /// directly: their update differs from Keras's in details their docs describe.
    /// </summary>
    /// <exception cref="ArgumentException">The name is not one of these.</exception>
    public static Optimizer FromName(string name) => name switch
    {
        "adam" => new Adam(0.001, 0.9, 0.999, 1e-7),
        "sgd" => new Sgd(0.01),
        _ => throw new ArgumentException(
            $"Unknown optimizer name '{name}'; use \"adam\" or \"sgd\", or pass an optimizer object (new Adam(0.001), new RmsProp(...), new Momentum(...)).", nameof(name)),
    };

    /// <summary>The number of completed <see cref="Step"/> calls.</summary>
    public long Iterations { get; private set; }

    /// <summary>
    /// A copy of the optimizer's state for the given parameters, keyed by their names: every per-parameter buffer as
    /// <c>name.slot</c> (PyTorch's slot names: <c>exp_avg</c>, <c>exp_avg_sq</c>, <c>momentum_buffer</c>,
    /// <c>square_avg</c>, <c>grad_avg</c>), each parameter's own step count where the optimizer keeps one, the
    /// learning rate and <see cref="Iterations"/>. <see cref="ImportState"/> on a new optimizer of the same kind and
    /// settings makes its next steps identical to this one's.
    /// </summary>
    /// <param name="parameters">The parameters by stable name (e.g. <c>lstm.weight_ih</c>).</param>
    public OptimizerState ExportState(IEnumerable<KeyValuePair<string, Parameter>> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var slots = new SortedDictionary<string, float[]>(StringComparer.Ordinal);
        var steps = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (name, p) in parameters)
        {
            foreach (var (slot, values) in GetSlots(p))
            {
                slots.Add($"{name}.{slot}", (float[])values.Clone());
            }

            if (GetStep(p) is long step)
            {
                steps.Add(name, step);
            }
        }

        return new OptimizerState(GetType().Name, LearningRate, Iterations, slots, steps);
    }

    /// <summary>Replaces the optimizer's state by <paramref name="state"/> (from <see cref="ExportState"/>), for the parameters named as there.</summary>
    /// <exception cref="ArgumentException">The state is of another optimizer kind, or a buffer's length does not match its parameter.</exception>
    public void ImportState(OptimizerState state, IEnumerable<KeyValuePair<string, Parameter>> parameters)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(parameters);
        if (state.Optimizer != GetType().Name)
        {
            throw new ArgumentException($"The saved optimizer state is of {state.Optimizer}, not {GetType().Name}; compile with the same optimizer to resume.", nameof(state));
        }

        ResetState();
        foreach (var (name, p) in parameters)
        {
            var slots = new Dictionary<string, float[]>(StringComparer.Ordinal);
            string prefix = name + ".";
            foreach (var (key, values) in state.Slots)
            {
                if (key.StartsWith(prefix, StringComparison.Ordinal) && !key.AsSpan(prefix.Length).Contains('.'))
                {
                    if (values.Length != p.Value.Length)
                    {
                        throw new ArgumentException($"The saved optimizer buffer '{key}' has {values.Length} values but parameter '{name}' has {p.Value.Length}.", nameof(state));
                    }

                    slots[key[prefix.Length..]] = (float[])values.Clone();
                }
            }

            if (slots.Count > 0 || state.Steps.ContainsKey(name))
            {
                SetSlots(p, slots, state.Steps.GetValueOrDefault(name));
            }
        }

        LearningRate = state.LearningRate;
        Iterations = state.Iterations;
    }

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
                p.MarkChanged();
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

    /// <summary>The live per-parameter buffers of <paramref name="parameter"/> by slot name; none when it has no state (the default: a stateless optimizer).</summary>
    protected virtual IEnumerable<KeyValuePair<string, float[]>> GetSlots(Parameter parameter) => [];

    /// <summary>The parameter's own step count, for optimizers that keep one; null otherwise.</summary>
    protected virtual long? GetStep(Parameter parameter) => null;

    /// <summary>Creates <paramref name="parameter"/>'s state from saved buffers (already copied) and step count. The default ignores them.</summary>
    protected virtual void SetSlots(Parameter parameter, IReadOnlyDictionary<string, float[]> slots, long step)
    {
    }

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
