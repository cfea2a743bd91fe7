using System.Buffers.Binary;
using System.Text;
using Recur.Data;
using Recur.Tensors;

namespace Recur.Tests.Data;

/// <summary>The .npy reader against files NumPy wrote (tools/make_npy_fixtures.py), and the writer against NumPy's bytes.</summary>
public class NpyTests
{
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", "npy", name);

    /// <summary>The values the script saves: element k of a [4, 3, 2] array is k / 8 − 1.</summary>
    private static float[] Numbers(int count) => Enumerable.Range(0, count).Select(k => k / 8f - 1f).ToArray();

    [Theory]
    [InlineData("x_f4_v1.npy", 1)]
    [InlineData("x_f4_v2.npy", 2)]
    [InlineData("x_f4_v3.npy", 3)]
    public void EveryFormatVersionReadsTheSameFloats(string file, int version)
    {
        NpyHeader header = Npy.ReadHeader(Fixture(file));
        Assert.Equal((version, 0), (header.MajorVersion, header.MinorVersion));
        Assert.Equal(("<f4", 'f', 4, "float32"), (header.Descr, header.Kind, header.ItemSize, header.TypeName));
        Assert.False(header.FortranOrder);
        Assert.Equal([4, 3, 2], header.Shape.ToArray());
        Assert.Equal("(4, 3, 2)", header.ShapeText);
        Assert.Equal(24, header.Count);
        Assert.Equal(128, header.DataOffset); // NumPy aligns the data to 64 bytes
        Assert.Equal(new FileInfo(Fixture(file)).Length, header.DataOffset + header.DataLength);

        Tensor x = Npy.ReadFloat32(Fixture(file));
        Assert.True(x.HasShape(4, 3, 2));
        Assert.Equal(Numbers(24), x.Data);
        Assert.Equal(0.125f, x[1, 1, 1]); // element 9
    }

    [Fact]
    public void TwoDimensionalFeaturesAreOneFeaturePerStep()
    {
        Tensor x = Npy.ReadFloat32(Fixture("x_f4_2d.npy"));
        Assert.True(x.HasShape(4, 5));

        SequenceData data = SequenceFiles.ReadNpy(Fixture("x_f4_2d.npy"), Fixture("y_i8.npy"));
        Assert.Equal((4, 5, 1, 3), (data.Count, data.Steps, data.Features, data.Classes));
        Assert.True(data.Sequences.HasShape(4, 5, 1));
        Assert.Equal(Numbers(20), data.Data.Images.Data);
    }

    [Theory]
    [InlineData("y_i8.npy", "<i8")]
    [InlineData("y_i8_default.npy", "<i8")]
    [InlineData("y_i8_v3.npy", "<i8")]
    [InlineData("y_i4.npy", "<i4")]
    [InlineData("y_i2.npy", "<i2")]
    [InlineData("y_i1.npy", "|i1")]
    [InlineData("y_u8.npy", "<u8")]
    [InlineData("y_u4.npy", "<u4")]
    [InlineData("y_u2.npy", "<u2")]
    [InlineData("y_u1.npy", "|u1")]
    [InlineData("y_i8_column.npy", "<i8")]
    [InlineData("y_f8_whole.npy", "<f8")]
    [InlineData("y_f4_whole.npy", "<f4")]
    public void LabelsOfEveryIntegerDtypeAndWholeFloats(string file, string descr)
    {
        Assert.Equal(descr, Npy.ReadHeader(Fixture(file)).Descr);
        Assert.Equal([2L, 0, 1, 2], Npy.ReadLabels(Fixture(file)));

        SequenceData data = SequenceFiles.ReadNpy(Fixture("x_f4_v1.npy"), Fixture(file));
        Assert.Equal([2, 0, 1, 2], data.Data.Labels);
        Assert.Equal((3, 3, 2), (data.Classes, data.Steps, data.Features));
        Assert.True(data.Data.OneHotLabels.HasShape(4, 3));
        Assert.Equal(1f, data.Data.OneHotLabels[0, 2]);
    }

