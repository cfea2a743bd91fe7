using System.Buffers.Binary;
using Recur.IO;

namespace Recur.Tests.IO;

public class TensorBoardWriterTests
{
    [Fact]
    public void ProtoWriterEncodesVarintsAndFieldsAsTheSpecSays()
    {
        var w = new ProtoWriter();
        w.WriteVarint(0);
        w.WriteVarint(1);
        w.WriteVarint(127);
        w.WriteVarint(128);
        w.WriteVarint(300);
        Assert.Equal(new byte[] { 0x00, 0x01, 0x7F, 0x80, 0x01, 0xAC, 0x02 }, w.WrittenSpan.ToArray());

        w.Clear();
        w.WriteInt64(2, -1); // key (2 << 3) | 0, then ten bytes: two's complement as uint64
        Assert.Equal(new byte[] { 0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01 }, w.WrittenSpan.ToArray());

        w.Clear();
        w.WriteString(3, "hi"); // key 0x1A, length 2
        w.WriteFloat(2, 1f);    // key 0x15, 0x3F800000 little-endian
        w.WriteDouble(1, -2.0); // key 0x09, 0xC000000000000000 little-endian
        Assert.Equal(
            new byte[] { 0x1A, 0x02, (byte)'h', (byte)'i', 0x15, 0x00, 0x00, 0x80, 0x3F, 0x09, 0, 0, 0, 0, 0, 0, 0x00, 0xC0 },
            w.WrittenSpan.ToArray());
    }

    [Fact]
    public void ScalarEventMatchesHandEncodedBytes()
    {
        var evt = new ProtoWriter();
        TensorBoardWriter.EncodeScalarEvent(evt, new ProtoWriter(), new ProtoWriter(), "loss", 0.5f, step: 3, wallTime: 1.0);
        byte[] expected =
        [
            0x09, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F, // wall_time = 1 (field 1, fixed64): 1.0 = 0x3FF0000000000000
            0x10, 0x03,                                           // step = 2 (field 2, varint): 3
            0x2A, 0x0D,                                           // summary (field 5, length-delimited): 13 bytes
            0x0A, 0x0B,                                           //   value (field 1): 11 bytes
            0x0A, 0x04, (byte)'l', (byte)'o', (byte)'s', (byte)'s', //     tag (field 1): "loss"
            0x15, 0x00, 0x00, 0x00, 0x3F,                         //     simple_value (field 2, fixed32): 0.5 = 0x3F000000
        ];
        Assert.Equal(expected, evt.WrittenSpan.ToArray());

        // proto3 leaves zero scalars out: step 0 and wall time 0 vanish, the oneof value stays.
        TensorBoardWriter.EncodeScalarEvent(evt, new ProtoWriter(), new ProtoWriter(), "a", 0f, step: 0, wallTime: 0);
        Assert.Equal(new byte[] { 0x2A, 0x0A, 0x0A, 0x08, 0x0A, 0x01, (byte)'a', 0x15, 0, 0, 0, 0 }, evt.WrittenSpan.ToArray());
    }

