using System.Globalization;
using Recur.Initializers;
using Recur.Tensors;

namespace Recur.Layers;

/// <summary>
/// A Legendre Memory Unit (Voelker, Kajić and Eliasmith, NeurIPS 2019) reading <c>[B, T, I]</c>. Per step:
/// <code>
/// u_t = e_x·x_t (+ e_h·h_{t−1} with HiddenToMemory) (+ e_m·m_{t−1} with MemoryToMemory)   (one number per example)
/// m_t = Ā·m_{t−1} + B̄·u_t                                                                 (the memory, Order values)
/// h_t = tanh(W_m·m_t + W_h·h_{t−1} (+ W_x·x_t with InputToHidden) + bias)                 (the hidden cell, Units values)
/// </code>
/// The output is h (or, with no hidden cell, <c>Units</c> null, the memory m): the last step's <c>[B, Units]</c>
/// (<c>[B, Order]</c>), or every step's <c>[B, T, ·]</c> with <see cref="ReturnSequences"/>. States start at zero.
/// </summary>
/// <remarks>
/// <para><c>Ā</c>, <c>B̄</c> are the Legendre delay system of order d for the window θ discretised by zero-order hold
/// (<c>LegendreMemory</c>, computed in double), fixed as in the paper: they are not parameters. The parameters,
/// each present only with its option: <c>input_encoders [1, I]</c> (e_x), <c>hidden_encoders [1, H]</c> (e_h),
/// <c>memory_encoders [1, d]</c> (e_m), <c>memory_kernel [H, d]</c> (W_m), <c>recurrent_kernel [H, H]</c> (W_h),
/// <c>input_kernel [H, I]</c> (W_x), <c>bias [H]</c> — the names of keras-lmu's weights, in PyTorch's
/// <c>[out, in]</c> layout (Keras's kernels are the transposes).</para>
/// <para><b>Two forms.</b> The step-by-step recurrence above runs any options. When the memory depends on x alone (no
/// hidden-to-memory, no memory-to-memory connection), it is a linear time-invariant filter of u,
/// <c>m_t = Σ_{j≤t} Ā^(t−j)·B̄·u_j</c> (Chilkuri and Eliasmith 2021); a memory-only layer returning its last step then
/// computes <c>m_T = U·K</c> in one matrix product of <c>U [B, T]</c> with the impulse response
/// <c>K [T, d]</c> (row j = <c>Ā^(T−1−j)·B̄</c>, made in double once per sequence length), and its backward pass is
/// two more (<see cref="UsesParallelForm"/>). Every other case — a hidden cell, whose <c>W_h</c> product is sequential
/// anyway, or every step's memory — runs the recurrence, whose per-step product <c>[B, d]·[d, d]</c> costs what a
/// chunked Toeplitz form would spend carrying its state, before the Toeplitz products themselves.</para>
/// <para>Every product goes through <c>Gemm</c> (threaded). Sequence masks are not read: a layer before that makes a
/// mask ends it here. <c>Forward(training: false)</c> keeps two steps of state instead of all.</para>
/// </remarks>
public sealed class Lmu : ILayer
{
    private readonly Parameter[] _parameters;
    private readonly float[] _aBar;        // [d, d], Ā row-major
    private readonly float[] _bBar;        // [d]
    private readonly double[] _aBarDouble; // [d, d]
    private readonly double[] _bBarDouble; // [d]
    private LmuLayer _options;
    private float[]? _impulse;             // [T, d], row j = Ā^(T−1−j)·B̄
    private int _impulseSteps;
    private Tensor? _input;                // [B, T, I], the last forward's
    private Tensor? _output;               // [B, (T,) ·]
    private Tensor? _inputGrad;            // [B, T, I]
    private float[]? _memory;              // [T+1, B, d] (training) or [2, B, d]; slab 0 is the zero start
    private float[]? _hidden;              // [T+1, B, H] (training) or [2, B, H]
    private float[]? _u;                   // [B, T] in the parallel form, [B] in the recurrence
    private float[]? _scratch;             // [B, max(H, d)] ×4 for the backward carries
    private bool _trained;
    private bool _parallelPass;