    [Theory]
    [InlineData("bad_x_f8.npy", "float64 values ('<f8')", "bad_x_f8.astype(np.float32)")]
    [InlineData("bad_x_i8.npy", "int64 values ('<i8')", "bad_x_i8.astype(np.float32)")]
    [InlineData("bad_x_f2.npy", "float16 values ('<f2')", "astype(np.float32)")]
    [InlineData("bad_x_fortran.npy", "Fortran (column-major) order", "np.ascontiguousarray(bad_x_fortran)")]
    [InlineData("bad_x_bigendian.npy", "big-endian float32 ('>f4')", "astype('<f4')")]
    [InlineData("bad_x_truncated.npy", "is truncated", "shape (4, 3, 2) of float32, 96 bytes of data, but only 91", "5 missing")]
    [InlineData("bad_x_extra.npy", "longer than its header declares", "4 extra")]
    [InlineData("bad_x_version9.npy", "format version 9.0", "1.0, 2.0 and 3.0", "np.save")]
    [InlineData("bad_x_nodescr.npy", "without its 'descr' entry", "{'dtype': '<f4'")]
    [InlineData("bad_magic.npy", "is not a .npy file", "'label,x0,x'", "\\x93NUMPY")]
    [InlineData("bad_empty.npy", "is empty (0 bytes)")]
    [InlineData("bad_arrays.npz", "zip archive", "np.savez", "np.save('x.npy', a['x'])")]
    [InlineData("bad_y_object.npy", "Python objects (an object array, pickled)")]
    [InlineData("bad_y_structured.npy", "structured array", "('a', '<f4')")]
    public void BadFeatureFilesSayWhatIsWrongAndHowToSaveThem(string file, params string[] fragments)
    {
        string path = Fixture(file);
        DataFileAssert.Bad(() => Npy.ReadFloat32(path), path, fragments);
        DataFileAssert.Bad(() => SequenceFiles.ReadNpy(path, Fixture("y_i8.npy")), path, fragments);
    }

    [Theory]
    [InlineData("bad_x_rank1.npy", "shape (5,)", "(N, T, F)", "bad_x_rank1.reshape(N, T, F)")]
    [InlineData("bad_x_rank4.npy", "shape (2, 2, 2, 2)", "(N, T)")]
    [InlineData("bad_x_empty.npy", "no sequences (shape (0, 3, 2))")]
    [InlineData("bad_x_nan.npy", "NaN at [2, 1, 0] (sequence, step, feature)", "np.nan_to_num(bad_x_nan)")]
    public void FeaturesMustBeFiniteSequences(string file, params string[] fragments)
    {
        Npy.ReadFloat32(Fixture(file)); // a fine float32 array…
        DataFileAssert.Bad(() => SequenceFiles.ReadNpy(Fixture(file), Fixture("y_i8.npy")), Fixture(file), fragments); // …but not sequences
    }

    [Theory]
    [InlineData("bad_y_negative.npy", "label -1 at index 2", "class indices")]
    [InlineData("bad_y_fraction.npy", "label 1.5 at index 2", "not a whole number", "astype(np.int64)")]
    [InlineData("bad_y_huge.npy", "label 1099511627776 at index 3", "1,099,511,627,777 classes")]
    [InlineData("bad_y_short.npy", "3 labels", "4 sequences", "one to one")]
    [InlineData("bad_y_onehot.npy", "shape (4, 3)", "one-hot", "bad_y_onehot.argmax(axis=1)")]
    [InlineData("bad_y_bool.npy", "bool ('|b1')", "bad_y_bool.astype(np.int64)")]
    [InlineData("bad_y_bigendian.npy", "big-endian int32 ('>i4')", "astype('<i4')")]
    [InlineData("bad_y_object.npy", "Python objects ('|O')")]
    [InlineData("bad_y_structured.npy", "structured array")]
    [InlineData("x_f4_v1.npy", "shape (4, 3, 2)", "(N,) or (N, 1)")]
    public void BadLabelFilesNameTheFirstBadRow(string file, params string[] fragments)
    {
        string path = Fixture(file);
        DataFileAssert.Bad(() => SequenceFiles.ReadNpy(Fixture("x_f4_v1.npy"), path), path, fragments);
    }

