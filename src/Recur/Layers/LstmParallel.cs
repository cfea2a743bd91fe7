using TensorPrimitives = System.Numerics.Tensors.TensorPrimitives;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// The time loops of <see cref="Lstm"/>, split across threads (<see cref="Threading.MaxThreads"/>).
/// </summary>
/// <remarks>
/// <para>A forward pass is one parallel phase, in shards of the batch: each thread runs the whole sequence
/// for its rows, with no barrier per step (rows of a batch never meet in an LSTM). Per step it forms
/// <c>gates[t] = bias + x_t·W_ihᵀ + h[t−1]·W_hhᵀ</c> for its rows, two products with W_ihᵀ and W_hhᵀ packed
/// once per pass and shared, then the fused cell update, while the step's gate rows are still in cache.
/// (DESIGN.md's hoisted input projection, one product over all T·B rows, measured slower: its output,
/// 7 MiB for the tutorial's shape, went out to L3 and came back a step at a time; packing W_ihᵀ once
/// keeps what hoisting saved.)</para>
/// <para>A backward pass is the same: (1) the recurrence in shards of the batch, the cell backward writing
/// the gate gradients over the gate activations, <c>dh = dz·W_hh</c> with W_hh packed once; (2) the weight
/// gradients, each one product over all T·B rows (<c>dW_hh += dzᵀ·h</c>, <c>dW_ih += dzᵀ·x</c>, the bias
/// gradient a sum of rows in order) in blocks of gate rows, and <c>dx = dz·W_ih</c> in blocks of T·B rows.</para>
/// <para>No element depends on how the work is split, so results are bit-identical for every thread count.</para>
/// </remarks>
public sealed partial class Lstm
{
    /// <summary>Inputs of at most this many features take the direct loops instead of matrix products (a K ≤ 4 product wastes most of a packed micro-kernel).</summary>
    internal const int SmallInput = 4;

    /// <summary>The smallest shard of the batch worth a thread of its own: one AVX-512 micro-panel.</summary>
    private const int MinRowsPerShard = 8;

    /// <summary>The smallest block of T·B rows (or of 4H gate rows) worth a thread in the phases outside the time loop.</summary>
    private const int MinRowsPerBlock = 64;

    private readonly PackedMatrix _packedWihT = new(); // W_ihᵀ [I, 4H], forward
    private readonly PackedMatrix _packedWhhT = new(); // W_hhᵀ [H, 4H], forward
    private readonly PackedMatrix _packedWhh = new();  // W_hh [4H, H], backward
    private LstmWork? _work;
    private Tensor? _weightIhT;    // [I, 4H]  W_ihᵀ, for small inputs
    private Tensor? _weightIhTGrad; // [I, 4H] dW_ihᵀ of one backward pass, for small inputs
    private Tensor? _dyForward;    // the dy of the running backward pass
    private bool _gatesHoldGradients;

    private enum Phase
    {
        RecurForward,
        RecurBackward,
        Weights,
    }

    private void RunForward(Tensor x)
    {
        int b = _batch;
        LstmWork work = _work ??= new LstmWork(this);
        work.Input = x;
        if (InputSize <= SmallInput)
        {
            Tensor wt = Buffers.Ensure(ref _weightIhT, InputSize, 4 * HiddenSize);
            Buffers.SwapLeadingAxes(WeightIh.Value.Span, wt.Span, 4 * HiddenSize, InputSize, 1);
        }
        else
        {
            _packedWihT.Pack(Gemm.DefaultPath, true, InputSize, 4 * HiddenSize, WeightIh.Value.Span, InputSize);
        }

        _packedWhhT.Pack(Gemm.DefaultPath, true, HiddenSize, 4 * HiddenSize, WeightHh.Value.Span, HiddenSize);
        work.Start(Phase.RecurForward, WorkerPool.PartsFor(b, MinRowsPerShard));
        work.Input = null;
    }

