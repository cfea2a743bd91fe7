using System.Runtime.CompilerServices;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// Keras's variational dropout (Gal and Ghahramani 2016) in a training pass: one dropout mask per pass and sequence,
/// <c>dropoutMaskX [B, I]</c> and <c>dropoutMaskH [B, H]</c>, the same at every step. The operand is
/// <c>[x_t·dropoutMaskX, h_{t−1}·dropoutMaskH, 1]</c>, so the step's product and the weight gradients see the dropped
/// values, while h's history (which the cell reads and writes, and the outputs copy) is a buffer of its own and
/// stays undropped. In backward only the recurrent product's part of <c>dh_{t−1}</c> is masked, through a scratch
/// buffer, and <c>dx</c> by dropoutMaskX.
/// </summary>
internal readonly struct DropoutOperand : IStepOperand
{
    private readonly float[] _dropoutMaskX;      // [B, I]  0 or 1 / (1 − Dropout)
    private readonly float[] _dropoutMaskH;      // [B, H]  0 or 1 / (1 − RecurrentDropout)
    private readonly float[] _recurrentGradient; // [B, H]  scratch: one step's dz·W_hh before its dropout mask
    private readonly int _inputs, _hidden, _hiddenColumn;

    /// <summary>The dropout masks <c>[B, I]</c> and <c>[B, H]</c>, a scratch <c>[B, H]</c>, and the first column of h in the operand.</summary>
    public DropoutOperand(Tensor dropoutMaskX, Tensor dropoutMaskH, Tensor recurrentGradient, int hiddenColumn)
    {
        _dropoutMaskX = dropoutMaskX.Data;
        _dropoutMaskH = dropoutMaskH.Data;
        _recurrentGradient = recurrentGradient.Data;
        _inputs = dropoutMaskX.Dim(1);
        _hidden = dropoutMaskH.Dim(1);
        _hiddenColumn = hiddenColumn;
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Fill(Span<float> row, ReadOnlySpan<float> x, ReadOnlySpan<float> history, int hPrev, int sequence)
    {
        TensorPrimitives.Multiply(x, _dropoutMaskX.AsSpan(sequence * _inputs, _inputs), row[.._inputs]);
        TensorPrimitives.Multiply(history.Slice(hPrev, _hidden), _dropoutMaskH.AsSpan(sequence * _hidden, _hidden), row.Slice(_hiddenColumn, _hidden));
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void RecurrentGradient(ReadOnlySpan<float> dz, int ldz, PackedMatrix weights, Span<float> dh, int row0, int rows, bool accumulate)
    {
        Span<float> recurrent = _recurrentGradient.AsSpan(row0 * _hidden, rows * _hidden);
        ReadOnlySpan<float> mask = _dropoutMaskH.AsSpan(row0 * _hidden, rows * _hidden);
        Gemm.Multiply(false, rows, 1f, dz, ldz, weights, 0f, recurrent, _hidden);
        if (accumulate)
        {
            TensorPrimitives.MultiplyAdd(recurrent, mask, dh, dh);
        }
        else
        {
            TensorPrimitives.Multiply(recurrent, mask, dh);
        }
    }

    /// <inheritdoc/>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void InputGradient(ReadOnlySpan<float> dz, Span<float> dx, int sequence) =>
        TensorPrimitives.Multiply(dz, _dropoutMaskX.AsSpan(sequence * _inputs, _inputs), dx);
}
