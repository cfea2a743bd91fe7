using Recur.Layers;
using Recur.Losses;
using Recur.Models;
using Recur.Optimizers;
using Recur.Tensors;
using Recur.Tests.Models;
using Recur.Training;
using Xunit.Abstractions;

namespace Recur.Tests.Training;

/// <summary>
/// Data-parallel training in the library (<see cref="Trainer.Replicas"/>) over ranks that are threads of this process
/// (<see cref="ThreadReplicas"/>), so without MPI: every rank takes rank 0's weights and the same steps, the result is
/// one process's up to the order of the gradient sums, and ranks started differently are refused.
/// </summary>
public class DataParallelTests(ITestOutputHelper output)
{
    private static readonly (Tensor X, Tensor Y, Tensor Classes) Data = KerasModelTests.Data(128, 4, 3, 3, 5);

    private static Sequential Compiled(ulong seed, Optimizer optimizer)
    {
        var model = new Sequential(seed) { new LstmLayer(6) { InputShape = [4, 3] }, new DenseLayer(3) };
        model.Compile(new CategoricalCrossentropy(fromLogits: true), optimizer, ["accuracy"]);
        return model;
    }

    private static (float[][] Weights, double ValidationLoss) Train(Sequential model, IReplicaGroup? group, int batchSize = 16, int steps = 30, int? shards = null, int[]? lengths = null)
    {
        var trainer = new Trainer(model, new TensorBatches(Data.X, Data.Y, batchSize, shuffle: true, seed: 3, lengths: lengths))
        {
            Steps = steps,
            ValidationData = (Data.X, Data.Y),
            ValidationFrequency = 10,
            ValidationBatchSize = 50,
            Replicas = group,
            GradientShards = shards,
        };
        trainer.Run();
        return (model.GetWeights(), trainer.LastValidation["val_loss"]);
    }

    [Fact]
    public void TwoRanksTakeRankZerosWeightsAndTheStepsOfOneProcess()
    {
        (float[][] alone, double aloneLoss) = Train(Compiled(1, new Sgd(0.2)), null);
        // Rank 1 builds its model from another seed: it must train from rank 0's weights all the same.
        var ranks = new ThreadReplicas(2).Run(group => Train(Compiled(group.Rank == 0 ? 1UL : 2UL, new Sgd(0.2)), group));

        for (int p = 0; p < alone.Length; p++)
        {
            Assert.Equal(ranks[0].Weights[p], ranks[1].Weights[p]); // every rank took the same steps, bit for bit
        }

        double worst = RelativeDifference(alone, ranks[0].Weights);
        output.WriteLine($"2 ranks against one process after 30 SGD steps: largest relative difference of a parameter {worst:E2}; val_loss {aloneLoss:R} and {ranks[0].ValidationLoss:R}");
        Assert.True(worst < 1e-6, $"relative difference {worst:E2}");
        Assert.True(worst > 0 || alone.Zip(ranks[0].Weights).All(w => w.First.AsSpan().SequenceEqual(w.Second)));
        Assert.Equal(aloneLoss, ranks[0].ValidationLoss, 1e-6);
        Assert.Equal(ranks[0].ValidationLoss, ranks[1].ValidationLoss);
    }

    [Theory]
    [InlineData(2, false)]
    [InlineData(3, false)]
    [InlineData(3, true)]
    public void OneProcessWithNShardsTakesTheWeightsOfNRanksBitForBit(int n, bool masked)
    {
        // Adam, which turns a gradient's last bit into a step of the learning rate's size, over 60 steps of batches of 17
        // (shards of 5 and 6 rows); masked: sequences of 1 to 4 valid steps, so the shards' units differ.
        int[]? lengths = masked ? Enumerable.Range(0, Data.X.Dim(0)).Select(i => 1 + (i * 7 % 4)).ToArray() : null;
        (float[][] shards, double shardsLoss) = Train(Compiled(1, new Adam(0.01)), null, batchSize: 17, steps: 60, shards: n, lengths: lengths);
        var ranks = new ThreadReplicas(n).Run(group => Train(Compiled(1, new Adam(0.01)), group, batchSize: 17, steps: 60, lengths: lengths));
        (float[][] whole, _) = Train(Compiled(1, new Adam(0.01)), null, batchSize: 17, steps: 60, lengths: lengths);

        for (int p = 0; p < shards.Length; p++)
        {
            Bits.AssertEqual(ranks[0].Weights[p], shards[p], $"parameter {p}"); // the same bits: one process on every thread it has, n ranks on one each
        }

        double apart = RelativeDifference(whole, shards);
        output.WriteLine($"{n} shards in one process = {n} ranks, bit for bit, after 60 Adam steps{(masked ? " under a mask" : "")}; the whole batch at once is {apart:E2} (relative) from them; val_loss {shardsLoss:R} and {ranks[0].ValidationLoss:R}");
        Assert.True(apart > 0, "the whole batch at once should differ from n shards in rounding: the shards would then prove nothing");
        Assert.True(apart < 1e-2, $"relative difference {apart:E2}");
    }

    [Fact]
    public void ShardsAreRefusedUnderReplicasAndBelowOne()
    {
        var error = Assert.Throws<AggregateException>(() => new ThreadReplicas(2).Run(group => Train(Compiled(1, new Sgd(0.2)), group, shards: 2)));
        Assert.All(error.InnerExceptions, e => Assert.Contains("GradientShards 2 with 2 replicas; in a data-parallel run each process is one shard", e.Message));
        var below = Assert.Throws<ArgumentException>(() => Train(Compiled(1, new Sgd(0.2)), null, shards: 0));
        Assert.Contains("GradientShards must be at least 1, not 0", below.Message);
    }

    [Fact]
    public void RanksStartedWithOtherSettingsAreRefusedByName()
    {
        var error = Assert.Throws<AggregateException>(() =>
            new ThreadReplicas(2).Run(group => Train(Compiled(1, new Sgd(0.2)), group, batchSize: group.Rank == 1 ? 8 : 16)));
        output.WriteLine(error.InnerExceptions[0].Message);
        Assert.Equal(2, error.InnerExceptions.Count); // both ranks refuse, neither waits for the other
        Assert.All(error.InnerExceptions, e => Assert.Contains("rank 1 of 2 was started with other data, loop settings or callbacks than rank 0", e.Message));
    }

    [Fact]
    public void ShardsCoverTheBatchInRankOrder()
    {
        Assert.Equal((0, 42), DataParallel.Shard(128, 0, 3));
        Assert.Equal((42, 43), DataParallel.Shard(128, 1, 3));
        Assert.Equal((85, 43), DataParallel.Shard(128, 2, 3));
        var e = Assert.Throws<ArgumentException>(() => DataParallel.Shard(2, 0, 3));
        Assert.Contains("a batch of 2 rows cannot be shared among 3 processes", e.Message);
    }

    /// <summary>The largest, over parameters, of ‖a − b‖ / ‖a‖.</summary>
    internal static double RelativeDifference(float[][] a, float[][] b)
    {
        double worst = 0;
        for (int p = 0; p < a.Length; p++)
        {
            double diff = 0, norm = 0;
            for (int i = 0; i < a[p].Length; i++)
            {
                diff += Math.Pow(a[p][i] - (double)b[p][i], 2);
                norm += Math.Pow(a[p][i], 2);
            }

            worst = Math.Max(worst, Math.Sqrt(diff / norm));
        }

        return worst;
    }
}
