using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Recur.Losses;
using Recur.Optimizers;
using Recur.Tensors;

namespace Recur.Training;

/// <summary>
/// What data-parallel training does besides the gradient sum (<see cref="GradientReduction"/>): which rows of a batch
/// each process takes, evaluation split across the processes and summed, the start-up check that every process runs
/// the same thing, and rank 0's weights, optimizer state and loop state given to every process.
/// </summary>
public static class DataParallel
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// The rows <c>[Start, Start + Count)</c> of a batch of <paramref name="rows"/> that process <paramref name="rank"/>
    /// of <paramref name="size"/> takes: contiguous shards in rank order, sizes differing by at most one.
    /// </summary>
    /// <exception cref="ArgumentException">There are fewer rows than processes, so some process would get none.</exception>
    public static (int Start, int Count) Shard(int rows, int rank, int size)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(rank);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(rank, size);
        if (rows < size)
        {
            throw new ArgumentException(string.Create(Inv,
                $"DataParallel: a batch of {rows} rows cannot be shared among {size} processes; use a batch size of at least {size}, or fewer processes."), nameof(rows));
        }

        int start = (int)((long)rows * rank / size), end = (int)((long)rows * (rank + 1) / size);
        return (start, end - start);
    }

    /// <summary>
    /// <see cref="ITrainable.Evaluate(Tensor, Tensor, int, int[])"/> with the rows of <c>x [N, …]</c>, <c>y [N, …]</c>
    /// split across the group (<see cref="Shard"/>) and the results summed: the loss and accuracy weighted by each
    /// process's rows, the metrics' sums and counts added. Every process gets the same result.
    /// </summary>
    /// <param name="model">The model, the same on every process.</param>
    /// <param name="group">The processes.</param>
    /// <param name="x">Every process's same inputs <c>[N, …]</c>.</param>
    /// <param name="y">Every process's same targets <c>[N, …]</c>.</param>
    /// <param name="batchSize">Rows per evaluation batch on each process.</param>
    /// <param name="lengths">The sequences' valid steps, or null.</param>
    public static BatchResult Evaluate(ITrainable model, IReplicaGroup group, Tensor x, Tensor y, int batchSize, int[]? lengths)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(group);
        ArgumentNullException.ThrowIfNull(x);
        ArgumentNullException.ThrowIfNull(y);
        (int start, int count) = Shard(x.Dim(0), group.Rank, group.Size);
        Tensor? xb = null, yb = null;
        BatchResult r = model.Evaluate(Buffers.Rows(x, start, count, ref xb), Buffers.Rows(y, start, count, ref yb), batchSize, lengths?[start..(start + count)]);
        IReadOnlyList<MetricTotal> metrics = r.Metrics;
        var sums = new double[3 + (2 * metrics.Count)];
        sums[0] = (double)r.Loss * count;
        sums[1] = float.IsNaN(r.Accuracy) ? 0 : (double)r.Accuracy * count;
        sums[2] = count;
        for (int i = 0; i < metrics.Count; i++)
        {
            (sums[3 + (2 * i)], sums[4 + (2 * i)]) = (metrics[i].Sum, metrics[i].Count);
        }

        group.AllreduceSum(sums);
        var totals = new MetricTotal[metrics.Count];
        for (int i = 0; i < totals.Length; i++)
        {
            totals[i] = metrics[i] with { Sum = sums[3 + (2 * i)], Count = sums[4 + (2 * i)] };
        }

        return new BatchResult((float)(sums[0] / sums[2]), float.IsNaN(r.Accuracy) ? float.NaN : (float)(sums[1] / sums[2]), float.NaN) { Metrics = totals };
    }

    /// <summary>
    /// Refuses to go on unless every process of the group was given the same <paramref name="fingerprint"/> (e.g. the
    /// run's options and the build): rank 0's SHA-256 of it is broadcast, each process compares its own, and a sum of
    /// the mismatches tells every process which ranks differ.
    /// </summary>
    /// <param name="group">The processes.</param>
    /// <param name="fingerprint">What must be the same everywhere.</param>
    /// <param name="what">What it is, for the message (<c>the options and build</c>).</param>
    /// <exception cref="InvalidOperationException">Some rank's fingerprint differs from rank 0's; the message names the ranks.</exception>
    public static void CheckSame(IReplicaGroup group, ReadOnlySpan<byte> fingerprint, string what)
    {
        ArgumentNullException.ThrowIfNull(group);
        byte[] ours = SHA256.HashData(fingerprint);
        byte[] rootHash = (byte[])ours.Clone();
        group.Broadcast(rootHash);
        var differs = new double[group.Size];
        differs[group.Rank] = ours.AsSpan().SequenceEqual(rootHash) ? 0 : 1;
        group.AllreduceSum(differs);
        int[] ranks = Enumerable.Range(0, differs.Length).Where(r => differs[r] != 0).ToArray();
        if (ranks.Length > 0)
        {
            throw new InvalidOperationException(string.Create(Inv,
                $"rank{(ranks.Length > 1 ? "s" : "")} {string.Join(", ", ranks)} of {group.Size} {(ranks.Length > 1 ? "were" : "was")} started with other {what} than rank 0; start every process with the same build and the same options."));
        }
    }

    /// <summary>
    /// Gives every process rank 0's weights, optimizer state and loop state to resume from (or null), so a run starts
    /// (or resumes) from the same point everywhere whatever each process built or read: rank 0 alone needs the run's
    /// checkpoint. Returns rank 0's <paramref name="resume"/>.
    /// </summary>
    internal static JsonObject? ShareStart(IReplicaGroup group, ITrainable model, JsonObject? resume)
    {
        Optimizer optimizer = model.Optimizer!;
        var named = model.Parameters.Select((p, i) => new KeyValuePair<string, Layers.Parameter>(i.ToString(Inv), p)).ToArray();
        byte[] blob = [];
        if (group.Rank == 0)
        {
            OptimizerState state = optimizer.ExportState(named);
            var weights = new JsonArray();
            foreach (Layers.Parameter p in model.Parameters)
            {
                weights.Add(Base64(p.Value.Span));
            }

            var slots = new JsonObject();
            foreach (var (key, values) in state.Slots)
            {
                slots[key] = Base64(values);
            }

            var steps = new JsonObject();
            foreach (var (key, n) in state.Steps)
            {
                steps[key] = n;
            }

            blob = Encoding.UTF8.GetBytes(new JsonObject
            {
                ["resume"] = resume?.DeepClone(),
                ["weights"] = weights,
                ["optimizer"] = state.Optimizer,
                ["learning_rate"] = StateJson.Write(state.LearningRate),
                ["iterations"] = state.Iterations,
                ["slots"] = slots,
                ["steps"] = steps,
            }.ToJsonString());
        }

        var length = new byte[sizeof(long)];
        BitConverter.TryWriteBytes(length, (long)blob.Length);
        group.Broadcast(length);
        if (group.Rank != 0)
        {
            blob = new byte[BitConverter.ToInt64(length)];
        }

        group.Broadcast(blob);
        if (group.Rank == 0)
        {
            return resume;
        }

        const string What = "DataParallel: rank 0's start state";
        JsonObject s = JsonNode.Parse(blob) as JsonObject ?? throw new InvalidDataException($"{What} is not a JSON object.");
        JsonArray w = s["weights"] as JsonArray ?? throw new InvalidDataException($"{What} has no weights.");
        if (w.Count != model.Parameters.Count)
        {
            throw new InvalidDataException(string.Create(Inv, $"{What} has {w.Count} parameters, this process's model {model.Parameters.Count}; start every process with the same options."));
        }

        for (int i = 0; i < w.Count; i++)
        {
            FromBase64((string?)w[i], model.Parameters[i].Value.Span, What);
            model.Parameters[i].MarkChanged(); // a streaming Step repacks what it reads next
        }

        var stateSlots = new SortedDictionary<string, float[]>(StringComparer.Ordinal);
        foreach (var (key, node) in s["slots"] as JsonObject ?? [])
        {
            byte[] bytes = Convert.FromBase64String((string?)node ?? "");
            stateSlots[key] = MemoryMarshal.Cast<byte, float>(bytes).ToArray();
        }

        var stateSteps = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (key, node) in s["steps"] as JsonObject ?? [])
        {
            stateSteps[key] = (long?)node ?? 0;
        }

        optimizer.ImportState(
            new OptimizerState((string?)s["optimizer"] ?? "", StateJson.ReadDouble(s["learning_rate"], What), (long?)s["iterations"] ?? 0, stateSlots, stateSteps),
            named);
        return s["resume"] as JsonObject;
    }

    private static string Base64(ReadOnlySpan<float> values) => Convert.ToBase64String(MemoryMarshal.AsBytes(values));

    private static void FromBase64(string? text, Span<float> destination, string what)
    {
        byte[] bytes = Convert.FromBase64String(text ?? "");
        if (bytes.Length != destination.Length * sizeof(float))
        {
            throw new InvalidDataException(string.Create(Inv, $"{what} has a parameter of {bytes.Length / sizeof(float)} values where this process's model has {destination.Length}; start every process with the same options."));
        }

        MemoryMarshal.Cast<byte, float>(bytes).CopyTo(destination);
    }
}
