using System.Diagnostics;
using Recur.Layers;
using Recur.Losses;
using Recur.Optimizers;
using Recur.Tensors;

namespace Recur.Cli;

/// <summary>Runs one <see cref="BenchShape"/> in this process and measures it.</summary>
internal static class BenchRunner
{
    /// <summary>Distinct synthetic batches, used in turn, so the data is not one batch seen over and over.</summary>
    private const int DataBatches = 4;

    /// <summary>
    /// Builds the model and <see cref="DataBatches"/> batches of uniform(−1, 1) inputs with random
    /// labels, runs <paramref name="warmup"/> untimed batches, then times <paramref name="batches"/>.
    /// A training batch is what a training loop does: zero the gradients, forward, loss, backward and
    /// an Adam step; an inference batch is the forward pass alone; a streaming shape times single steps (see
    /// <see cref="BenchShape.Streaming"/>).
    /// </summary>
    public static BenchResult Run(BenchShape shape, int batches, int warmup, ulong seed)
    {
        var rng = new Rng(seed);
        (IRecurrentLayer recurrent, Dense dense) = Build(shape, rng);
        if (shape.Streaming)
        {
            Tensor[] steps = StreamSteps(shape, rng);
            return recurrent switch
            {
                Lstm lstm => Stream(shape, lstm, state => state.H, dense, steps, batches, warmup),
                Gru gru => Stream(shape, gru, state => state, dense, steps, batches, warmup),
                _ => throw new ArgumentException($"recur bench: shape {shape.Name} streams a {recurrent.GetType().Name}, which has no Step to time."),
            };
        }

        Parameter[] parameters = [.. recurrent.Parameters, .. dense.Parameters];
        var loss = new SoftmaxCrossEntropy();
        var adam = new Adam(0.001);

        var xs = new Tensor[DataBatches];
        var labels = new int[DataBatches][];
        var masks = new SequenceMask?[DataBatches];
        for (int d = 0; d < DataBatches; d++)
        {
            xs[d] = new Tensor(shape.Batch, shape.Steps, shape.Input);
            Span<float> x = xs[d].Span;
            for (int i = 0; i < x.Length; i++)
            {
                x[i] = (2f * rng.NextFloat()) - 1f;
            }

            if (shape.Ragged)
            {
                // Lengths uniform in 1 … T − 1, zeros after them, as bench/peers/pytorch_packed.py draws its own.
                int[] lengths = new int[shape.Batch];
                for (int i = 0; i < shape.Batch; i++)
                {
                    lengths[i] = 1 + rng.NextInt(shape.Steps - 1);
                    x.Slice(((i * shape.Steps) + lengths[i]) * shape.Input, (shape.Steps - lengths[i]) * shape.Input).Clear();
                }

                masks[d] = shape.Masked ? SequenceMask.FromLengths(lengths, shape.Steps) : null;
            }

            labels[d] = new int[shape.Batch];
            for (int i = 0; i < shape.Batch; i++)
            {
                labels[d][i] = rng.NextInt(BenchShape.Classes);
            }
        }

        void Step(int index)
        {
            Tensor x = xs[index % DataBatches];
            if (recurrent is IMaskedLayer masked)
            {
                masked.InputMask = masks[index % DataBatches];
            }
            if (shape.Training)
            {
                adam.ZeroGrad(parameters);
                loss.Forward(dense.Forward(recurrent.Forward(x, training: true), training: true), labels[index % DataBatches]);
                recurrent.Backward(dense.Backward(loss.Gradient));
                adam.Step(parameters);
            }
            else
            {
                dense.Forward(recurrent.Forward(x));
            }
        }

        for (int i = 0; i < warmup; i++)
        {
            Step(i);
        }

        long start = Stopwatch.GetTimestamp();
        for (int i = 0; i < batches; i++)
        {
            Step(i);
        }

        return Result(shape, batches, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    /// <summary>
    /// The model of <paramref name="shape"/>: its recurrent layer (both directions in a <see cref="Bidirectional"/>),
    /// whose last output <c>[B, H]</c> (or <c>[B, 2H]</c>) goes into <c>Dense(…, 10)</c>, initialised from <paramref name="rng"/>.
    /// The input is data, so no gradient flows into it (as in the PyTorch peer, whose input does not require one).
    /// </summary>
    public static (IRecurrentLayer Recurrent, Dense Dense) Build(BenchShape shape, Rng rng)
    {
        IRecurrentLayer recurrent = shape.Bidirectional
            ? new Bidirectional(Recurrent(shape, rng, "forward"), Recurrent(shape, rng, "backward"))
            : Recurrent(shape, rng, shape.Cell);
        recurrent.ComputeInputGradient = false;
        return (recurrent, new Dense(recurrent.OutputSize, BenchShape.Classes, rng: rng));
    }

    /// <summary>
    /// The inputs of a streaming shape: <see cref="DataBatches"/> sequences of uniform(−1, 1) values, cut into their
    /// steps, each <c>[1, I]</c>, in order.
    /// </summary>
    public static Tensor[] StreamSteps(BenchShape shape, Rng rng)
    {
        var steps = new Tensor[DataBatches * shape.Steps];
        for (int s = 0; s < steps.Length; s++)
        {
            steps[s] = new Tensor(1, shape.Input);
            Span<float> x = steps[s].Span;
            for (int i = 0; i < x.Length; i++)
            {
                x[i] = (2f * rng.NextFloat()) - 1f;
            }
        }

        return steps;
    }

    /// <summary>
    /// Streams <paramref name="steps"/> (each <c>[1, I]</c>, in turn) through <paramref name="layer"/> one step at a time,
    /// carrying the state (from zeros, never reset), each step's output
    /// <c>[1, H]</c> (<paramref name="output"/> of the state) into <paramref name="dense"/>; runs
    /// <paramref name="warmup"/> × <see cref="BenchShape.StreamStepsPerBatch"/> steps, then times
    /// <paramref name="batches"/> × that many. The step is the streaming one, the state updated in place
    /// (<see cref="RecurrentLayer{TState}.Step(Tensor, TState, TState)"/>), so neither it nor the head allocates.
    /// </summary>
    private static BenchResult Stream<TState>(BenchShape shape, RecurrentLayer<TState> layer, Func<TState, Tensor> output, Dense dense,
        Tensor[] steps, int batches, int warmup)
        where TState : class
    {
        TState state = layer.ZeroState(1);
        int k = 0;
        void Run(int count)
        {
            for (int i = 0; i < count; i++, k++)
            {
                layer.Step(steps[k % steps.Length], state, state);
                dense.Forward(output(state));
            }
        }

        Run(warmup * BenchShape.StreamStepsPerBatch);
        long start = Stopwatch.GetTimestamp();
        int timed = batches * BenchShape.StreamStepsPerBatch;
        Run(timed);
        return Result(shape, timed, Stopwatch.GetElapsedTime(start).TotalSeconds);
    }

    /// <summary>The result of <paramref name="batches"/> batches (steps, for a streaming shape) of <paramref name="shape"/> timed in <paramref name="seconds"/>.</summary>
    private static BenchResult Result(BenchShape shape, int batches, double seconds) => new(
        shape.Name,
        shape.Mode,
        shape.Batch,
        shape.Steps,
        shape.Input,
        shape.Hidden,
        batches,
        Threading.MaxThreads,
        SamplesPerS: shape.Batch * batches / seconds,
        MsPerBatch: 1000.0 * seconds / batches,
        Gflops: shape.FlopsPerBatch() * batches / seconds / 1e9,
        PeakRssMib: PeakRss.Mib())
    {
        UsPerStep = shape.Streaming ? 1e6 * seconds / batches : null,
    };

    /// <summary>One direction's recurrent layer of <paramref name="shape"/>.</summary>
    private static IRecurrentLayer Recurrent(BenchShape shape, Rng rng, string name) => shape.Cell switch
    {
        "lstm" => new Lstm(shape.Input, shape.Hidden, forgetBias: 1f, rng: rng, name: name, layerNorm: shape.LayerNorm),
        "gru" => new Gru(shape.Input, shape.Hidden, rng: rng, name: name, layerNorm: shape.LayerNorm),
        _ => throw new ArgumentException($"recur bench: shape {shape.Name} has an unknown cell '{shape.Cell}'."),
    };
}
