using Recur.Layers;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Tests.Tensors;

namespace Recur.Tests;

/// <summary>
/// Work split across threads gives the bits of one thread: matrix products, and whole LSTM training runs.
/// The thread count is set per test thread (<see cref="Threading.t_override"/>), so tests running at the
/// same time do not see each other's setting. The class runs alone (its collection disables parallel
/// runs): it keeps both cores busy and makes garbage, which other tests' allocation counts need not meet.
/// </summary>
[Collection(nameof(ThreadingTests))]
public class ThreadingTests
{
    [Fact]
    public void MaxThreadsRejectsOutOfRangeValues()
    {
        int saved = Threading.MaxThreads;
        Assert.True(saved >= 1);
        var ex = Assert.Throws<ArgumentOutOfRangeException>(() => Threading.MaxThreads = 0);
        Assert.Contains("MaxThreads = 0", ex.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Threading.MaxThreads = Threading.MaxSupportedThreads + 1);
        Assert.Equal(saved, Threading.MaxThreads);
    }

    [Theory]
    [InlineData(false, false, 300, 200, 150)] // split by rows
    [InlineData(true, false, 512, 128, 300)]  // dW-like: Aᵀ·B
    [InlineData(false, true, 9, 3000, 300)]   // few rows: split by columns
    [InlineData(true, true, 200, 190, 230)]
    public void ParallelProductEqualsOneThreadBitForBit(bool transA, bool transB, int m, int n, int k)
    {
        Assert.True(2.0 * m * n * k >= Gemm.ParallelMinFlops, "the case must be large enough to be split");
        float[] a = PackedMatrixTests.Random(m * k, 1), b = PackedMatrixTests.Random(k * n, 2), c0 = PackedMatrixTests.Random(m * n, 3);
        int lda = transA ? m : k, ldb = transB ? k : n;
        float[] one = (float[])c0.Clone();
        Gemm.Multiply(Gemm.DefaultPath, 1, transA, transB, m, n, k, 0.5f, a, lda, b, ldb, 0.25f, one, n);
        foreach (int threads in new[] { 2, 3, 5 })
        {
            float[] many = (float[])c0.Clone();
            Gemm.Multiply(Gemm.DefaultPath, threads, transA, transB, m, n, k, 0.5f, a, lda, b, ldb, 0.25f, many, n);
            AssertBits(one, many, $"{threads} threads");
        }
    }

    [Fact]
    public void PoolRunsEveryPartOnceAndRethrows()
    {
        var work = new Recorder();
        WorkerPool.Shared.Run(work, 3);
        Assert.Equal([1, 1, 1], work.Counts);
        Assert.Equal([0, 0, 0], new Recorder().Counts);

        var failing = new Recorder { FailOn = 2 };
        var ex = Assert.Throws<InvalidOperationException>(() => WorkerPool.Shared.Run(failing, 3));
        Assert.Contains("part 2", ex.Message);

        // A parallel call made from inside a part runs its parts on that thread, one after another.
        var outer = new Recorder { Inner = new Recorder() };
        WorkerPool.Shared.Run(outer, 2);
        Assert.Equal([1, 1, 0], outer.Counts);
        Assert.Equal([2, 2, 0], outer.Inner.Counts);
    }

    [Fact]
    public void SplitCoversTheRangeInAlignedPieces()
    {
        foreach (int count in new[] { 1, 7, 8, 100, 128, 1000 })
        {
            foreach (int parts in new[] { 1, 2, 3, 7 })
            {
                Assert.Equal(0, WorkerPool.Split(count, parts, 0, 8));
                Assert.Equal(count, WorkerPool.Split(count, parts, parts, 8));
                for (int p = 1; p < parts; p++)
                {
                    int start = WorkerPool.Split(count, parts, p, 8);
                    Assert.Equal(0, start % 8);
                    Assert.True(start >= WorkerPool.Split(count, parts, p - 1, 8));
                }
            }
        }
    }

