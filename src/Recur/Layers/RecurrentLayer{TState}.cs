using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// A recurrent layer whose state between steps is a <typeparamref name="TState"/>: <see cref="LstmState"/>
/// <c>(H, C)</c> for <see cref="Lstm"/>, one <see cref="Tensor"/> h for <see cref="Gru"/> and <see cref="SimpleRnn"/>.
/// It holds, once, the state-typed half of their API — Forward from an initial state, Backward with the final
/// state's gradient, <see cref="FinalState"/>, <see cref="InitialStateGradient"/>, <see cref="Step(Tensor, TState)"/> and <see cref="Step(Tensor, TState, TState)"/>,
/// <see cref="Unroll"/>, <see cref="ZeroState"/> — so code and tests that drive any of them need no adapter
/// (<c>RecurrentLayer&lt;Tensor&gt;</c> drives a GRU and a simple RNN alike).
/// </summary>
/// <remarks>
/// <para>Why generic, over two classes: the state is in the signatures (an LSTM's Step takes and returns
/// <c>(h, c)</c>, a GRU's one tensor), and a common type without it would hand out a base state to cast. With the type
/// parameter each layer keeps exactly its API, and generic code keeps its types. What does not involve the state is
/// the non-generic <see cref="RecurrentLayer"/>, so rates, weights and the PyTorch form are reachable without naming
/// a state type.</para>
/// <para>Inside, every state is the h that RecurrentLoop carries plus, for an LSTM, the cell's own c (StateParts.cs
/// says how a state splits). This class runs the loop for all of them and the LSTM fills in c through four hooks
/// (<see cref="BeginCellState"/>, <see cref="CopyFinalCellState"/>, <see cref="BeginCellGradient"/>,
/// <see cref="CopyInitialCellGradient"/>), so no layer repeats Forward, Backward or the state bookkeeping.</para>
/// </remarks>
/// <typeparam name="TState">The state carried from step to step.</typeparam>
public abstract class RecurrentLayer<TState> : RecurrentLayer
    where TState : class
{
    private readonly StateParts<TState> _parts;
    private TState? _finalState;           // [B, H] each part: copies of the last step's
    private TState? _initialStateGradient; // [B, H] each part

    private protected RecurrentLayer(StateParts<TState> parts, int inputSize, int hiddenSize, int gateRows, string[] biasNames,
        Func<int, int, RecurrentLayout> layout, bool returnSequences, string name, (string Name, int Length, float Value)[]? norms = null)
        : base(inputSize, hiddenSize, gateRows, biasNames, layout, returnSequences, name, norms) => _parts = parts;

    /// <summary>
    /// The state after the last step of the last forward pass, <c>[B, H]</c> each part (owned by the layer; the next
    /// pass overwrites it).
    /// </summary>
    /// <exception cref="InvalidOperationException">No forward pass ran yet.</exception>
    public TState FinalState => _finalState ?? throw new InvalidOperationException($"{TypeName}.FinalState read before Forward.");

    /// <summary>
    /// The gradient with respect to the initial state of the last forward pass, <c>[B, H]</c> each part, set by Backward
    /// (a zero initial state gets it too).
    /// </summary>
    /// <exception cref="InvalidOperationException">No backward pass ran yet.</exception>
    public TState InitialStateGradient =>
        _initialStateGradient ?? throw new InvalidOperationException($"{TypeName}.InitialStateGradient read before Backward.");

    /// <summary>A zero state for <paramref name="batch"/> sequences, <c>[batch, H]</c> each part (new tensors).</summary>
    /// <exception cref="ArgumentOutOfRangeException">batch is not positive.</exception>
    public TState ZeroState(int batch)
    {
        ShapeCheck.Positive(batch, nameof(batch), TypeName + ".ZeroState");
        return _parts.Make(new Tensor(batch, HiddenSize), _parts.HasCell ? new Tensor(batch, HiddenSize) : null);
    }

    /// <inheritdoc/>
    public sealed override Tensor Forward(Tensor x, bool training = false) => Forward(x, null, training);

    /// <summary>
    /// <c>x: [B, T, I]</c>, optional <c>initialState</c> (<c>[B, H]</c> each part; zeros when null) → <c>[B, H]</c>, or
    /// <c>[B, T, H]</c> with <see cref="RecurrentLayer.ReturnSequences"/> (owned by the layer). The final state is then
    /// in <see cref="FinalState"/>. <c>training: false</c> keeps one step of state instead of all, and cannot be
    /// followed by Backward.
    /// </summary>
    /// <exception cref="ArgumentException">A shape differs from the one stated.</exception>
    public Tensor Forward(Tensor x, TState? initialState, bool training = false)
    {
        (int b, _) = Loop.CheckInput(x);
        if (initialState is not null)
        {
            CheckState(initialState, b, nameof(initialState));
        }

        Loop.Begin(x, initialState is null ? null : _parts.Hidden(initialState), training, InputMask);
        BeginCellState(initialState is null ? null : _parts.Cell(initialState), training);
        Tensor y = Loop.RunForward(x);
        _finalState = Ensure(_finalState, b);
        Loop.FinalH.Span.CopyTo(_parts.Hidden(_finalState).Span);
        if (_parts.Cell(_finalState) is { } c)
        {
            CopyFinalCellState(c);
        }

        return y;
    }

    /// <inheritdoc/>
    public sealed override Tensor Backward(Tensor dy) => Backward(dy, null);

    /// <summary>
    /// Back-propagates through the last forward pass. <paramref name="dy"/> is shaped like its output (<c>[B, H]</c> or
    /// <c>[B, T, H]</c>; null means zero); <paramref name="dFinalState"/> (<c>[B, H]</c> each part, optional) is the
    /// gradient with respect to <see cref="FinalState"/>. Returns <c>dx [B, T, I]</c> (owned by the layer), adds into
    /// the parameter gradients and sets <see cref="InitialStateGradient"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">No forward pass with <c>training: true</c> preceded this call, or
    /// Backward already ran after it (the backward pass overwrites the forward pass's gate activations).</exception>
    /// <exception cref="ArgumentException">A gradient's shape differs from the output or state it belongs to.</exception>
    public Tensor Backward(Tensor? dy, TState? dFinalState) =>
        BackwardFromParts(dy, dFinalState is null ? null : _parts.Hidden(dFinalState), dFinalState is null ? null : _parts.Cell(dFinalState));

    /// <summary>
    /// One step of the cell (TensorFlow's <c>cell(x_t, state)</c>): <c>x_t [B, I]</c>, <c>state</c> (<c>[B, H]</c> each
    /// part) → a new state, whose h <c>[B, H]</c> is the step's output — the bits of a step of Forward. Allocates the new
    /// state; <see cref="Step(Tensor, TState, TState)"/> writes into one of the caller's instead. Keeps nothing for
    /// Backward: it is the inference and streaming API; train through Forward.
    /// </summary>
    /// <exception cref="ArgumentException">A shape differs from the one stated.</exception>
    public TState Step(Tensor x, TState state)
    {
        int b = Loop.CheckStepInput(x);
        CheckState(state, b, nameof(state));
        return Step(x, state, ZeroState(b));
    }

    /// <summary>
    /// One step of the cell written into <paramref name="into"/>, which it returns: <c>x_t [B, I]</c>, <c>state</c> and
    /// <c>into</c> (<c>[B, H]</c> each part; <c>into</c> may be <c>state</c> itself, updated in place) — the streaming
    /// step. The numbers are those of <see cref="Step(Tensor, TState)"/> and of a step of Forward, bit for bit. The
    /// weights are packed once and used again while no parameter's <see cref="Parameter.Version"/> changes (an
    /// optimizer step, <c>CopyFromPyTorch</c>, loading weights; code that writes <see cref="Parameter.Value"/> itself
    /// calls <see cref="Parameter.MarkChanged"/>), and one or two rows are multiplied by a kernel of their own, so after
    /// the first call of a batch size it allocates nothing. It uses buffers of the layer's: one call at a time per layer.
    /// </summary>
    /// <exception cref="ArgumentException">A shape differs from the one stated.</exception>
    public TState Step(Tensor x, TState state, TState into)
    {
        int b = Loop.CheckStepInput(x);
        CheckState(state, b, nameof(state));
        CheckState(into, b, nameof(into));
        StepCell(Loop.StepGates(x, _parts.Hidden(state), WeightsVersion), state, into);
        return into;
    }

    /// <summary>
    /// TensorFlow's <c>static_rnn</c>: runs <see cref="Step(Tensor, TState)"/> over a list of per-step inputs <c>[B, I]</c> from
    /// <paramref name="initialState"/> (or <see cref="ZeroState"/>) and returns the list of per-step outputs
    /// <c>[B, H]</c>; <paramref name="finalState"/> receives the last state.
    /// </summary>
    /// <exception cref="ArgumentException">The list is empty, or a shape differs from the one stated.</exception>
    public IReadOnlyList<Tensor> Unroll(IReadOnlyList<Tensor> inputs, TState? initialState, out TState finalState) =>
        RecurrentLoop.Unroll(inputs, initialState, ZeroState, Step, _parts.Hidden, TypeName, out finalState);

    /// <summary>
    /// Backward with the final state's gradient given by parts, <paramref name="dFinalH"/> and <paramref name="dFinalC"/>
    /// (<c>[B, H]</c>, optional; dFinalC only for a state with a cell part): <see cref="Backward(Tensor?, TState?)"/>.
    /// </summary>
    private protected Tensor BackwardFromParts(Tensor? dy, Tensor? dFinalH, Tensor? dFinalC)
    {
        Loop.CheckBackward(dy, dFinalH);
        if (dFinalC is not null)
        {
            ShapeCheck.Same(dFinalC, _parts.Cell(_finalState!)!, nameof(dFinalC), TypeName);
        }

        BeginCellGradient(dFinalC);
        if (LayerNorm)
        {
            BeginNormGradients();
        }

        _initialStateGradient = Ensure(_initialStateGradient, Loop.Batch);
        Tensor dx = Loop.RunBackward(dy, dFinalH);
        Loop.InitialStateGradient.Span.CopyTo(_parts.Hidden(_initialStateGradient).Span);
        if (_parts.Cell(_initialStateGradient) is { } dc0)
        {
            CopyInitialCellGradient(dc0);
        }

        AddWeightGradients();
        return dx;
    }

    /// <summary>Throws unless every part of <paramref name="state"/> is <c>[batch, H]</c>; the message names <paramref name="name"/> (and the part).</summary>
    /// <exception cref="ArgumentException">A shape differs.</exception>
    private protected void CheckState(TState state, int batch, string name)
    {
        ArgumentNullException.ThrowIfNull(state, name);
        if (!_parts.HasCell)
        {
            Loop.CheckState(_parts.Hidden(state), batch, name);
            return;
        }

        Loop.CheckState(_parts.Hidden(state), batch, name, "H");
        Loop.CheckState(_parts.Cell(state)!, batch, name, "C");
    }

    /// <summary>Forward, after the loop's set-up: the cell sets up its own state for the pass from <paramref name="c0"/> (zeros when null).</summary>
    private protected virtual void BeginCellState(Tensor? c0, bool training)
    {
    }

    /// <summary>Forward, after the loop: the cell's own state after the last step into <paramref name="c"/> <c>[B, H]</c>.</summary>
    private protected virtual void CopyFinalCellState(Tensor c)
    {
    }

    /// <summary>Backward, before the loop: the gradient of the cell's own final state, <paramref name="dFinalC"/> (zero when null).</summary>
    private protected virtual void BeginCellGradient(Tensor? dFinalC)
    {
    }

    /// <summary>Backward, after the loop: the gradient of the cell's own initial state into <paramref name="dc0"/> <c>[B, H]</c>.</summary>
    private protected virtual void CopyInitialCellGradient(Tensor dc0)
    {
    }

    /// <summary>
    /// The streaming step's cell: from the pre-activations <paramref name="gates"/> <c>[B, G]</c> (RecurrentLoop.StepGates)
    /// and <paramref name="state"/>, the new state into <paramref name="into"/> (which may be <paramref name="state"/>).
    /// By default the layer's cell with h read from the state and written to <c>into</c> (row stride H).
    /// </summary>
    private protected virtual unsafe void StepCell(Tensor gates, TState state, TState into)
    {
        fixed (float* z = gates.Data, h = _parts.Hidden(state).Data, hNext = _parts.Hidden(into).Data)
        {
            CellForward(new RecurrentStep(z, h, hNext, null, HiddenSize, 0, gates.Dim(0), 0, 0, 0));
        }
    }

    /// <summary><paramref name="state"/> when its parts are <c>[batch, H]</c>, else a new zero state of that shape.</summary>
    private TState Ensure(TState? state, int batch) =>
        state is not null && _parts.Hidden(state).HasShape(batch, HiddenSize) ? state : ZeroState(batch);
}
