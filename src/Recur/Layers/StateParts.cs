using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// How a recurrent layer's state splits into the <c>h</c> that <see cref="RecurrentLoop"/> carries and the state the
/// cell keeps of its own, <c>c</c>, if it has one: what lets <see cref="RecurrentLayer{TState}"/> run every state type
/// through one Forward, Backward, ZeroState and Unroll. The two there are: <see cref="StateParts.Hidden"/> and
/// <see cref="StateParts.Lstm"/>.
/// </summary>
/// <typeparam name="TState">The layer's state type.</typeparam>
/// <param name="HasCell">Whether the state has a cell part c beside h.</param>
/// <param name="Hidden">The h of a state, <c>[B, H]</c>.</param>
/// <param name="Cell">The c of a state, <c>[B, H]</c>, or null without one.</param>
/// <param name="Make">A state of h and c (null without one), with no copies.</param>
internal sealed record StateParts<TState>(bool HasCell, Func<TState, Tensor> Hidden, Func<TState, Tensor?> Cell, Func<Tensor, Tensor?, TState> Make)
    where TState : class;

/// <summary>The states of the recurrent layers.</summary>
internal static class StateParts
{
    /// <summary>The state of a layer whose cell keeps none of its own (<see cref="Gru"/>, <see cref="SimpleRnn"/>): <c>h [B, H]</c> alone.</summary>
    public static readonly StateParts<Tensor> Hidden = new(false, static h => h, static _ => null, static (h, _) => h);

    /// <summary>An <see cref="Lstm"/>'s: <see cref="LstmState.H"/> is the loop's h, <see cref="LstmState.C"/> the cell's own.</summary>
    public static readonly StateParts<LstmState> Lstm = new(true, static s => s.H, static s => s.C, static (h, c) => new LstmState(h, c!));
}
