using System.Globalization;

namespace Recur.Tensors;

/// <summary>
/// Which steps of a batch of sequences <c>[B, T, ·]</c> are real and which are padding: Keras's boolean mask
/// <c>[B, T]</c>, which <c>Masking</c> and <c>Embedding(maskZero: true)</c> make and the recurrent layers, per-step
/// layers and losses read. Step t of sequence b is valid when <see cref="IsValid"/>; a sequence has
/// <see cref="Length"/> valid steps, at least one.
/// </summary>
/// <remarks>
/// <para>PyTorch's <c>pack_padded_sequence(x, lengths)</c> is <see cref="FromLengths"/>: sequence b is its first
/// <c>lengths[b]</c> steps, the rest padding. Keras's masks may be any pattern (padding in front, as
/// <c>pad_sequences</c> does by default, or holes); the recurrent layers run only the valid steps of each sequence, in
/// order, so a masked step leaves the state unchanged.</para>
/// <para>A mask is a buffer its producer reuses from batch to batch (<see cref="Reset"/>): read it during the pass it
/// came with, and copy it (<see cref="Clone"/>) to keep it.</para>
/// </remarks>
public sealed class SequenceMask
{
    private byte[] _valid = [];   // [B, T]  1 where the step is valid
    private int[] _lengths = [];  // [B]     valid steps per sequence

    /// <summary>Creates a mask of <paramref name="batch"/> sequences of <paramref name="steps"/> steps, every step valid.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    public SequenceMask(int batch, int steps)
    {
        Reset(batch, steps);
    }

    /// <summary>B, the sequences.</summary>
    public int Batch { get; private set; }

    /// <summary>T, the steps of each (padded) sequence.</summary>
    public int Steps { get; private set; }

    /// <summary>The mask <c>[B, T]</c>, row-major: 1 where a step is valid, 0 where it is padding.</summary>
    public ReadOnlySpan<byte> Valid => _valid.AsSpan(0, Batch * Steps);

    /// <summary>Valid steps per sequence <c>[B]</c>.</summary>
    public ReadOnlySpan<int> Lengths => _lengths.AsSpan(0, Batch);

    /// <summary>Whether every sequence's valid steps are its first ones (PyTorch's lengths: padding only at the end).</summary>
    public bool IsPrefix { get; private set; } = true;

    /// <summary>Whether every step of every sequence is valid (a mask that changes nothing).</summary>
    public bool IsFull { get; private set; } = true;

    /// <summary>Valid steps in all: the sum of <see cref="Lengths"/>.</summary>
    public long ValidSteps { get; private set; }

    /// <summary>Whether step <paramref name="step"/> of sequence <paramref name="sequence"/> is valid.</summary>
    public bool IsValid(int sequence, int step) => _valid[(sequence * Steps) + step] != 0;

    /// <summary>Valid steps of sequence <paramref name="sequence"/>.</summary>
    public int Length(int sequence) => _lengths[sequence];

    /// <summary>
    /// PyTorch's <c>pack_padded_sequence</c> lengths: sequence b's first <c>lengths[b]</c> of <paramref name="steps"/>
    /// steps are valid.
    /// </summary>
    /// <exception cref="ArgumentException">A length is below 1 or above <paramref name="steps"/>.</exception>
    public static SequenceMask FromLengths(ReadOnlySpan<int> lengths, int steps)
    {
        var mask = new SequenceMask(Math.Max(1, lengths.Length), steps);
        mask.SetLengths(lengths, steps);
        return mask;
    }

    /// <summary>A mask from <paramref name="valid"/> <c>[B, T]</c> (nonzero: valid).</summary>
    /// <exception cref="ArgumentException">The length is not B·T, or a sequence has no valid step.</exception>
    public static SequenceMask FromValid(ReadOnlySpan<byte> valid, int batch, int steps)
    {
        var mask = new SequenceMask(batch, steps);
        if (valid.Length != batch * steps)
        {
            throw new ArgumentException($"SequenceMask: valid has {valid.Length} entries; a mask of {batch} sequences of {steps} steps needs {batch * steps}.", nameof(valid));
        }

        valid.CopyTo(mask._valid);
        mask.Seal();
        return mask;
    }

