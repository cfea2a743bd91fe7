using System.Text;
using Recur.Data;
using Recur.Tensors;

namespace Recur.Tests.Data;

/// <summary>CSV sequences, the sequence checks shared with .npy, and the train/validation split.</summary>
public sealed class SequenceFilesTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private static string Csv(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "csv", name);

    private string Write(string text, string name = "data.csv", Encoding? encoding = null)
    {
        string path = _dir.File(name);
        File.WriteAllText(path, text, encoding ?? new UTF8Encoding(false));
        return path;
    }

    [Fact]
    public void TheCsvTaskHoldsExactlyTheNpyTask()
    {
        var options = new SequenceFileOptions { Features = 2 };
        foreach (string split in new[] { "train", "test" })
        {
            SequenceData csv = SequenceFiles.ReadCsv(Csv($"task_{split}.csv"), options); // train has a header, test has none
            SequenceData npy = SequenceFiles.ReadNpy(NpyTests.Fixture($"task_{split}_x.npy"), NpyTests.Fixture($"task_{split}_y.npy"));
            Assert.Equal(split == "train" ? 150 : 60, csv.Count);
            Assert.Equal((12, 2, 3), (csv.Steps, csv.Features, csv.Classes));
            Assert.Equal((npy.Count, npy.Steps, npy.Features, npy.Classes), (csv.Count, csv.Steps, csv.Features, csv.Classes));
            Assert.Equal(npy.Data.Labels, csv.Data.Labels);
            Assert.Equal(npy.Data.Images.Data, csv.Data.Images.Data); // the CSV text parses to the same float32 bits
            Assert.Equal(npy.Sequences.Shape.ToArray(), csv.Sequences.Shape.ToArray());
        }

        // The same file read by Read, which picks the reader by extension.
        Assert.Equal(150, SequenceFiles.Read(Csv("task_train.csv"), options: options).Count);
        Assert.Equal(150, SequenceFiles.Read(NpyTests.Fixture("task_train_x.npy"), NpyTests.Fixture("task_train_y.npy")).Count);
    }

    [Fact]
    public void RowsAreLabelThenStepMajorValues()
    {
        string path = Write("1,0.5,1,1.5,2,2.5,3\n0,-1,-2,-3,-4,-5,-6\n2, 7 , \"8\",9e0,1E1,+11,12.000\n");
        SequenceData data = SequenceFiles.ReadCsv(path, new SequenceFileOptions { Features = 2 });
        Assert.Equal((3, 3, 2, 3), (data.Count, data.Steps, data.Features, data.Classes));
        Assert.Equal([1, 0, 2], data.Data.Labels);
        Tensor x = data.Sequences;
        Assert.True(x.HasShape(3, 3, 2));
        Assert.Equal(1.5f, x[0, 1, 0]); // step 1, feature 0 = the third value
        Assert.Equal(-6f, x[1, 2, 1]);
        Assert.Equal([7f, 8, 9, 10, 11, 12], x.Data[12..]);

        SequenceData one = SequenceFiles.ReadCsv(path); // F = 1 by default: 6 steps
        Assert.Equal((6, 1), (one.Steps, one.Features));
    }

    [Theory]
    [InlineData("label,a,b\n1,2,3\n0,4,5\n", CsvHeader.Auto, 2)]
    [InlineData("1,2,3\n0,4,5\n", CsvHeader.Auto, 2)]
    [InlineData("0,1,2\n1,2,3\n0,4,5\n", CsvHeader.Present, 2)] // pandas' header of unnamed columns
    [InlineData("0,1,2\n1,2,3\n0,4,5\n", CsvHeader.Auto, 3)] // …which Auto cannot tell from data
    [InlineData("\n\nlabel,a,b\r\n\r\n1,2,3\r\n   \r\n0,4,5\r\n\r\n", CsvHeader.Auto, 2)] // blank lines, CRLF
    public void AHeaderIsDetectedOrGiven(string text, CsvHeader header, int rows)
    {
        SequenceData data = SequenceFiles.ReadCsv(Write(text), new SequenceFileOptions { Header = header });
        Assert.Equal(rows, data.Count);
        Assert.Equal(2, data.Steps);
        Assert.Equal(rows == 3 ? [1f, 2, 2, 3, 4, 5] : [2f, 3, 4, 5], data.Data.Images.Data);
    }

    [Fact]
    public void AByteOrderMarkIsNotPartOfTheHeader()
    {
        string path = Write("label,a\n1,0.5\n", encoding: new UTF8Encoding(true));
        Assert.Equal([1], SequenceFiles.ReadCsv(path).Data.Labels);
        Assert.Equal(3, File.ReadAllBytes(path).Length - "label,a\n1,0.5\n".Length); // it really has one
    }

    [Theory]
    [InlineData("1,2,3\n0,4,abc\n", "line 2, column 3: 'abc' is not a number", "a point for decimals")]
    [InlineData("1,2,3\nzero,4,5\n", "line 2, column 1: 'zero' is not a number", "class index")]
    [InlineData("label;a;b\n1;2;3\n", "line 1 looks like ';'-separated values", "save it with commas")]
    [InlineData("\n1;2;3\n0;4;5\n", "line 2 looks like ';'-separated values")]
    [InlineData("1;0,5;0,25\n", "line 1 looks like ';'-separated values", "points for decimals")]
    [InlineData("1\t2\t3\n", "line 1 looks like tab-separated values")]
    [InlineData("1,2,3\n0,4,\n", "line 2, column 3 is empty")]
    [InlineData("1,2,NaN\n", "line 1, column 3 holds NaN", "finite")]
    [InlineData("1,2,-Infinity\n", "line 1, column 3 holds -Infinity")]
    [InlineData("1,2,3\n2.5,4,5\n", "line 2, column 1: label 2.5 is not a whole number")]
    [InlineData("1,2,3\n0,4,5\n-1,6,7\n", "label -1 at line 3", "class indices")]
    [InlineData("1\n0\n", "line 1 holds only a label")]
    [InlineData("1,2,3\n0\n", "line 2 holds only a label")]
    [InlineData("", "holds no sequences: it is empty")]
    [InlineData("\n  \n", "holds no sequences: it is empty")]
    [InlineData("label,a,b\n", "holds no sequences: it has only a header line")]
    public void BadCsvFilesNameTheLineAndColumn(string text, params string[] fragments)
    {
        string path = Write(text);
        DataFileAssert.Bad(() => SequenceFiles.ReadCsv(path), path, fragments);
    }

    [Fact]
    public void ValuesMustBeAMultipleOfTheFeatures()
    {
        string path = Write("label,a,b,c\n1,2,3,4\n");
        DataFileAssert.Bad(() => SequenceFiles.ReadCsv(path, new SequenceFileOptions { Features = 2 }), path,
            "line 2 has 3 values after the label, which is not a multiple of 2 features per step");
        Assert.Equal((1, 3), SequenceFiles.ReadCsv(path, new SequenceFileOptions { Features = 3 }) is var d ? (d.Steps, d.Features) : default);
    }

    [Fact]
    public void RaggedRowsArePaddedAtTheEndAndKeepTheirLengths()
    {
        string path = Write("label,a,b\n1,1,2,3,4\n\n0,5,6\n2,7,8,9,10,11,12\n");
        SequenceData data = SequenceFiles.ReadCsv(path, new SequenceFileOptions { Features = 2 });
        Assert.Equal((3, 3, 2), (data.Count, data.Steps, data.Features));
        Assert.Equal([2, 1, 3], data.Lengths!);
        Assert.Equal([1f, 2, 3, 4, 0, 0, 5, 6, 0, 0, 0, 0, 7, 8, 9, 10, 11, 12], data.Data.Images.Data);
        Assert.Null(SequenceFiles.ReadCsv(Write("1,2,3\n0,4,5\n", "even.csv")).Lengths); // one length: no lengths

        // Lengths and targets travel with the sequences through a shuffled split.
        var (train, held) = data.Split(1.0 / 3, shuffleSeed: 4);
        foreach (SequenceData part in new[] { train, held })
        {
            for (int i = 0; i < part.Count; i++)
            {
                int label = part.Data.Labels[i];
                Assert.Equal(data.Lengths![Array.IndexOf([1, 0, 2], label)], part.Lengths![i]);
            }
        }

        DataFileAssert.Bad(() => SequenceFiles.ReadCsv(path, new SequenceFileOptions { Features = 4 }), path,
            "line 4 has 2 values after the label, which is not a multiple of 4");
    }

    [Fact]
    public void RaggedRowsAreRefusedWhereAFixedLengthIsNeeded()
    {
        string path = Write("1,2,3\n0,4,5\n1,6\n");
        DataFileAssert.Bad(() => SequenceFiles.ReadInputs(path, 2, 1), path, "line 3 has 2 cells but line 1 has 3", "SequenceFiles.ReadCsv");
    }

    [Fact]
    public void RegressionReadsFloatTargets()
    {
        string path = Write("y,a,b\n0.9772,1,2\n-3.5,3,4\n1e2,5,6\n");
        DataFileAssert.Bad(() => SequenceFiles.ReadCsv(path), path, "line 2, column 1: label 0.9772 is not a whole number", "SequenceFileOptions.Regression");
        SequenceData data = SequenceFiles.ReadCsv(path, new SequenceFileOptions { Regression = true });
        Assert.True(data.IsRegression);
        Assert.Equal([0.9772f, -3.5f, 100f], data.Targets!);
        Assert.True(data.TargetTensor.HasShape(3, 1));
        Assert.Equal((1, 2), (data.Classes, data.Steps));
        string nan = Write("nan,1\n", "nan.csv");
        DataFileAssert.Bad(() => SequenceFiles.ReadCsv(nan, new SequenceFileOptions { Regression = true }), nan, "line 1, column 1 holds NaN", "finite");
        Assert.Throws<InvalidOperationException>(() => SequenceFiles.ReadCsv(Write("1,2\n", "c.csv")).TargetTensor);
    }

    [Fact]
    public void AWordOnTheFirstLineIsAnErrorWithoutAHeader()
    {
        string path = Write("label,a\n1,2\n");
        DataFileAssert.Bad(() => SequenceFiles.ReadCsv(path, new SequenceFileOptions { Header = CsvHeader.Absent }), path, "line 1, column 1: 'label' is not a number");
    }

    [Fact]
    public void LabelsOutOfRangeNameTheFirstBadLine()
    {
        string path = Write("h,a\n0,1\n1,1\n4,1\n3,1\n");
        Assert.Equal(5, SequenceFiles.ReadCsv(path).Classes); // largest + 1
        Assert.Equal(7, SequenceFiles.ReadCsv(path, new SequenceFileOptions { Classes = 7 }).Classes);
        DataFileAssert.Bad(() => SequenceFiles.ReadCsv(path, new SequenceFileOptions { Classes = 3 }), path,
            "label 4 at line 4, but there are 3 classes (labels 0 to 2)");
        string huge = Write("0,1\n70000,1\n", "huge.csv");
        DataFileAssert.Bad(() => SequenceFiles.ReadCsv(huge), huge, "label 70000 at line 2", "not values");
    }

    [Fact]
    public void ReadPicksTheReaderByExtension()
    {
        string csv = Write("1,2\n", "d.CSV");
        Assert.Equal(1, SequenceFiles.Read(csv).Count);
        Assert.Contains("labels file is for .npy", Assert.Throws<ArgumentException>(() => SequenceFiles.Read(csv, "y.npy")).Message);
        Assert.Contains("give the labels", Assert.Throws<ArgumentException>(() => SequenceFiles.Read("x.npy")).Message);
        Assert.Contains("neither a .npy nor a .csv", Assert.Throws<ArgumentException>(() => SequenceFiles.Read("x.txt")).Message);
        Assert.Throws<FileNotFoundException>(() => SequenceFiles.Read(_dir.File("missing.csv")));
    }

    [Fact]
    public void InputsToClassifyMayCarryALabel()
    {
        string withLabels = Write("label,a,b,c,d\n1,1,2,3,4\n0,5,6,7,8\n", "with.csv");
        string without = Write("1,2,3,4\n5,6,7,8\n", "without.csv");
        foreach (string path in new[] { withLabels, without })
        {
            Tensor x = SequenceFiles.ReadInputs(path, steps: 2, features: 2);
            Assert.True(x.HasShape(2, 2, 2));
            Assert.Equal([1f, 2, 3, 4, 5, 6, 7, 8], x.Data);
        }

        DataFileAssert.Bad(() => SequenceFiles.ReadInputs(without, steps: 3, features: 2), without,
            "line 1 has 4 values", "3 steps × 2 features: 6 values per row, or a label and 6 values");
        string nan = Write("nan,2,3,4\n", "nan.csv");
        DataFileAssert.Bad(() => SequenceFiles.ReadInputs(nan, 2, 2), nan, "line 1, column 1 holds NaN");

        Tensor npy = SequenceFiles.ReadInputs(NpyTests.Fixture("x_f4_v2.npy"), steps: 3, features: 2);
        Assert.True(npy.HasShape(4, 3, 2));
        Assert.True(SequenceFiles.ReadInputs(NpyTests.Fixture("x_f4_2d.npy"), steps: 5, features: 1).HasShape(4, 5, 1));
        DataFileAssert.Bad(() => SequenceFiles.ReadInputs(NpyTests.Fixture("x_f4_v1.npy"), steps: 2, features: 3), NpyTests.Fixture("x_f4_v1.npy"),
            "sequences of 3 steps × 2 features, but the model reads 2 × 3");
    }

    /// <summary>N sequences of 2 steps × 1 feature; sequence i holds (i, i) and label i mod 3.</summary>
    private static SequenceData Numbered(int n, ulong seed = 5)
    {
        var x = new Tensor(n, 2);
        var labels = new int[n];
        for (int i = 0; i < n; i++)
        {
            x.Row(i).Fill(i);
            labels[i] = i % 3;
        }

        return new SequenceData(new DataSet(x, labels, 4, seed), 2, 1);
    }

    private static int[] Ids(SequenceData d) => Enumerable.Range(0, d.Count).Select(i => (int)d.Data.Images[i, 0]).ToArray();

    [Theory]
    [InlineData(10, 0.1, 1)]
    [InlineData(10, 0.25, 2)] // ⌊2.5⌋
    [InlineData(10, 0.0, 0)]
    [InlineData(7, 0.5, 3)]
    [InlineData(3, 0.1, 0)]
    [InlineData(100, 0.29, 29)] // not ⌊28.999999999999996⌋, the product in doubles
    [InlineData(10, 0.7, 7)] // nor Keras's 10 − ⌈3.0000000000000004⌉ = 6
    public void SplitTakesTheLastFractionLikeKeras(int n, double fraction, int validation)
    {
        var (train, held) = Numbered(n).Split(fraction);
        Assert.Equal(Enumerable.Range(0, n - validation), Ids(train));
        Assert.Equal(Enumerable.Range(n - validation, validation), Ids(held));
        Assert.Equal(train.Data.Labels, Enumerable.Range(0, n - validation).Select(i => i % 3));
        Assert.All(new[] { train, held }, d => Assert.Equal((2, 1, 4), (d.Steps, d.Features, d.Classes)));
        Assert.Equal((5UL, 6UL), (train.Data.Seed, held.Data.Seed));
    }

    [Fact]
    public void ASeededSplitPermutesFirstTheSameWayEveryTime()
    {
        SequenceData data = Numbered(40);
        var (train, held) = data.Split(0.25, shuffleSeed: 9);
        var (train2, held2) = data.Split(0.25, shuffleSeed: 9);
        var (_, other) = data.Split(0.25, shuffleSeed: 10);
        Assert.Equal((30, 10), (train.Count, held.Count));
        Assert.Equal(Ids(train), Ids(train2));
        Assert.Equal(Ids(held), Ids(held2));
        Assert.NotEqual(Ids(held), Ids(other));
        Assert.NotEqual(Enumerable.Range(30, 10), Ids(held));
        Assert.Equal(Enumerable.Range(0, 40), Ids(train).Concat(Ids(held)).Order()); // every sequence once
        Assert.All(Enumerable.Range(0, 10), i => Assert.Equal(Ids(held)[i] % 3, held.Data.Labels[i])); // labels travel with their sequences
        Assert.Equal(Enumerable.Range(0, 40), Ids(data)); // the original is untouched
    }

    [Fact]
    public void SplitRefusesFractionsOutsideZeroToOne()
    {
        foreach (double bad in new[] { -0.1, 1.0, 1.5, double.NaN })
        {
            Assert.Throws<ArgumentOutOfRangeException>(() => Numbered(10).Split(bad));
        }
    }
}
