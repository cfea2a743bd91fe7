using Recur.Data;
using Recur.Tensors;

namespace Recur.Tests.Data;

public class SequenceLayoutTests
{
    private static Tensor Images(int batch, ulong seed = 11)
    {
        var rng = new Rng(seed);
        var images = new Tensor(batch, 784);
        for (int i = 0; i < images.Length; i++)
        {
            images.Data[i] = rng.NextFloat();
        }

        return images;
    }

    [Fact]
    public void RowsAndPixelsReshapeOverTheSameStorage()
    {
        Tensor images = Images(3);
        var rows = new SequenceLayout(SequenceView.Rows);
        var pixels = new SequenceLayout(SequenceView.Pixels);

        Tensor r = rows.Apply(images), p = pixels.Apply(images);

        Assert.Equal((28, 28), (rows.Steps, rows.Features));
        Assert.Equal((784, 1), (pixels.Steps, pixels.Features));
        Assert.True(r.HasShape(3, 28, 28));
        Assert.True(p.HasShape(3, 784, 1));
        Assert.Same(images.Data, r.Data);
        Assert.Same(images.Data, p.Data);
        Assert.Equal(images[2, 5 * 28 + 7], r[2, 5, 7]);
        Assert.Equal(images[1, 300], p[1, 300, 0]);
        Assert.True(rows.Permutation.IsEmpty);
    }

    [Fact]
    public void PermutedPixelsIsAFixedPermutation()
    {
        Tensor images = Images(4);
        var layout = new SequenceLayout(SequenceView.PermutedPixels, seed: 42);

        Tensor x = layout.Apply(images);

        Assert.True(x.HasShape(4, 784, 1));
        Assert.NotSame(images.Data, x.Data);
        int[] permutation = layout.Permutation.ToArray();
        Assert.Equal(Enumerable.Range(0, 784), permutation.Order());
        Assert.True(permutation.Where((p, t) => p != t).Count() > 700, "hardly permuted");
        for (int b = 0; b < 4; b++)
        {
            float[] source = images.Row(b).ToArray();
            float[] sequence = x.Data.AsSpan(b * 784, 784).ToArray();
            Assert.Equal(source.Order(), sequence.Order()); // the same multiset of pixel values
            for (int t = 0; t < 784; t++)
            {
                Assert.Equal(source[permutation[t]], sequence[t]);
            }
        }
    }

    [Fact]
    public void SameSeedSamePermutationForTrainAndTest()
    {
        MnistDataSets a = MnistSlice.Load(validationSize: 100, seed: 1);
        MnistDataSets b = MnistSlice.Load(validationSize: 100, seed: 1);
        var layoutA = new SequenceLayout(SequenceView.PermutedPixels, seed: 7);
        var layoutB = new SequenceLayout(SequenceView.PermutedPixels, seed: 7);

        Assert.Equal(layoutA.Apply(a.Test.Images).Data, layoutB.Apply(b.Test.Images).Data);
        Assert.Equal(layoutA.Apply(a.Train.NextBatch(64).Images).Data, layoutB.Apply(b.Train.NextBatch(64).Images).Data);
        Assert.NotEqual(layoutA.Permutation.ToArray(), new SequenceLayout(SequenceView.PermutedPixels, seed: 8).Permutation.ToArray());
    }

    [Fact]
    public void RepeatedApplyAllocatesNothing()
    {
        Tensor images = Images(16);
        var layouts = new[]
        {
            new SequenceLayout(SequenceView.Rows),
            new SequenceLayout(SequenceView.Pixels),
            new SequenceLayout(SequenceView.PermutedPixels),
        };
        foreach (SequenceLayout layout in layouts)
        {
            Tensor first = layout.Apply(images);
            long before = GC.GetAllocatedBytesForCurrentThread();
            Tensor again = layout.Apply(images);
            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
            Assert.Same(first, again);
        }
    }

    [Fact]
    public void WrongImageWidthIsRefused()
    {
        var e = Assert.Throws<ArgumentException>(() => new SequenceLayout(SequenceView.Rows).Apply(new Tensor(2, 100)));
        Assert.Contains("[2, 100]", e.Message);
        Assert.Contains("[batch, 784]", e.Message);
    }
}