    [Fact]
    public void RecordFramingHasLengthDataAndMaskedCrcs()
    {
        var stream = new MemoryStream();
        byte[] data = "hello"u8.ToArray();
        TfRecord.Write(stream, data);
        byte[] bytes = stream.ToArray();

        Assert.Equal(8 + 4 + data.Length + 4, bytes.Length);
        Assert.Equal(5UL, BinaryPrimitives.ReadUInt64LittleEndian(bytes));
        Assert.Equal(EventFileReader.MaskedCrc(bytes.AsSpan(0, 8)), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(8)));
        Assert.Equal(data, bytes[12..17]);
        Assert.Equal(EventFileReader.MaskedCrc(data), BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(17)));

        bytes[14] ^= 1; // a flipped bit in the data is caught by the data CRC
        var ex = Assert.Throws<InvalidDataException>(() => EventFileReader.ReadRecords(bytes));
        Assert.Contains("data CRC", ex.Message);
    }

    [Fact]
    public void EventFileStartsWithFileVersionAndHoldsEveryScalar()
    {
        using var dir = new TempDirectory();
        double before = (DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds;
        string path;
        var written = new List<(string Tag, float Value, long Step)>
        {
            ("epoch_loss", 2.25f, 0), ("epoch_accuracy", 0.125f, 0),
            ("epoch_loss", 0.5f, 1), ("epoch_accuracy", 0.875f, 1),
            ("batch/loss", float.NaN, 469), ("huge", 1e30f, long.MaxValue), ("neg", -3f, -5),
            ("caf\u00e9/\u00b5", 1f, 2),
        };
        using (var writer = new TensorBoardWriter(dir.Path))
        {
            path = writer.FilePath;
            foreach (var (tag, value, step) in written)
            {
                writer.AddScalar(tag, value, step);
            }

            writer.AddScalar("fixed_time", 7f, 9, wallTime: 1234.5);
        }

        double after = (DateTime.UtcNow - DateTime.UnixEpoch).TotalSeconds;
        string name = Path.GetFileName(path);
        Assert.StartsWith("events.out.tfevents.", name);
        Assert.Contains($".{Environment.ProcessId}.", name);
        Assert.Equal([name], dir.FileNames());

        List<EventFileReader.Event> events = EventFileReader.ReadEvents(path);
        Assert.Equal(written.Count + 2, events.Count);
        Assert.Equal("brain.Event:2", events[0].FileVersion);
        Assert.Empty(events[0].Scalars);
        Assert.InRange(events[0].WallTime, before - 1, after + 1);
        long seconds = long.Parse(name.Split('.')[3], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal((long)events[0].WallTime, seconds);

        for (int i = 0; i < written.Count; i++)
        {
            EventFileReader.Event e = events[i + 1];
            Assert.Null(e.FileVersion);
            Assert.Equal(written[i].Step, e.Step);
            var (tag, value) = Assert.Single(e.Scalars);
            Assert.Equal(written[i].Tag, tag);
            Assert.Equal(BitConverter.SingleToInt32Bits(written[i].Value), BitConverter.SingleToInt32Bits(value));
            Assert.InRange(e.WallTime, events[0].WallTime, after + 1);
        }

        Assert.Equal(1234.5, events[^1].WallTime);
    }

    [Fact]
    public void RecordsReachTheFileOnFlushAndWithAZeroFlushInterval()
    {
        using var dir = new TempDirectory();
        using var writer = new TensorBoardWriter(dir.Path) { FlushInterval = TimeSpan.FromHours(1) };
        Assert.Single(EventFileReader.ReadEvents(writer.FilePath)); // the file-version record is flushed at once

        writer.AddScalar("loss", 1f, 1);
        writer.Flush();
        Assert.Equal(2, EventFileReader.ReadEvents(writer.FilePath).Count);

        writer.FlushInterval = TimeSpan.Zero;
        writer.AddScalar("loss", 0.5f, 2);
        Assert.Equal(3, EventFileReader.ReadEvents(writer.FilePath).Count);
    }

    [Fact]
    public void WritersGetDistinctFilesAndRefuseUseAfterDispose()
    {
        using var dir = new TempDirectory();
        var a = new TensorBoardWriter(Path.Combine(dir.Path, "train"));
        var b = new TensorBoardWriter(Path.Combine(dir.Path, "train"), ".v2");
        Assert.NotEqual(a.FilePath, b.FilePath);
        Assert.EndsWith(".v2", b.FilePath);
        a.Dispose();
        a.Dispose();
        b.Dispose();
        Assert.Throws<ObjectDisposedException>(() => a.AddScalar("x", 1, 1));
        Assert.Throws<ObjectDisposedException>(() => a.Flush());
        Assert.Throws<ArgumentException>(() => b.AddScalar("", 1, 1));
        Assert.Throws<ArgumentException>(() => new TensorBoardWriter(dir.Path, "a/b"));
    }
}
