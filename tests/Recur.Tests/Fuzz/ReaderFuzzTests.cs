using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using FsCheck;
using FsCheck.Fluent;
using Recur.Data;
using Recur.IO;
using Recur.Models;
using Xunit.Abstractions;

namespace Recur.Tests.Fuzz;

/// <summary>
/// Mutational fuzzing of every reader (issue 16): FsCheck generates mutations (<see cref="Mutation"/>) of the seed
/// files in <c>fuzz/corpus/NAME</c>; each mutated file is read, and the reader must return or throw one of its
/// documented refusals. Any other exception fails the test with the seed, the mutations and the exception. In the
/// suite each harness runs a fixed, seeded batch; <c>fuzz/run.sh HARNESS SECONDS</c> sets <c>RECUR_FUZZ_SECONDS</c>
/// (and <c>RECUR_FUZZ_HARNESS</c>) to run for a time instead, with fresh random seeds.
/// </summary>
public sealed class ReaderFuzzTests(ITestOutputHelper log)
{
    private const int SuiteCases = 150;

    private static readonly Dictionary<string, ReaderHarness> Harnesses = new[]
    {
        new ReaderHarness("idx", "", p => Idx.ReadImages(p), p => Idx.ReadLabels(p, classes: 10)) { Refusals = [typeof(DataFileException)] },
        new ReaderHarness("idx-gzip", ".gz", p => Idx.ReadImages(p), p => Idx.ReadLabels(p)) { Refusals = [typeof(DataFileException)], CorpusName = "idx", Encode = ReaderHarness.Gzip },
        new ReaderHarness("pgm", ".pgm", p => Pgm.Read(p), p => ImageFiles.Read(p, 3, 4)) { Refusals = [typeof(InvalidDataException), typeof(DataFileException)] },
        new ReaderHarness("npy", ".npy", p => Npy.ReadFloat32(p), p => Npy.ReadLabels(p), p => SequenceFiles.ReadInputs(p, 3, 2)) { Refusals = [typeof(DataFileException)] },
        new ReaderHarness("csv", ".csv", p => SequenceFiles.ReadCsv(p), p => SequenceFiles.ReadCsv(p, new SequenceFileOptions { Regression = true, Features = 2 }), p => SequenceFiles.ReadInputs(p, 2, 2)) { Refusals = [typeof(DataFileException)] },
        new ReaderHarness("text", ".txt", p => TextFiles.ReadLines(p)) { Refusals = [typeof(DataFileException)] },
        new ReaderHarness("safetensors", ".safetensors", p => SafeTensors.Load(p)) { Refusals = [typeof(InvalidDataException)] },
        new ReaderHarness("config", ".json", ReadConfig) { Refusals = [typeof(InvalidDataException)] },
        new ReaderHarness("vocabulary", ".json", p => Vocabulary.Load(p)) { Refusals = [typeof(DataFileException)] },
    }.ToDictionary(h => h.Name);

    public static TheoryData<string> Names() => [.. Harnesses.Keys];

    /// <summary>A model configuration read as <see cref="ModelFile"/> reads it: JSON within the limits, then <see cref="ModelConfig.FromJson"/>.</summary>
    private static void ReadConfig(string path)
    {
        JsonObject config;
        try
        {
            config = JsonFiles.Read(path) as JsonObject ?? throw new InvalidDataException("not an object");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(e.Message, e); // ModelFile.Load wraps these the same way
        }

        ModelConfig.FromJson(config, path);
    }

    private static Gen<(int Seed, Mutation[] Mutations)> Cases(int seeds)
    {
        Gen<Mutation> mutation =
            from kind in Gen.Choose(0, 8)
            from position in Gen.Choose(0, int.MaxValue)
            from value in Gen.Choose(0, int.MaxValue)
            from length in Gen.Choose(0, 1000)
            select new Mutation(kind, position, value, length);
        return from seed in Gen.Choose(0, seeds - 1)
               from count in Gen.Choose(1, 6)
               from mutations in mutation.ArrayOf(count)
               select (seed, mutations);
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void EveryMutatedFileIsReadOrRefusedInOneLine(string name)
    {
        string? only = Environment.GetEnvironmentVariable("RECUR_FUZZ_HARNESS");
        double seconds = double.TryParse(Environment.GetEnvironmentVariable("RECUR_FUZZ_SECONDS"), System.Globalization.CultureInfo.InvariantCulture, out double s) ? s : 0;
        if (seconds > 0 && only is { Length: > 0 } && only != "all" && only != name)
        {
            return;
        }

        ReaderHarness harness = Harnesses[name];
        byte[][] seeds = harness.Seeds();
        Assert.NotEmpty(seeds);
        using var dir = new TempDirectory();
        string path = dir.File("input" + harness.Extension);
        Gen<(int Seed, Mutation[] Mutations)> cases = Cases(seeds.Length);
        var clock = Stopwatch.StartNew();
        ulong rngSeed = seconds > 0 ? (ulong)Environment.TickCount64 : 16UL;
        long executions = 0, refused = 0;
        var failures = new List<string>();
        var rnd = new Rnd(rngSeed);
        do
        {
            foreach (var (seed, mutations) in cases.Sample(seconds > 0 ? 500 : SuiteCases, rnd, 20))
            {
                byte[] input = mutations.Aggregate(seeds[seed], (bytes, m) => m.Apply(bytes));
                File.WriteAllBytes(path, harness.Encode(input));
                foreach (Action<string> read in harness.Read)
                {
                    executions++;
                    try
                    {
                        read(path);
                    }
                    catch (Exception e) when (harness.IsRefusal(e))
                    {
                        refused++;
                        if (e.Message.TrimEnd().Contains('\n'))
                        {
                            failures.Add($"seed {seed}, mutations [{string.Join(", ", mutations.Select(m => m.ToString()))}]: a refusal of more than one line: {e.Message}");
                        }
                    }
                    catch (Exception e)
                    {
                        failures.Add($"seed {seed}, mutations [{string.Join(", ", mutations.Select(m => m.ToString()))}]: {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
                        File.WriteAllBytes(dir.File($"crash-{failures.Count}"), input);
                    }
                }
            }

            rnd = new Rnd((ulong)executions * 0x9E3779B97F4A7C15UL + rngSeed);
        }
        while (clock.Elapsed.TotalSeconds < seconds && failures.Count == 0);

        log.WriteLine($"fuzz {name}: {executions:N0} executions in {clock.Elapsed.TotalSeconds:F1} s, {refused:N0} refused, {failures.Count} crashes (seed {rngSeed})");
        Console.WriteLine($"fuzz {name}: {executions:N0} executions in {clock.Elapsed.TotalSeconds:F1} s, {refused:N0} refused, {failures.Count} crashes (seed {rngSeed})");
        Assert.True(failures.Count == 0, $"{name}: {failures.Count} crashes; the first: {failures.FirstOrDefault()}");
    }
}
