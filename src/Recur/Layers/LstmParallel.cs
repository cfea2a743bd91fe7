using System.Runtime.CompilerServices;
using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// The time loops of <see cref="Lstm"/>, split across threads (<see cref="Threading.MaxThreads"/>).
/// </summary>
/// <remarks>
/// <para>Each step's input and previous output sit side by side in one buffer with a column of ones,
/// <c>xh [T + 1, B, I + H + 1]</c>, so a step is one product with the weights and the bias side by side,
/// <c>[W_ih, W_hh, bias] [4H, I + H + 1]</c>, and the gradients of all three are one product over all
/// steps, <c>d[W_ih, W_hh, bias] = dzᵀ·xh</c>.</para>
/// <para>A forward pass is one parallel phase, in shards of the batch: each thread runs the whole sequence
/// for its rows, with no barrier per step (rows of a batch never meet in an LSTM). Per step it forms
/// <c>gates = [x_t, h_{t−1}, 1]·[W_ih, W_hh, bias]ᵀ</c> for its rows, with the weights packed once per pass
/// and shared, then the fused cell update while the step's gate rows are still in cache. (DESIGN.md's
/// input projection hoisted out of the loop as one product over all T·B rows measured slower: its
/// output, 7 MiB for the tutorial's shape, went out to L3 and came back a step at a time, and its depth
/// of I = 28 kept the micro-kernel mostly loading and storing C.)</para>
/// <para>A backward pass is two: (1) the recurrence in shards of the batch, the cell backward writing the
/// gate gradients over the gate activations, then <c>dh = dz·W_hh</c> with W_hh packed once; (2) the
/// parameter gradients as one product over all T·B rows, in blocks of gate rows, and <c>dx = dz·W_ih</c>
/// in blocks of T·B rows.</para>
/// <para>No element depends on how the work is split, so results are bit-identical for every thread count.</para>
/// </remarks>
public sealed partial class Lstm
{
    /// <summary>
    /// Inputs of at most this many features form the input gradient <c>dx = dz·W_ih</c> by dot products: a
    /// product only 4 or fewer columns wide would waste most of a 32-column micro-kernel. (Elsewhere the
    /// inputs are a few more columns of <c>xh</c>, which cost nothing special.)
    /// </summary>
    internal const int SmallInput = 4;

    /// <summary>The smallest shard of the batch worth a thread of its own: one AVX-512 micro-panel.</summary>
    private const int MinRowsPerShard = 8;

    /// <summary>The smallest block of T·B rows (or of 4H gate rows) worth a thread in the phase after the time loop.</summary>
    private const int MinRowsPerBlock = 64;

    private readonly PackedMatrix _packedForward = new(); // [W_ih, W_hh, bias]ᵀ [I + H + 1, 4H], forward
    private readonly PackedMatrix _packedWhh = new();     // W_hh [4H, H], backward
    private LstmWork? _work;
    private Tensor? _weightCat;     // [4H, I + H + 1]  [W_ih, W_hh, bias], to pack
    private Tensor? _weightGradCat; // [4H, I + H + 1]  d[W_ih, W_hh, bias] of one backward pass
    private Tensor? _weightIhT;     // [I, 4H]  W_ihᵀ, for the input gradient of small inputs
    private Tensor? _dyForward;     // the dy of the running backward pass
    private bool _gatesHoldGradients;

    private enum Phase
    {
        RecurForward,
        RecurBackward,
        Weights,
    }

    private bool IsSmallInput => InputSize <= SmallInput;

    private void RunForward(Tensor x)
    {
        int i = InputSize, h = HiddenSize, g4 = 4 * h;
        LstmWork work = _work ??= new LstmWork(this);
        work.Input = x;
        int ld = i + h + 1;
        Span<float> cat = Buffers.Ensure(ref _weightCat, g4, ld).Span;
        ReadOnlySpan<float> wih = WeightIh.Value.Span, whh = WeightHh.Value.Span, bias = Bias.Value.Span;
        for (int g = 0; g < g4; g++)
        {
            wih.Slice(g * i, i).CopyTo(cat.Slice(g * ld, i));
            whh.Slice(g * h, h).CopyTo(cat.Slice((g * ld) + i, h));
            cat[(g * ld) + i + h] = bias[g];
        }

        _packedForward.Pack(Gemm.DefaultPath, true, ld, g4, cat, ld);
        work.Start(Phase.RecurForward, WorkerPool.PartsFor(_batch, MinRowsPerShard));
        work.Input = null;
    }