    /// <summary>Creates the layer, computes <c>Ā</c> and <c>B̄</c> and initialises its weights.</summary>
    /// <param name="inputSize">I, features per step; positive.</param>
    /// <param name="order">d, the memory's order; at least 1.</param>
    /// <param name="theta">θ, the window in steps; above 0.</param>
    /// <param name="units">H, the hidden cell's units; null for a memory-only layer whose output is the memory.</param>
    /// <param name="hiddenToMemory">Feed <c>h_{t−1}</c> into u (keras-lmu's <c>hidden_to_memory</c>); needs a hidden cell.</param>
    /// <param name="memoryToMemory">Feed <c>m_{t−1}</c> into u (keras-lmu's <c>memory_to_memory</c>).</param>
    /// <param name="inputToHidden">Feed <c>x_t</c> into the hidden cell (keras-lmu's <c>input_to_hidden</c>); needs a hidden cell.</param>
    /// <param name="returnSequences">Return every step's output rather than the last one.</param>
    /// <param name="kernelInitializer">For the encoders, <c>memory_kernel</c> and <c>input_kernel</c>; Glorot uniform when null.</param>
    /// <param name="recurrentInitializer">For <c>recurrent_kernel</c>; orthogonal when null.</param>
    /// <param name="biasInitializer">For <c>bias</c>; zeros when null.</param>
    /// <param name="rng">The random source for initialisation; <c>new Rng(0)</c> when null.</param>
    /// <param name="name">The layer name.</param>
    /// <exception cref="ArgumentOutOfRangeException">A size, the order or θ is out of range, or an option needs a hidden cell the layer has not.</exception>
    public Lmu(
        int inputSize,
        int order,
        float theta,
        int? units = null,
        bool hiddenToMemory = false,
        bool memoryToMemory = false,
        bool inputToHidden = false,
        bool returnSequences = false,
        IInitializer? kernelInitializer = null,
        IInitializer? recurrentInitializer = null,
        IInitializer? biasInitializer = null,
        Rng? rng = null,
        string name = "lmu")
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var options = new LmuLayer(order, theta, units, returnSequences, hiddenToMemory, memoryToMemory, inputToHidden)
        {
            Name = name,
            InputShape = [-1, inputSize],
            KernelInitializer = kernelInitializer ?? new GlorotUniform(),
            RecurrentInitializer = recurrentInitializer ?? new Orthogonal(),
            BiasInitializer = biasInitializer ?? new Zeros(),
        };
        options.Check();
        ShapeCheck.Positive(inputSize, nameof(inputSize), "Lmu");
        _options = options;
        Name = name;
        InputSize = inputSize;
        Order = order;
        Theta = theta;
        Units = units;
        HiddenToMemory = hiddenToMemory;
        MemoryToMemory = memoryToMemory;
        InputToHidden = inputToHidden;
        ReturnSequences = returnSequences;

        (_aBarDouble, _bBarDouble) = LegendreMemory.Discrete(order, theta);
        _aBar = Array.ConvertAll(_aBarDouble, v => (float)v);
        _bBar = Array.ConvertAll(_bBarDouble, v => (float)v);

        rng ??= new Rng(0);
        int h = units ?? 0;
        InputEncoders = Create("input_encoders", [1, inputSize], options.KernelInitializer, inputSize, 1, rng);
        HiddenEncoders = hiddenToMemory ? Create("hidden_encoders", [1, h], options.KernelInitializer, h, 1, rng) : null;
        MemoryEncoders = memoryToMemory ? Create("memory_encoders", [1, order], options.KernelInitializer, order, 1, rng) : null;
        MemoryKernel = units is null ? null : Create("memory_kernel", [h, order], options.KernelInitializer, order, h, rng);
        RecurrentKernel = units is null ? null : Create("recurrent_kernel", [h, h], options.RecurrentInitializer, h, h, rng);
        InputKernel = inputToHidden ? Create("input_kernel", [h, inputSize], options.KernelInitializer, inputSize, h, rng) : null;
        Bias = units is null ? null : Create("bias", [h], options.BiasInitializer, h, h, rng);
        _parameters = [.. new[] { InputEncoders, HiddenEncoders, MemoryEncoders, MemoryKernel, RecurrentKernel, InputKernel, Bias }.OfType<Parameter>()];
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>I, features per step.</summary>
    public int InputSize { get; }

    /// <summary>d, the memory's order.</summary>
    public int Order { get; }