    public static TheoryData<int, int, int, bool> LstmCases() => new()
    {
        { 28, 40, 20, false },  // the tutorial's rows, a batch that does not split evenly into micro-panels
        { 1, 24, 20, true },    // pixel-like input (the direct path for small inputs), every step's output
        { 5, 17, 20, true },
        { 28, 150, 20, false }, // a larger batch, uneven shards
        { 28, 24, 200, true },  // wider layers
        { 2, 20, 200, false },  // the same with a small input
    };

    [Theory]
    [MemberData(nameof(LstmCases))]
    public void TrainingIsBitIdenticalForAnyThreadCountAndRepeatable(int input, int batch, int hidden, bool returnSequences)
    {
        float[] one = Train(1, input, batch, hidden, returnSequences);
        AssertBits(one, Train(1, input, batch, hidden, returnSequences), "second run on 1 thread");
        float[] two = Train(2, input, batch, hidden, returnSequences);
        AssertBits(one, two, "2 threads");
        AssertBits(two, Train(2, input, batch, hidden, returnSequences), "second run on 2 threads");
        AssertBits(one, Train(3, input, batch, hidden, returnSequences), "3 threads");
    }

    /// <summary>Three Adam steps of an Lstm (with an initial state) and a Dense head; returns every weight and the last input gradient.</summary>
    private static float[] Train(int threads, int input, int batch, int hidden, bool returnSequences)
    {
        const int Steps = 6;
        int saved = Threading.t_override;
        Threading.t_override = threads;
        try
        {
            var rng = new Rng(3);
            var lstm = new Lstm(input, hidden, returnSequences: returnSequences, rng: rng);
            var dense = new Dense(hidden, 4, rng: rng);
            Parameter[] parameters = [.. lstm.Parameters, .. dense.Parameters];
            var adam = new Adam(0.01);
            Tensor x = GradCheck.Values(1, 1f, batch, Steps, input);
            var state = new LstmState(GradCheck.Values(2, 0.5f, batch, hidden), GradCheck.Values(3, 0.5f, batch, hidden));
            Tensor dx = null!;
            for (int step = 0; step < 3; step++)
            {
                adam.ZeroGrad(parameters);
                Tensor y = lstm.Forward(x, state, training: true);
                Tensor logits = dense.Forward(y, training: true);
                // d(loss)/d(logits): the logits themselves (loss = ½‖logits‖²), enough to exercise every gradient.
                dx = lstm.Backward(dense.Backward(logits.Clone()), lstm.FinalState.H.Clone(), null);
                adam.Step(parameters);
            }

            var all = new List<float>();
            foreach (Parameter p in parameters)
            {
                all.AddRange(p.Value.Data);
            }

            all.AddRange(dx.Data);
            all.AddRange(lstm.InitialStateGradient.H.Data);
            all.AddRange(lstm.InitialStateGradient.C.Data);
            return [.. all];
        }
        finally
        {
            Threading.t_override = saved;
        }
    }

    private static void AssertBits(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (int i = 0; i < expected.Length; i++)
        {
            Assert.True(BitConverter.SingleToInt32Bits(expected[i]) == BitConverter.SingleToInt32Bits(actual[i]),
                $"{what}: element {i} is {actual[i]}, one thread gave {expected[i]}");
        }
    }

    private sealed class Recorder : IParallelWork
    {
        public int[] Counts { get; } = new int[3];

        public int FailOn { get; init; } = -1;

        public Recorder? Inner { get; init; }

        public void Run(int part, int parts)
        {
            if (part == FailOn)
            {
                throw new InvalidOperationException($"part {part} failed");
            }

            Interlocked.Increment(ref Counts[part]);
            if (Inner is not null)
            {
                WorkerPool.Shared.Run(Inner, 2);
            }
        }
    }
}

/// <summary>Runs <see cref="ThreadingTests"/> after the parallel test collections, on its own.</summary>
[CollectionDefinition(nameof(ThreadingTests), DisableParallelization = true)]
public class ThreadingTestsCollection
{
}