    [Fact]
    public void LabelsAtOrAboveTheGivenClassesAreRefused()
    {
        string y = Fixture("y_i4.npy");
        DataFileAssert.Bad(() => SequenceFiles.ReadNpy(Fixture("x_f4_v1.npy"), y, new SequenceFileOptions { Classes = 2 }),
            y, "label 2 at index 0", "there are 2 classes (labels 0 to 1)");

        SequenceData five = SequenceFiles.ReadNpy(Fixture("x_f4_v1.npy"), y, new SequenceFileOptions { Classes = 5 });
        Assert.Equal(5, five.Classes);
        Assert.True(five.Data.OneHotLabels.HasShape(4, 5));
    }

    [Fact]
    public void LabelsTooLargeForInt64AreRefused()
    {
        using var dir = new TempDirectory();
        byte[] bytes = File.ReadAllBytes(Fixture("y_u8.npy"));
        BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(bytes.Length - 8), ulong.MaxValue);
        string path = dir.File("y.npy");
        File.WriteAllBytes(path, bytes);
        DataFileAssert.Bad(() => Npy.ReadLabels(path), path, "label 18446744073709551615 at index 3", "far too large");
    }

    [Fact]
    public void TheWriterWritesNumPysBytes()
    {
        using var dir = new TempDirectory();
        var x = new Tensor(Numbers(24), 4, 3, 2);
        Npy.Write(dir.File("x.npy"), x);
        Assert.Equal(File.ReadAllBytes(Fixture("x_f4_v1.npy")), File.ReadAllBytes(dir.File("x.npy")));

        Npy.WriteLabels(dir.File("y.npy"), [2, 0, 1, 2]);
        Assert.Equal(File.ReadAllBytes(Fixture("y_i8.npy")), File.ReadAllBytes(dir.File("y.npy")));

        Npy.Write(dir.File("x2.npy"), new Tensor(Numbers(20), 4, 5));
        Assert.Equal(File.ReadAllBytes(Fixture("x_f4_2d.npy")), File.ReadAllBytes(dir.File("x2.npy")));

        int[] shape = [10, .. Enumerable.Repeat(1, 20)]; // a header that fills 64-byte blocks exactly gets 64 more spaces
        Npy.Write(dir.File("x21.npy"), new Tensor(Numbers(10), shape));
        Assert.Equal(File.ReadAllBytes(Fixture("x_f4_aligned.npy")), File.ReadAllBytes(dir.File("x21.npy")));
        Assert.Equal(10 + 117 + 64 + 1, Npy.ReadHeader(dir.File("x21.npy")).DataOffset); // prefix, dict, spaces, newline
        Assert.Equal(["x.npy", "x2.npy", "x21.npy", "y.npy"], dir.FileNames()); // no temporary file left behind
    }

    [Fact]
    public void WrittenFilesReadBack()
    {
        using var dir = new TempDirectory();
        var x = new Tensor([float.Epsilon, -0f, 1e30f, -3.25f, 7f, 0.1f], 3, 2, 1);
        Npy.Write(dir.File("x.npy"), x);
        Npy.WriteLabels(dir.File("y.npy"), [int.MaxValue, 0, -5]);
        Assert.Equal(x.Data, Npy.ReadFloat32(dir.File("x.npy")).Data);
        Assert.True(Npy.ReadFloat32(dir.File("x.npy")).HasShape(3, 2, 1));
        Assert.Equal([int.MaxValue, 0L, -5], Npy.ReadLabels(dir.File("y.npy")));
    }

    /// <summary>A version 1.0 file with <paramref name="header"/> as written (not NumPy's) and 4 × 2 float32.</summary>
    private static string HandMade(TempDirectory dir, string header, int dataBytes = 32, byte version = 1)
    {
        var bytes = new List<byte>([0x93, .. "NUMPY"u8, version, 0]);
        byte[] text = (version == 3 ? Encoding.UTF8 : Encoding.Latin1).GetBytes(header);
        if (version == 1)
        {
            bytes.AddRange(BitConverter.GetBytes((ushort)text.Length));
        }
        else
        {
            bytes.AddRange(BitConverter.GetBytes((uint)text.Length));
        }

        bytes.AddRange(text);
        for (int i = 0; i < dataBytes / 4; i++)
        {
            bytes.AddRange(BitConverter.GetBytes((float)i));
        }

        string path = dir.File("hand.npy");
        File.WriteAllBytes(path, [.. bytes]);
        return path;
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 2), }\n", "4,2")]
    [InlineData("{'shape': (4, 2), 'fortran_order': False, 'descr': '<f4'}\n", "4,2")] // any key order, no trailing comma
    [InlineData("{\"descr\": \"<f4\", \"fortran_order\": False, \"shape\": (4L, 2L)}   \n", "4,2")] // double quotes, Python 2 longs
    [InlineData("{ 'descr' : '\\x3cf4' ,'fortran_order':False,'shape':( 8 , ) ,}", "8")] // an escape, odd spacing
    [InlineData("{'descr': '=f4', 'fortran_order': False, 'shape': [2, 2, 2], 'extra': None}\n", "2,2,2")] // native order, a list, another key
    [InlineData("{'descr': '<f4', 'fortran_order': True, 'shape': (1, 8, 1), }\n", "1,8,1")] // Fortran order with one dimension over 1 is C order
    public void TheHeaderIsParsedNotMatched(string header, string shape)
    {
        using var dir = new TempDirectory();
        Tensor x = Npy.ReadFloat32(HandMade(dir, header));
        Assert.Equal(shape.Split(',').Select(int.Parse).ToArray(), x.Shape.ToArray());
        Assert.Equal([0f, 1, 2, 3, 4, 5, 6, 7], x.Data);
    }

    [Fact]
    public void AVersion3HeaderIsUtf8()
    {
        using var dir = new TempDirectory();
        string path = HandMade(dir, "{'descr': '<f4', 'fortran_order': False, 'shape': (4, 2), 'note': 'ünïcode ✓'}\n", version: 3);
        Assert.Equal(3, Npy.ReadHeader(path).MajorVersion);
        Assert.Equal(8, Npy.ReadFloat32(path).Length);
    }

    [Theory]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 2), ", "damaged header", "expected a value at character")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 2)} junk", "damaged header", "the end of the header")]
    [InlineData("['descr', '<f4']", "not a dict")]
    [InlineData("{'descr': '<f4', 'fortran_order': 0, 'shape': (4, 2)}", "'fortran_order' is 0")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': 8}", "'shape' is 8, not a tuple")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (4, -2)}", "shape holds -2")]
    [InlineData("{'descr': '<M8[ns]', 'fortran_order': False, 'shape': (4,)}", "dtype Recur does not know: '<M8[ns]'")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (4, 3)}", "48 bytes of data, but only 32", "16 missing")]
    [InlineData("{'descr': '<f4', 'fortran_order': False, 'shape': (65536, 65536)}", "more elements than one .NET array can hold")]
    public void DamagedHeadersAreExplained(string header, params string[] fragments)
    {
        using var dir = new TempDirectory();
        string path = HandMade(dir, header);
        DataFileAssert.Bad(() => Npy.ReadFloat32(path), path, fragments);
    }

    [Fact]
    public void TruncatedHeadersAreExplained()
    {
        using var dir = new TempDirectory();
        byte[] good = File.ReadAllBytes(Fixture("x_f4_v2.npy"));
        string path = dir.File("cut.npy");
        foreach ((int length, string fragment) in new[] { (7, "less than the 10"), (11, "inside its header"), (60, "header should be 116 bytes long but only 48 follow") })
        {
            File.WriteAllBytes(path, good[..length]);
            DataFileAssert.Bad(() => Npy.ReadHeader(path), path, "truncated", fragment);
        }
    }

    [Fact]
    public void AMissingFileIsFileNotFound()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<FileNotFoundException>(() => Npy.ReadFloat32(dir.File("nothing.npy")));
        Assert.Contains("nothing.npy' does not exist", e.Message);
        Assert.Contains("is a directory", Assert.Throws<FileNotFoundException>(() => Npy.ReadLabels(dir.Path)).Message);
    }
}