    private void RunBackward(Tensor? dy)
    {
        int b = _batch, t = _steps, i = InputSize, h = HiddenSize, g4 = 4 * h;
        LstmWork work = _work ??= new LstmWork(this);
        _dyForward = dy;
        _packedWhh.Pack(Gemm.DefaultPath, false, g4, h, WeightHh.Value.Span, h);
        work.Start(Phase.RecurBackward, WorkerPool.PartsFor(b, MinRowsPerShard));
        _dyForward = null;

        Buffers.Ensure(ref _weightGradCat, g4, i + h + 1);
        if (IsSmallInput && ComputeInputGradient)
        {
            Buffers.SwapLeadingAxes(WeightIh.Value.Span, Buffers.Ensure(ref _weightIhT, i, g4).Span, g4, i, 1);
        }

        work.Start(Phase.Weights, WorkerPool.PartsFor(Math.Max((long)t * b, g4), MinRowsPerBlock));

        // dW_ih [4H, I] += d[…][:, :I]; dW_hh [4H, H] += d[…][:, I:I + H]; dbias [4H] += d[…][:, I + H]
        ReadOnlySpan<float> cat = _weightGradCat!.Span;
        Span<float> dWih = WeightIh.Grad.Span, dWhh = WeightHh.Grad.Span, dBias = Bias.Grad.Span;
        int ld = i + h + 1;
        for (int g = 0; g < g4; g++)
        {
            ReadOnlySpan<float> row = cat.Slice(g * ld, ld);
            TensorPrimitives.Add(dWih.Slice(g * i, i), row[..i], dWih.Slice(g * i, i));
            TensorPrimitives.Add(dWhh.Slice(g * h, h), row.Slice(i, h), dWhh.Slice(g * h, h));
            dBias[g] += row[i + h];
        }
    }

    /// <summary>
    /// The forward pass for batch rows [b0, b1) of <paramref name="x"/> <c>[B, T, I]</c>, every step. Training
    /// keeps every step's gates and state (block s of each buffer is step s); inference keeps one step's gates
    /// and alternates between two blocks of state.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void RecurForward(Tensor x, int b0, int b1)
    {
        int b = _batch, t = _steps, h = HiddenSize, g4 = 4 * h, rows = b1 - b0, inputs = InputSize, ld = inputs + h + 1;
        bool keep = _historyKept;
        ReadOnlySpan<float> xs = x.Span;
        Span<float> y = _output!.Span;
        fixed (float* gates = _runGates.Data, cells = _runCells.Data, xh = _runXh.Data, tanhC = _runTanhC.Data)
        {
            Span<float> gs = _runGates.Span, xhs = _runXh.Span;
            for (int s = 0; s < t; s++)
            {
                // Row blocks of step s: state (xh, cells) in block `now`, the step's output into block `next`.
                int now = keep ? s : s & 1, next = keep ? s + 1 : (s + 1) & 1, step = keep ? s : 0;
                int xhRow = (now * b) + b0, gateRow = (step * b) + b0;
                Span<float> z = gs.Slice(gateRow * g4, rows * g4);
                for (int i = 0; i < rows; i++)
                {
                    // Row i of the block gets step s of sequence b0 + i next to h_{s−1}, then the 1 for the bias.
                    Span<float> row = xhs.Slice((xhRow + i) * ld, ld);
                    xs.Slice((((b0 + i) * t) + s) * inputs, inputs).CopyTo(row);
                    row[inputs + h] = 1f;
                }

                // gates = [x_s, h_{s−1}, 1]·[W_ih, W_hh, bias]ᵀ
                Gemm.Multiply(false, rows, 1f, xhs[(xhRow * ld)..], ld, _packedForward, 0f, z, g4);

                int nextRow = (next * b) + b0;
                LstmCell.Forward(Simd.Default, gates + ((nint)gateRow * g4), cells + ((nint)xhRow * h), cells + ((nint)nextRow * h),
                    tanhC + ((nint)gateRow * h), xh + ((nint)nextRow * ld) + inputs, ld, rows, h, ForgetBias);
                if (ReturnSequences)
                {
                    // y [B, T, H]: row (i, s) is h_s
                    for (int i = 0; i < rows; i++)
                    {
                        xhs.Slice(((nextRow + i) * ld) + inputs, h).CopyTo(y.Slice((((b0 + i) * t) + s) * h, h));
                    }
                }
            }
        }

        int lastRow = ((keep ? t : t & 1) * b) + b0;
        _runCells.Span.Slice(lastRow * h, rows * h).CopyTo(_finalState!.C.Span.Slice(b0 * h, rows * h));
        for (int i = 0; i < rows; i++)
        {
            ReadOnlySpan<float> last = _runXh.Span.Slice(((lastRow + i) * ld) + inputs, h);
            last.CopyTo(_finalState.H.Span.Slice((b0 + i) * h, h));
            if (!ReturnSequences)
            {
                last.CopyTo(y.Slice((b0 + i) * h, h));
            }
        }
    }

