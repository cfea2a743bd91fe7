using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// What sets the variants of <see cref="RecurrentLoop"/>'s recurrence apart: what a step puts into its product,
/// <c>xh = [x_t, h_{t−1}, 1]</c>, and how the recurrent product's gradient returns to <c>dh_{t−1}</c> and the
/// input gradient to <c>dx</c>. Implemented by a readonly struct per variant — <see cref="PlainOperand"/>, and
/// <see cref="DropoutOperand"/> for variational dropout — so the recurrence, generic over it, is written once and
/// compiled once per variant with these calls inlined (as the kernels over <see cref="ISimd{TV}"/> are per width):
/// the plain path runs the instructions it ran before dropout existed.
/// </summary>
/// <remarks>
/// Where <c>h</c>'s history lives is data, not a method: the loop keeps it in the operand buffer itself (plain) or in
/// a buffer of its own (dropout, where the operand holds the dropped copy), and hands the cell pointers into it.
/// </remarks>
internal interface IStepOperand
{
    /// <summary>
    /// Writes sequence <paramref name="sequence"/>'s part of one step's operand into <paramref name="row"/>
    /// <c>[Width]</c>: <c>x_t</c> (<paramref name="x"/>, <c>[I]</c>) into columns <c>[0, I)</c>, and <c>h_{t−1}</c> into
    /// <c>[HiddenColumn, HiddenColumn + H)</c> unless it is there already (the history is the operand). h_{t−1}
    /// starts at <paramref name="hPrev"/> in <paramref name="history"/>. The ones columns are the loop's.
    /// </summary>
    void Fill(Span<float> row, ReadOnlySpan<float> x, ReadOnlySpan<float> history, int hPrev, int sequence);

    /// <summary>
    /// The gradient of <c>h_{t−1}</c> through the step's recurrent product for batch rows
    /// <c>[row0, row0 + rows)</c>: <c>dz[:, recurrent gates] · W_hh</c> (<paramref name="dz"/> with row stride
    /// <paramref name="ldz"/>, <paramref name="weights"/> packed), added to <paramref name="dh"/> <c>[rows, H]</c> when
    /// <paramref name="accumulate"/> (the cell left its direct part there), written over it otherwise.
    /// </summary>
    void RecurrentGradient(ReadOnlySpan<float> dz, int ldz, PackedMatrix weights, Span<float> dh, int row0, int rows, bool accumulate);

    /// <summary>
    /// Sequence <paramref name="sequence"/>'s input gradient of one step, <paramref name="dz"/> <c>= dz·W_ih</c>
    /// <c>[I]</c> (of what entered the product), into <paramref name="dx"/> <c>[I]</c>.
    /// </summary>
    void InputGradient(ReadOnlySpan<float> dz, Span<float> dx, int sequence);
}
