using Recur.Data;
using Recur.Tensors;

namespace Recur.Tests.Data;

public class DataSetTests
{
    /// <summary>N examples of F features; example i is filled with the value i, its label is i mod C.</summary>
    private static DataSet Numbered(int n, int features = 3, int classes = 4, ulong seed = 1, bool shuffle = true)
    {
        var images = new Tensor(n, features);
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            images.Row(i).Fill(i);
            labels[i] = i % classes;
        }

        return new DataSet(images, labels, classes, seed, shuffle);
    }

    /// <summary>The example numbers of a batch (the value in each row), checking rows, labels and one-hot agree.</summary>
    private static int[] Ids(DataBatch batch, int classes = 4)
    {
        var ids = new int[batch.Labels.Length];
        for (int b = 0; b < ids.Length; b++)
        {
            Span<float> row = batch.Images.Row(b);
            ids[b] = (int)row[0];
            Assert.All(row.ToArray(), v => Assert.Equal(ids[b], v));
            Assert.Equal(ids[b] % classes, batch.Labels[b]);
            Span<float> hot = batch.OneHotLabels.Row(b);
            for (int c = 0; c < classes; c++)
            {
                Assert.Equal(c == batch.Labels[b] ? 1f : 0f, hot[c]);
            }
        }

        return ids;
    }

    [Fact]
    public void SliceSplitsLikeReadDataSets()
    {
        MnistDataSets sets = MnistSlice.Load(validationSize: 200);

        Assert.Equal((1300, 200, 500), (sets.Train.Count, sets.Validation.Count, sets.Test.Count));
        Assert.All(new[] { sets.Train, sets.Validation, sets.Test }, d => Assert.Equal((784, 10), (d.Features, d.Classes)));
        Assert.True(sets.Train.Images.HasShape(1300, 784));
        Assert.True(sets.Test.OneHotLabels.HasShape(500, 10));

        // Validation is the first 200 training images, train the rest (TensorFlow's order).
        byte[] pixels = MnistSlice.Raw(MnistFiles.TrainImages);
        byte[] labels = MnistSlice.Raw(MnistFiles.TrainLabels);
        Assert.Equal(pixels[16 + 300] / 255f, sets.Validation.Images[0, 300]);
        Assert.Equal(pixels[16 + 200 * 784 + 300] / 255f, sets.Train.Images[0, 300]);
        Assert.Equal(labels[8], sets.Validation.Labels[0]);
        Assert.Equal(labels[8 + 200], sets.Train.Labels[0]);
        Assert.Equal(labels[8 + 1499], sets.Train.Labels[^1]);
    }

    [Fact]
    public void PixelsAreScaledToTheUnitInterval()
    {
        MnistDataSets sets = MnistSlice.Load();
        byte[] raw = MnistSlice.Raw(MnistFiles.TestImages);
        float[] data = sets.Test.Images.Data;

        Assert.Equal(0f, data.Min());
        Assert.Equal(1f, data.Max());
        for (int i = 0; i < data.Length; i++)
        {
            Assert.Equal(raw[16 + i] / 255f, data[i]);
        }
    }

    [Fact]
    public void OneHotLabelsMatchTheClasses()
    {
        DataSet test = MnistSlice.Load().Test;
        Tensor hot = test.OneHotLabels;
        for (int i = 0; i < test.Count; i++)
        {
            Span<float> row = hot.Row(i);
            Assert.Equal(1f, row.ToArray().Sum());
            Assert.Equal(1f, row[test.Labels[i]]);
        }

        Assert.Same(hot, test.OneHotLabels);
    }

    [Fact]
    public void EachEpochServesEveryExampleOnce()
    {
        DataSet set = Numbered(12);
        for (int epoch = 0; epoch < 3; epoch++)
        {
            var seen = new List<int>();
            for (int b = 0; b < 4; b++)
            {
                seen.AddRange(Ids(set.NextBatch(3)));
            }

            Assert.Equal(Enumerable.Range(0, 12), seen.Order());
            Assert.Equal(12, set.IndexInEpoch);
            Assert.Equal(epoch, set.EpochsCompleted); // TensorFlow counts the epoch when the next batch starts
        }
    }

    [Fact]
    public void BatchAcrossTheBoundaryTakesTheRestThenReshuffles()
    {
        DataSet set = Numbered(10, seed: 5);
        int[] first = [.. Ids(set.NextBatch(4)), .. Ids(set.NextBatch(4))];
        int[] crossing = Ids(set.NextBatch(4));

        Assert.Equal(1, set.EpochsCompleted);
        Assert.Equal(2, set.IndexInEpoch);
        int[] restOfFirst = Enumerable.Range(0, 10).Except(first).Order().ToArray();
        Assert.Equal(restOfFirst, crossing[..2].Order());

        int[] second = [.. crossing[2..], .. Ids(set.NextBatch(4)), .. Ids(set.NextBatch(4))];
        Assert.Equal(Enumerable.Range(0, 10), second.Order());
        Assert.Equal(1, set.EpochsCompleted);

        // The order is drawn again at each boundary: over a few epochs, not all the same.
        var orders = new List<string> { string.Join(",", [.. first, .. crossing[..2]]), string.Join(",", second) };
        for (int e = 0; e < 3; e++)
        {
            orders.Add(string.Join(",", Ids(set.NextBatch(10))));
        }

        Assert.True(orders.Distinct().Count() > 1, string.Join(" | ", orders));
        Assert.NotEqual(string.Join(",", Enumerable.Range(0, 10)), orders[1]);
    }

    [Fact]
    public void SameSeedSameBatchesOtherSeedOtherBatches()
    {
        int[] Run(ulong seed)
        {
            DataSet set = Numbered(50, seed: seed);
            return Enumerable.Range(0, 9).SelectMany(_ => Ids(set.NextBatch(16))).ToArray();
        }

        Assert.Equal(Run(3), Run(3));
        Assert.NotEqual(Run(3), Run(4));
    }

    [Fact]
    public void WithoutShuffleTheStoredOrderRepeats()
    {
        DataSet set = Numbered(5, shuffle: false);
        Assert.Equal([0, 1, 2], Ids(set.NextBatch(3)));
        Assert.Equal([3, 4, 0], Ids(set.NextBatch(3)));
        Assert.Equal([1, 2, 3], Ids(set.NextBatch(3)));
    }

    [Fact]
    public void BufferedNextBatchMatchesAndAllocatesNothing()
    {
        DataSet a = Numbered(37, seed: 9), b = Numbered(37, seed: 9);
        var images = new Tensor(8, 3);
        var oneHot = new Tensor(8, 4);
        var classes = new int[8];
        a.NextBatch(images, oneHot, classes); // warm-up
        b.NextBatch(8);

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 20; i++)
        {
            a.NextBatch(images, oneHot, classes); // crosses several epoch boundaries
        }

        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.Equal(0, allocated);

        for (int i = 0; i < 19; i++)
        {
            b.NextBatch(8);
        }

        DataBatch expected = b.NextBatch(8);
        Assert.Equal(expected.Images.Data, images.Data);
        Assert.Equal(expected.OneHotLabels.Data, oneHot.Data);
        Assert.Equal(expected.Labels, classes);
    }

    [Fact]
    public void TakeAndSliceCopyARange()
    {
        DataSet test = MnistSlice.Load().Test;
        DataSet first = test.Take(128);
        DataSet middle = test.Slice(100, 50);

        Assert.Equal(128, first.Count);
        Assert.Equal(test.Images.Data.AsSpan(0, 128 * 784).ToArray(), first.Images.Data);
        Assert.Equal(test.Labels[100..150], middle.Labels);
        Assert.Equal(test.Images.Data.AsSpan(100 * 784, 50 * 784).ToArray(), middle.Images.Data);
        Assert.NotSame(test.Images.Data, first.Images.Data);
        Assert.Throws<ArgumentOutOfRangeException>(() => test.Slice(480, 21));
        Assert.Throws<ArgumentOutOfRangeException>(() => test.Slice(-1, 2));
    }

    [Fact]
    public void BadArgumentsNameTheProblem()
    {
        var e = Assert.Throws<ArgumentException>(() => new DataSet(new Tensor(3, 2), [0, 4, 1], classes: 4));
        Assert.Contains("label 4 at index 1", e.Message);
        e = Assert.Throws<ArgumentException>(() => new DataSet(new Tensor(3, 2), [0, 1], classes: 4));
        Assert.Contains("2 labels for 3 images", e.Message);
        e = Assert.Throws<ArgumentException>(() => new DataSet(new Tensor(3, 2, 2), [0, 1, 2], classes: 4));
        Assert.Contains("[3, 2, 2]", e.Message);

        DataSet set = Numbered(10);
        var range = Assert.Throws<ArgumentOutOfRangeException>(() => set.NextBatch(11));
        Assert.Contains("[1, 10]", range.Message);
        e = Assert.Throws<ArgumentException>(() => set.NextBatch(new Tensor(4, 5), null, new int[4]));
        Assert.Contains("expected [batch, 3]", e.Message);
        e = Assert.Throws<ArgumentException>(() => set.NextBatch(new Tensor(4, 3), new Tensor(4, 3), new int[4]));
        Assert.Contains("expected [4, 4]", e.Message);
        e = Assert.Throws<ArgumentException>(() => set.NextBatch(new Tensor(4, 3), null, new int[3]));
        Assert.Contains("expected 4", e.Message);
    }

    [Fact]
    public void MismatchedIdxInputsAreRefused()
    {
        var images = new IdxImages(3, 2, 2, new byte[12]);
        var e = Assert.Throws<ArgumentException>(() => Mnist.CreateDataSets(images, new byte[2], images, new byte[3]));
        Assert.Contains("3 training images with 2 labels", e.Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => Mnist.CreateDataSets(images, new byte[3], images, new byte[3], validationSize: 4));
        MnistDataSets sets = Mnist.CreateDataSets(images, new byte[3], images, new byte[3], validationSize: 0);
        Assert.Equal((3, 0), (sets.Train.Count, sets.Validation.Count));
    }
}