    /// <summary>θ, the window in steps.</summary>
    public float Theta { get; }

    /// <summary>H, the hidden cell's units; null for a memory-only layer.</summary>
    public int? Units { get; }

    /// <summary>Whether <c>h_{t−1}</c> feeds u.</summary>
    public bool HiddenToMemory { get; }

    /// <summary>Whether <c>m_{t−1}</c> feeds u.</summary>
    public bool MemoryToMemory { get; }

    /// <summary>Whether <c>x_t</c> feeds the hidden cell.</summary>
    public bool InputToHidden { get; }

    /// <summary>Whether the output is every step's rather than the last one.</summary>
    public bool ReturnSequences { get; }

    /// <summary>Features per step of the output: <see cref="Units"/>, or <see cref="Order"/> for a memory-only layer.</summary>
    public int OutputSize => Units ?? Order;

    /// <summary>
    /// Whether <see cref="Forward"/> may use the parallel form where the options allow it (true, the default); false
    /// runs the recurrence always, which tests compare it with.
    /// </summary>
    public bool AllowParallelForm { get; set; } = true;

    /// <summary>
    /// Whether <see cref="Forward"/> computes the last memory as one product with the impulse response: a memory-only
    /// layer without <see cref="MemoryToMemory"/> that returns its last step, with <see cref="AllowParallelForm"/>.
    /// </summary>
    public bool UsesParallelForm => AllowParallelForm && Units is null && !MemoryToMemory && !ReturnSequences;

    /// <summary><c>input_encoders [1, I]</c>, e_x.</summary>
    public Parameter InputEncoders { get; }

    /// <summary><c>hidden_encoders [1, H]</c>, e_h; null without <see cref="HiddenToMemory"/>.</summary>
    public Parameter? HiddenEncoders { get; }

    /// <summary><c>memory_encoders [1, d]</c>, e_m; null without <see cref="MemoryToMemory"/>.</summary>
    public Parameter? MemoryEncoders { get; }

    /// <summary><c>memory_kernel [H, d]</c>, W_m; null for a memory-only layer.</summary>
    public Parameter? MemoryKernel { get; }

    /// <summary><c>recurrent_kernel [H, H]</c>, W_h; null for a memory-only layer.</summary>
    public Parameter? RecurrentKernel { get; }

    /// <summary><c>input_kernel [H, I]</c>, W_x; null without <see cref="InputToHidden"/>.</summary>
    public Parameter? InputKernel { get; }

    /// <summary><c>bias [H]</c>; null for a memory-only layer.</summary>
    public Parameter? Bias { get; }

    /// <summary>Ā <c>[d, d]</c> row-major in float32, as the layer uses it (a copy).</summary>
    public float[] DiscreteA => (float[])_aBar.Clone();

    /// <summary>B̄ <c>[d]</c> in float32, as the layer uses it (a copy).</summary>
    public float[] DiscreteB => (float[])_bBar.Clone();

    /// <inheritdoc/>
    public IReadOnlyList<Parameter> Parameters => _parameters;

    /// <summary>The <see cref="LmuLayer"/> that rebuilds this layer.</summary>
    public LmuLayer Options
    {
        get => _options;
        internal set => _options = value;
    }

    LayerConfig? ILayer.Options => Options;

    /// <summary><c>x: [B, T, I] → [B, OutputSize]</c>, or <c>[B, T, OutputSize]</c> with <see cref="ReturnSequences"/>.</summary>
    /// <exception cref="ArgumentException"><paramref name="x"/> is not <c>[B, T, I]</c>.</exception>
    public Tensor Forward(Tensor x, bool training = false)
    {
        ArgumentNullException.ThrowIfNull(x);
        if (x.Rank != 3 || x.Dim(2) != InputSize || x.Dim(0) < 1 || x.Dim(1) < 1)
        {
            throw ShapeCheck.Error(x, nameof(x), $"Lmu '{Name}'", string.Create(CultureInfo.InvariantCulture, $"[batch, steps, {InputSize}]"));
        }

        int batch = x.Dim(0), steps = x.Dim(1);
        Tensor y = ReturnSequences
            ? Buffers.Ensure(ref _output, batch, steps, OutputSize)
            : Buffers.Ensure(ref _output, batch, OutputSize);
        _input = x;
        _trained = training;
        _parallelPass = UsesParallelForm;
        if (_parallelPass)
        {
            ForwardParallel(x, y);
        }
        else
        {
            ForwardRecurrent(x, y, training);
        }

        return y;
    }