    private void RunBackward(Tensor? dy)
    {
        int b = _batch, t = _steps;
        LstmWork work = _work ??= new LstmWork(this);
        _dyForward = dy;
        _packedWhh.Pack(Gemm.DefaultPath, false, 4 * HiddenSize, HiddenSize, WeightHh.Value.Span, HiddenSize);
        work.Start(Phase.RecurBackward, WorkerPool.PartsFor(b, MinRowsPerShard));
        _dyForward = null;
        if (InputSize <= SmallInput)
        {
            Buffers.Ensure(ref _weightIhTGrad, InputSize, 4 * HiddenSize).Fill(0f);
        }

        work.Start(Phase.Weights, WorkerPool.PartsFor(Math.Max((long)t * b, 4 * HiddenSize), MinRowsPerBlock));
        if (InputSize <= SmallInput)
        {
            // dW_ih [4H, I] += (dW_ihᵀ [I, 4H])ᵀ
            Span<float> grad = WeightIh.Grad.Span, gradT = _weightIhTGrad!.Span;
            int g4 = 4 * HiddenSize;
            for (int g = 0; g < g4; g++)
            {
                for (int i = 0; i < InputSize; i++)
                {
                    grad[(g * InputSize) + i] += gradT[(i * g4) + g];
                }
            }
        }
    }

    /// <summary>The forward pass for batch rows [b0, b1) of <paramref name="x"/> <c>[B, T, I]</c>, every step.</summary>
    private unsafe void RecurForward(Tensor x, int b0, int b1)
    {
        int b = _batch, t = _steps, h = HiddenSize, g4 = 4 * h, rows = b1 - b0, inputs = InputSize;
        ReadOnlySpan<float> xs = x.Span, bias = Bias.Value.Span;
        fixed (float* gates = _gates!.Data, cells = _cells!.Data, hiddens = _hiddens!.Data, tanhC = _tanhC!.Data)
        {
            Span<float> gs = _gates.Span, hs = _hiddens.Span, xTime = _xTime!.Span;
            for (int s = 0; s < t; s++)
            {
                int slab = (s * b) + b0;
                Span<float> z = gs.Slice(slab * g4, rows * g4);
                for (int i = 0; i < rows; i++)
                {
                    // The time-major copy of x (for dW_ih): row s·B + i is step s of sequence i.
                    xs.Slice((((b0 + i) * t) + s) * inputs, inputs).CopyTo(xTime.Slice((slab + i) * inputs, inputs));
                    bias.CopyTo(z.Slice(i * g4, g4));
                }

                // gates[s][b0 … b1) = bias + x_s · W_ihᵀ
                if (inputs <= SmallInput)
                {
                    ReadOnlySpan<float> wt = _weightIhT!.Span;
                    for (int i = 0; i < rows; i++)
                    {
                        Span<float> row = z.Slice(i * g4, g4);
                        for (int k = 0; k < inputs; k++)
                        {
                            TensorPrimitives.FusedMultiplyAdd(wt.Slice(k * g4, g4), xTime[((slab + i) * inputs) + k], row, row);
                        }
                    }
                }
                else
                {
                    // Rows of x_s are T·I apart in the batch-major input.
                    Gemm.Multiply(false, rows, 1f, xs[((((b0 * t) + s) * inputs))..], t * inputs, _packedWihT, 1f, z, g4);
                }

                // gates[s][b0 … b1) += h[s − 1][b0 … b1) · W_hhᵀ
                Gemm.Multiply(false, rows, 1f, hs.Slice(slab * h, rows * h), h, _packedWhhT, 1f, z, g4);
                LstmCell.Forward(Simd.Default, gates + ((nint)slab * g4), cells + ((nint)slab * h), cells + ((nint)(slab + b) * h),
                    tanhC + ((nint)slab * h), hiddens + ((nint)(slab + b) * h), rows, h, ForgetBias);
            }
        }

        Span<float> last = _hiddens.Span.Slice(((t * b) + b0) * h, rows * h);
        last.CopyTo(_finalState!.H.Span.Slice(b0 * h, rows * h));
        _cells.Span.Slice(((t * b) + b0) * h, rows * h).CopyTo(_finalState.C.Span.Slice(b0 * h, rows * h));
        Span<float> y = _output!.Span;
        if (ReturnSequences)
        {
            // y [B, T, H] ← hiddens [T + 1, B, H] from step 0
            for (int i = b0; i < b1; i++)
            {
                for (int s = 0; s < t; s++)
                {
                    _hiddens.Span.Slice((((s + 1) * b) + i) * h, h).CopyTo(y.Slice(((i * t) + s) * h, h));
                }
            }
        }
        else
        {
            last.CopyTo(y.Slice(b0 * h, rows * h));
        }
    }

