using System.Runtime.CompilerServices;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// The recurrence as it is: the operand is <c>[x_t, h_{t−1}, 1]</c> with h written there by the previous step's
/// cell (the operand buffer is h's history), and the gradients pass unchanged.
/// </summary>
internal readonly struct PlainOperand : IStepOperand
{
    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Fill(Span<float> row, ReadOnlySpan<float> x, ReadOnlySpan<float> history, int hPrev, int sequence) => x.CopyTo(row);

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void RecurrentGradient(ReadOnlySpan<float> dz, int ldz, PackedMatrix weights, Span<float> dh, int row0, int rows, bool accumulate) =>
        Gemm.Multiply(false, rows, 1f, dz, ldz, weights, accumulate ? 1f : 0f, dh, weights.Columns); // W_hh [gates, H]: dh's row stride is H

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void InputGradient(ReadOnlySpan<float> dz, Span<float> dx, int sequence) => dz.CopyTo(dx);
}