    /// <summary><c>dy</c> shaped like the last output → <c>dx [B, T, I]</c>; adds into the parameters' gradients.</summary>
    /// <exception cref="InvalidOperationException">No <c>Forward(training: true)</c> preceded this call.</exception>
    public Tensor Backward(Tensor dy)
    {
        Tensor x = _input ?? throw new InvalidOperationException($"Lmu '{Name}': Backward called before Forward.");
        if (!_trained)
        {
            throw new InvalidOperationException($"Lmu '{Name}': Backward needs Forward(x, training: true) before it.");
        }

        ShapeCheck.Same(dy, _output!, nameof(dy), "Lmu");
        Tensor dx = Buffers.Ensure(ref _inputGrad, x.Shape);
        if (_parallelPass)
        {
            BackwardParallel(x, dy, dx);
        }
        else
        {
            BackwardRecurrent(x, dy, dx);
        }

        return dx;
    }

    private static Parameter Create(string name, int[] shape, IInitializer initializer, int fanIn, int fanOut, Rng rng)
    {
        var p = new Parameter(name, shape);
        initializer.Fill(p.Value, fanIn, fanOut, rng);
        return p;
    }

    /// <summary>The impulse response <c>[T, d]</c> for <paramref name="steps"/> steps, made once per length.</summary>
    private float[] Impulse(int steps)
    {
        if (_impulse is null || _impulseSteps != steps)
        {
            _impulse = Array.ConvertAll(LegendreMemory.ImpulseResponse(_aBarDouble, _bBarDouble, steps), v => (float)v);
            _impulseSteps = steps;
        }

        return _impulse;
    }

    /// <summary>The impulse response <c>[T, d]</c> the parallel form multiplies by, in float32 (a copy): row j is <c>Ā^(T−1−j)·B̄</c>.</summary>
    /// <param name="steps">T, the sequence length; positive.</param>
    public float[] ImpulseResponse(int steps)
    {
        ShapeCheck.Positive(steps, nameof(steps), "Lmu");
        return (float[])Impulse(steps).Clone();
    }

    private void ForwardParallel(Tensor x, Tensor y)
    {
        int batch = x.Dim(0), steps = x.Dim(1), d = Order, i = InputSize;
        float[] u = Buffers.Ensure(ref _u, batch * steps);
        float[] k = Impulse(steps);

        // u[B·T] = x[B·T, I]·e_xᵀ; m_T[B, d] = u[B, T]·K[T, d]
        Gemm.Multiply(false, true, batch * steps, 1, i, 1f, x.Span, i, InputEncoders.Value.Span, i, 0f, u, 1);
        Gemm.Multiply(false, false, batch, d, steps, 1f, u, steps, k, d, 0f, y.Span, d);
    }

    private void BackwardParallel(Tensor x, Tensor dy, Tensor dx)
    {
        int batch = x.Dim(0), steps = x.Dim(1), d = Order, i = InputSize;
        float[] du = Buffers.Ensure(ref _u, batch * steps);
        float[] k = Impulse(steps);

        // du[B, T] = dm_T[B, d]·K[T, d]ᵀ; de_x[1, I] += du[B·T]ᵀ·x[B·T, I]; dx[B·T, I] = du ⊗ e_x
        Gemm.Multiply(false, true, batch, steps, d, 1f, dy.Span, d, k, d, 0f, du, steps);
        Gemm.Multiply(true, false, 1, i, batch * steps, 1f, du, 1, x.Span, i, 1f, InputEncoders.Grad.Span, i);
        Gemm.Multiply(false, false, batch * steps, i, 1, 1f, du, 1, InputEncoders.Value.Span, i, 0f, dx.Span, i);
    }