    /// <summary>Makes this mask <paramref name="batch"/> × <paramref name="steps"/>, every step valid (reusing its storage when it is large enough).</summary>
    /// <exception cref="ArgumentOutOfRangeException">A size is below 1.</exception>
    public void Reset(int batch, int steps)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        long cells = (long)batch * steps;
        if (cells > Array.MaxLength)
        {
            throw new ArgumentOutOfRangeException(nameof(steps), steps, $"SequenceMask: {batch} sequences of {steps} steps are too many for one mask.");
        }

        if (_valid.Length < cells)
        {
            _valid = new byte[cells];
        }

        if (_lengths.Length < batch)
        {
            _lengths = new int[batch];
        }

        Batch = batch;
        Steps = steps;
        _valid.AsSpan(0, (int)cells).Fill(1);
        _lengths.AsSpan(0, batch).Fill(steps);
        IsPrefix = true;
        IsFull = true;
        ValidSteps = cells;
    }

    /// <summary>Sets this mask from lengths (see <see cref="FromLengths"/>), reusing its storage.</summary>
    /// <exception cref="ArgumentException">A length is below 1 or above <paramref name="steps"/>, or there are none.</exception>
    public void SetLengths(ReadOnlySpan<int> lengths, int steps)
    {
        if (lengths.Length == 0)
        {
            throw new ArgumentException("SequenceMask: lengths is empty; give one length per sequence.", nameof(lengths));
        }

        for (int b = 0; b < lengths.Length; b++)
        {
            if (lengths[b] < 1 || lengths[b] > steps)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"SequenceMask: lengths[{b}] is {lengths[b]}, but a length must be at least 1 and at most the {steps} steps of the padded batch; ")
                    + "give each sequence's count of real steps (PyTorch's pack_padded_sequence lengths).",
                    nameof(lengths));
            }
        }

        Reset(lengths.Length, steps);
        for (int b = 0; b < lengths.Length; b++)
        {
            _valid.AsSpan((b * steps) + lengths[b], steps - lengths[b]).Clear();
        }

        Seal();
    }

    /// <summary>
    /// Marks step <paramref name="step"/> of sequence <paramref name="sequence"/> valid or not; call <see cref="Seal"/>
    /// after the last change, before the mask is read.
    /// </summary>
    public void Set(int sequence, int step, bool valid) => _valid[(sequence * Steps) + step] = valid ? (byte)1 : (byte)0;

    /// <summary>
    /// Recomputes <see cref="Lengths"/>, <see cref="IsPrefix"/> and <see cref="IsFull"/> after changes made with
    /// <see cref="Set"/>.
    /// </summary>
    /// <exception cref="ArgumentException">A sequence has no valid step (every sequence needs at least one, as PyTorch's lengths do).</exception>
    public void Seal()
    {
        bool prefix = true;
        long total = 0;
        for (int b = 0; b < Batch; b++)
        {
            ReadOnlySpan<byte> row = _valid.AsSpan(b * Steps, Steps);
            int count = 0;
            bool gap = false;
            for (int s = 0; s < row.Length; s++)
            {
                if (row[s] != 0)
                {
                    count++;
                    prefix &= !gap;
                }
                else
                {
                    gap = true;
                }
            }

            if (count == 0)
            {
                throw new ArgumentException(
                    string.Create(CultureInfo.InvariantCulture, $"SequenceMask: sequence {b} of the batch has no valid step (all {Steps} are masked); ")
                    + "every sequence needs at least one — drop empty sequences from the data, or check the mask value or the padding token.");
            }

            _lengths[b] = count;
            total += count;
        }

        IsPrefix = prefix;
        ValidSteps = total;
        IsFull = total == (long)Batch * Steps;
    }

    /// <summary>A copy of this mask that its producer will not overwrite.</summary>
    public SequenceMask Clone() => FromValid(Valid, Batch, Steps);

    /// <summary>Copies rows <c>[start, start + count)</c> of this mask into <paramref name="destination"/> (reset to that shape).</summary>
    public void CopyRows(int start, int count, SequenceMask destination)
    {
        ArgumentNullException.ThrowIfNull(destination);
        destination.Reset(count, Steps);
        _valid.AsSpan(start * Steps, count * Steps).CopyTo(destination._valid);
        destination.Seal();
    }
}