    /// <summary>Phase 1 of backward: the whole sequence, last step first, for batch rows [b0, b1).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private unsafe void RecurBackward(int b0, int b1)
    {
        int b = _batch, t = _steps, h = HiddenSize, g4 = 4 * h, rows = b1 - b0;
        Tensor? dy = _dyForward;
        Span<float> dh = _dh!.Span.Slice(b0 * h, rows * h);
        fixed (float* gates = _gates!.Data, cells = _cells!.Data, tanhC = _tanhC!.Data, pdh = _dh.Data, pdc = _dc!.Data)
        {
            Span<float> gs = _gates.Span;
            for (int s = t - 1; s >= 0; s--)
            {
                if (dy is not null)
                {
                    ReadOnlySpan<float> dys = dy.Span;
                    if (ReturnSequences)
                    {
                        // dy is [B, T, H]: add row (i, s) of every sequence.
                        for (int i = b0; i < b1; i++)
                        {
                            Span<float> dhi = dh.Slice((i - b0) * h, h);
                            TensorPrimitives.Add(dhi, dys.Slice(((i * t) + s) * h, h), dhi);
                        }
                    }
                    else if (s == t - 1)
                    {
                        TensorPrimitives.Add(dh, dys.Slice(b0 * h, rows * h), dh);
                    }
                }

                int slab = (s * b) + b0;
                float* dz = gates + ((nint)slab * g4);
                LstmCell.Backward(Simd.Default, dz, cells + ((nint)slab * h), tanhC + ((nint)slab * h),
                    pdh + ((nint)b0 * h), pdc + ((nint)b0 * h), dz, rows, h);
                // dh_{s−1} [rows, H] = dz [rows, 4H] · W_hh [4H, H]
                Gemm.Multiply(false, rows, 1f, gs.Slice(slab * g4, rows * g4), g4, _packedWhh, 0f, dh, h);
            }
        }

        dh.CopyTo(_initialStateGrad!.H.Span.Slice(b0 * h, rows * h));
        _dc.Span.Slice(b0 * h, rows * h).CopyTo(_initialStateGrad.C.Span.Slice(b0 * h, rows * h));
    }

    /// <summary>
    /// Phase 2 of backward, part <paramref name="part"/> of <paramref name="parts"/>: gate rows [g0, g1) of
    /// d[W_ih, W_hh, bias], each summed over all T·B rows in order; rows [r0, r1) of dx.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void Weights(int part, int parts)
    {
        int b = _batch, t = _steps, h = HiddenSize, g4 = 4 * h, inputs = InputSize, ld = inputs + h + 1, tb = t * b;
        int g0 = WorkerPool.Split(g4, parts, part, MinRowsPerShard), g1 = WorkerPool.Split(g4, parts, part + 1, MinRowsPerShard);
        int r0 = WorkerPool.Split(tb, parts, part, 1), r1 = WorkerPool.Split(tb, parts, part + 1, 1);
        ReadOnlySpan<float> dz = _gates!.Span, xh = _xh!.Span;
        if (g1 > g0)
        {
            // d[W_ih, W_hh, bias][g0 … g1, :] = dz[T·B, g0 … g1]ᵀ · xh [T·B, I + H + 1]
            Gemm.Multiply(Gemm.DefaultPath, true, false, g1 - g0, ld, tb, 1f, dz[g0..], g4, xh, ld, 0f,
                _weightGradCat!.Span[(g0 * ld)..], ld);
        }

        if (r1 > r0 && ComputeInputGradient)
        {
            Span<float> dxTime = _dxTime!.Span;
            if (IsSmallInput)
            {
                ReadOnlySpan<float> wt = _weightIhT!.Span;
                for (int r = r0; r < r1; r++)
                {
                    for (int k = 0; k < inputs; k++)
                    {
                        dxTime[(r * inputs) + k] = TensorPrimitives.Dot(dz.Slice(r * g4, g4), wt.Slice(k * g4, g4));
                    }
                }
            }
            else
            {
                // dx [r0 … r1, I] = dz [r0 … r1, 4H] · W_ih [4H, I]
                Gemm.Multiply(Gemm.DefaultPath, false, false, r1 - r0, inputs, g4, 1f, dz[(r0 * g4)..], g4,
                    WeightIh.Value.Span, inputs, 0f, dxTime[(r0 * inputs)..], inputs);
            }

            // back to batch-major: dx[i, s] = dxTime[s·B + i]
            Span<float> dx = _dx!.Span;
            for (int r = r0; r < r1; r++)
            {
                int s = r / b, i = r % b;
                dxTime.Slice(r * inputs, inputs).CopyTo(dx.Slice(((i * t) + s) * inputs, inputs));
            }
        }
    }

    /// <summary>The layer's parallel work, one object per layer, reused by every phase of every pass.</summary>
    private sealed class LstmWork(Lstm owner) : IParallelWork
    {
        private Phase _phase;

        public Tensor? Input { get; set; }

        public void Start(Phase phase, int parts)
        {
            _phase = phase;
            WorkerPool.Shared.Run(this, parts);
        }

        public void Run(int part, int parts)
        {
            if (_phase == Phase.Weights)
            {
                owner.Weights(part, parts);
                return;
            }

            int b = owner._batch;
            int b0 = WorkerPool.Split(b, parts, part, MinRowsPerShard), b1 = WorkerPool.Split(b, parts, part + 1, MinRowsPerShard);
            if (b1 <= b0)
            {
                return;
            }

            if (_phase == Phase.RecurForward)
            {
                owner.RecurForward(Input!, b0, b1);
            }
            else
            {
                owner.RecurBackward(b0, b1);
            }
        }
    }
}