    private void ForwardRecurrent(Tensor x, Tensor y, bool training)
    {
        int batch = x.Dim(0), steps = x.Dim(1), d = Order, i = InputSize, h = Units ?? 0, output = OutputSize;
        int slabs = training ? steps + 1 : 2;
        float[] memory = Buffers.Ensure(ref _memory, slabs * batch * d);
        float[] hidden = Buffers.Ensure(ref _hidden, slabs * batch * h);
        float[] u = Buffers.Ensure(ref _u, batch);
        memory.AsSpan(0, batch * d).Clear();
        hidden.AsSpan(0, batch * h).Clear();
        ReadOnlySpan<float> xs = x.Span;
        Span<float> ys = y.Span;
        for (int t = 0; t < steps; t++)
        {
            int previous = training ? t : t % 2, current = training ? t + 1 : (t + 1) % 2;
            Span<float> mPrev = memory.AsSpan(previous * batch * d, batch * d), mCur = memory.AsSpan(current * batch * d, batch * d);
            Span<float> hPrev = hidden.AsSpan(previous * batch * h, batch * h), hCur = hidden.AsSpan(current * batch * h, batch * h);
            ReadOnlySpan<float> xt = xs[(t * i)..]; // rows of x_t at stride T·I

            // u[B] = x_t·e_xᵀ (+ h_{t−1}·e_hᵀ) (+ m_{t−1}·e_mᵀ)
            Gemm.Multiply(false, true, batch, 1, i, 1f, xt, steps * i, InputEncoders.Value.Span, i, 0f, u, 1);
            if (HiddenEncoders is not null)
            {
                Gemm.Multiply(false, true, batch, 1, h, 1f, hPrev, h, HiddenEncoders.Value.Span, h, 1f, u, 1);
            }

            if (MemoryEncoders is not null)
            {
                Gemm.Multiply(false, true, batch, 1, d, 1f, mPrev, d, MemoryEncoders.Value.Span, d, 1f, u, 1);
            }

            // m_t[B, d] = m_{t−1}·Āᵀ + u ⊗ B̄
            Gemm.Multiply(false, false, batch, d, 1, 1f, u, 1, _bBar, d, 0f, mCur, d);
            Gemm.Multiply(false, true, batch, d, d, 1f, mPrev, d, _aBar, d, 1f, mCur, d);

            if (Units is not null)
            {
                // h_t = tanh(m_t·W_mᵀ + h_{t−1}·W_hᵀ (+ x_t·W_xᵀ) + bias)
                for (int b = 0; b < batch; b++)
                {
                    Bias!.Value.Span.CopyTo(hCur.Slice(b * h, h));
                }

                Gemm.Multiply(false, true, batch, h, d, 1f, mCur, d, MemoryKernel!.Value.Span, d, 1f, hCur, h);
                Gemm.Multiply(false, true, batch, h, h, 1f, hPrev, h, RecurrentKernel!.Value.Span, h, 1f, hCur, h);
                if (InputKernel is not null)
                {
                    Gemm.Multiply(false, true, batch, h, i, 1f, xt, steps * i, InputKernel.Value.Span, i, 1f, hCur, h);
                }

                for (int j = 0; j < hCur.Length; j++)
                {
                    hCur[j] = MathF.Tanh(hCur[j]);
                }
            }

            if (ReturnSequences || t == steps - 1)
            {
                ReadOnlySpan<float> result = Units is null ? mCur : hCur;
                int stride = ReturnSequences ? steps * output : output, at = ReturnSequences ? t * output : 0;
                for (int b = 0; b < batch; b++)
                {
                    result.Slice(b * output, output).CopyTo(ys.Slice((b * stride) + at, output));
                }
            }
        }
    }