    /// <summary>Phase 1 of backward: the whole sequence, last step first, for batch rows [b0, b1).</summary>
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
    /// dW_hh, dW_ih and the bias gradient, each summed over all T·B rows in order; rows [r0, r1) of dx.
    /// </summary>
    private void Weights(int part, int parts)
    {
        int b = _batch, t = _steps, h = HiddenSize, g4 = 4 * h, inputs = InputSize, tb = t * b;
        int g0 = WorkerPool.Split(g4, parts, part, MinRowsPerShard), g1 = WorkerPool.Split(g4, parts, part + 1, MinRowsPerShard);
        int r0 = WorkerPool.Split(tb, parts, part, 1), r1 = WorkerPool.Split(tb, parts, part + 1, 1);
        ReadOnlySpan<float> dz = _gates!.Span, xTime = _xTime!.Span;
        if (g1 > g0)
        {
            int rows = g1 - g0;
            // dW_hh [g0 … g1, H] += dz[T·B, g0 … g1]ᵀ · h_{s−1} [T·B, H]   (hiddens rows 0 … T−1)
            Gemm.Multiply(Gemm.DefaultPath, true, false, rows, h, tb, 1f, dz[g0..], g4, _hiddens!.Span, h, 1f,
                WeightHh.Grad.Span[(g0 * h)..], h);
            if (inputs <= SmallInput)
            {
                // dW_ihᵀ [I, g0 … g1] += x[r, i] · dz[r, g0 … g1], rows r in order
                Span<float> gradT = _weightIhTGrad!.Span;
                for (int r = 0; r < tb; r++)
                {
                    ReadOnlySpan<float> dzr = dz.Slice((r * g4) + g0, rows);
                    for (int k = 0; k < inputs; k++)
                    {
                        Span<float> acc = gradT.Slice((k * g4) + g0, rows);
                        TensorPrimitives.FusedMultiplyAdd(dzr, xTime[(r * inputs) + k], acc, acc);
                    }
                }
            }
            else
            {
                // dW_ih [g0 … g1, I] += dz[T·B, g0 … g1]ᵀ · x [T·B, I]
                Gemm.Multiply(Gemm.DefaultPath, true, false, rows, inputs, tb, 1f, dz[g0..], g4, xTime, inputs, 1f,
                    WeightIh.Grad.Span[(g0 * inputs)..], inputs);
            }

            Span<float> biasGrad = Bias.Grad.Span.Slice(g0, rows);
            for (int r = 0; r < tb; r++)
            {
                TensorPrimitives.Add(biasGrad, dz.Slice((r * g4) + g0, rows), biasGrad);
            }
        }

        if (r1 > r0 && ComputeInputGradient)
        {
            Span<float> dxTime = _dxTime!.Span;
            if (inputs <= SmallInput)
            {
                ReadOnlySpan<float> wt = _weightIhT is null ? default : _weightIhT.Span;
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
            switch (_phase)
            {
                case Phase.RecurForward:
                case Phase.RecurBackward:
                {
                    int b = owner._batch;
                    int b0 = WorkerPool.Split(b, parts, part, MinRowsPerShard), b1 = WorkerPool.Split(b, parts, part + 1, MinRowsPerShard);
                    if (b1 > b0)
                    {
                        if (_phase == Phase.RecurForward)
                        {
                            owner.RecurForward(Input!, b0, b1);
                        }
                        else
                        {
                            owner.RecurBackward(b0, b1);
                        }
                    }

                    break;
                }

                default:
                    owner.Weights(part, parts);
                    break;
            }
        }
    }
}