    private void BackwardRecurrent(Tensor x, Tensor dy, Tensor dx)
    {
        int batch = x.Dim(0), steps = x.Dim(1), d = Order, i = InputSize, h = Units ?? 0, output = OutputSize;
        int width = Math.Max(h, d);
        float[] scratch = Buffers.Ensure(ref _scratch, 4 * batch * width);
        float[] du = Buffers.Ensure(ref _u, batch);
        Span<float> dm = scratch.AsSpan(0, batch * d), dmNext = scratch.AsSpan(batch * width, batch * d);
        Span<float> dh = scratch.AsSpan(2 * batch * width, batch * h), dhNext = scratch.AsSpan(3 * batch * width, batch * h);
        dm.Clear();
        dh.Clear();
        float[] memory = _memory!, hidden = _hidden!;
        ReadOnlySpan<float> xs = x.Span, g = dy.Span;
        Span<float> dxs = dx.Span;
        for (int t = steps - 1; t >= 0; t--)
        {
            ReadOnlySpan<float> mPrev = memory.AsSpan(t * batch * d, batch * d), mCur = memory.AsSpan((t + 1) * batch * d, batch * d);
            ReadOnlySpan<float> hPrev = hidden.AsSpan(t * batch * h, batch * h), hCur = hidden.AsSpan((t + 1) * batch * h, batch * h);
            ReadOnlySpan<float> xt = xs[(t * i)..];
            Span<float> dxt = dxs[(t * i)..];

            if (ReturnSequences || t == steps - 1)
            {
                Span<float> into = Units is null ? dm : dh;
                int stride = ReturnSequences ? steps * output : output, at = ReturnSequences ? t * output : 0;
                for (int b = 0; b < batch; b++)
                {
                    ReadOnlySpan<float> row = g.Slice((b * stride) + at, output);
                    Span<float> target = into.Slice(b * output, output);
                    for (int j = 0; j < output; j++)
                    {
                        target[j] += row[j];
                    }
                }
            }

            if (Units is not null)
            {
                // da = dh ⊙ (1 − h_t²), kept in dh
                for (int j = 0; j < dh.Length; j++)
                {
                    dh[j] *= 1f - (hCur[j] * hCur[j]);
                }

                Gemm.Multiply(true, false, h, d, batch, 1f, dh, h, mCur, d, 1f, MemoryKernel!.Grad.Span, d);
                Gemm.Multiply(true, false, h, h, batch, 1f, dh, h, hPrev, h, 1f, RecurrentKernel!.Grad.Span, h);
                Buffers.AddRowsInto(dh, batch, h, Bias!.Grad.Span);
                if (InputKernel is not null)
                {
                    Gemm.Multiply(true, false, h, i, batch, 1f, dh, h, xt, steps * i, 1f, InputKernel.Grad.Span, i);
                    Gemm.Multiply(false, false, batch, i, h, 1f, dh, h, InputKernel.Value.Span, i, 0f, dxt, steps * i);
                }
                else
                {
                    ClearRows(dxt, batch, i, steps * i);
                }

                Gemm.Multiply(false, false, batch, d, h, 1f, dh, h, MemoryKernel.Value.Span, d, 1f, dm, d);
                Gemm.Multiply(false, false, batch, h, h, 1f, dh, h, RecurrentKernel.Value.Span, h, 0f, dhNext, h);
            }
            else
            {
                ClearRows(dxt, batch, i, steps * i);
            }

            // du[B] = dm·B̄; dm_{t−1} = dm·Ā (+ du ⊗ e_m); dh_{t−1} += du ⊗ e_h; dx_t += du ⊗ e_x
            Gemm.Multiply(false, false, batch, 1, d, 1f, dm, d, _bBar, 1, 0f, du, 1);
            Gemm.Multiply(false, false, batch, d, d, 1f, dm, d, _aBar, d, 0f, dmNext, d);
            if (MemoryEncoders is not null)
            {
                Gemm.Multiply(false, false, batch, d, 1, 1f, du, 1, MemoryEncoders.Value.Span, d, 1f, dmNext, d);
                Gemm.Multiply(true, false, 1, d, batch, 1f, du, 1, mPrev, d, 1f, MemoryEncoders.Grad.Span, d);
            }

            if (HiddenEncoders is not null)
            {
                Gemm.Multiply(false, false, batch, h, 1, 1f, du, 1, HiddenEncoders.Value.Span, h, 1f, dhNext, h);
                Gemm.Multiply(true, false, 1, h, batch, 1f, du, 1, hPrev, h, 1f, HiddenEncoders.Grad.Span, h);
            }

            Gemm.Multiply(false, false, batch, i, 1, 1f, du, 1, InputEncoders.Value.Span, i, 1f, dxt, steps * i);
            Gemm.Multiply(true, false, 1, i, batch, 1f, du, 1, xt, steps * i, 1f, InputEncoders.Grad.Span, i);

            Span<float> swap = dm;
            dm = dmNext;
            dmNext = swap;
            swap = dh;
            dh = dhNext;
            dhNext = swap;
        }
    }

    private static void ClearRows(Span<float> rows, int count, int length, int stride)
    {
        for (int b = 0; b < count; b++)
        {
            rows.Slice(b * stride, length).Clear();
        }
    }
}
