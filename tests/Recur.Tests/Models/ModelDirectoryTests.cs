using Recur.IO;
using Recur.Models;
using Recur.Tensors;
using Recur.Tests.IO;
using Xunit.Abstractions;

namespace Recur.Tests.Models;

/// <summary>How a model's files reach the disk and are checked against each other: <see cref="ModelFile"/> and directories.</summary>
public sealed class ModelDirectoryTests(ITestOutputHelper log)
{
    private static Sequential Model(ulong seed) => SmallModels.Trained(seed);

    private static string Legacy => Path.Combine(AppContext.BaseDirectory, "fixtures", "models", "legacy-train-run");

    private static float[] Flat(Sequential model) => model.GetWeights().SelectMany(w => w).ToArray();

    private static void CopyLegacy(string to)
    {
        Directory.CreateDirectory(to);
        foreach (string f in Directory.GetFiles(Legacy).Where(f => !f.EndsWith("expected.json", StringComparison.Ordinal)))
        {
            File.Copy(f, Path.Combine(to, Path.GetFileName(f)));
        }
    }

    [Fact]
    public void TwoSavesOfTheSameModelWriteTheSameBytes()
    {
        using var dir = new TempDirectory();
        var metadata = new Dictionary<string, string> { ["sequence"] = "rows" };
        Sequential model = Model(7);
        ModelFile.Save(model, dir.File("a"), metadata);
        ModelFile.Save(model, dir.File("b"), metadata);
        IReadOnlyDictionary<string, byte[]> serialized = ModelFile.Serialize(model, metadata);
        Assert.Equal(["config.json", "model.safetensors", "optimizer.safetensors"], dir.FileNames("a"));
        foreach (string name in dir.FileNames("a"))
        {
            Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("a"), name)), File.ReadAllBytes(Path.Combine(dir.File("b"), name)));
            Assert.Equal(serialized[name], File.ReadAllBytes(Path.Combine(dir.File("a"), name)));
        }

        // The tensor files hold no save id; config.json records their lengths and CRC-32C instead.
        Assert.False(SafeTensors.Load(Path.Combine(dir.File("a"), ModelFile.WeightsFileName)).Metadata.ContainsKey("save_id"));
        string config = File.ReadAllText(Path.Combine(dir.File("a"), ModelFile.ConfigFileName));
        Assert.DoesNotContain("save_id", config);
        Assert.Contains($"\"bytes\": {serialized[ModelFile.WeightsFileName].Length}", config);
        Assert.Contains("\"crc32c\": \"", config);
    }

    [Fact]
    public void InferenceNeedsOnlyTheConfigAndTheWeights()
    {
        using var dir = new TempDirectory();
        Sequential model = Model(7);
        model.Save(dir.Path);
        Assert.False(Sequential.Load(dir.Path).OptimizerStateMissing);
        File.Delete(dir.File(ModelFile.OptimizerFileName));

        Sequential loaded = Sequential.Load(dir.Path);
        var x = new Tensor(2, 5, 3);
        x.Data.AsSpan().Fill(0.5f);
        Assert.Equal(model.Predict(x).Data, loaded.Predict(x).Data);
        Assert.True(loaded.OptimizerStateMissing);
        Assert.Equal("Adam", loaded.Optimizer!.GetType().Name); // compiled from config.json, without state

        var y = new Tensor(2, 2);
        y.Data[0] = y.Data[3] = 1f;
        var e = Assert.Throws<InvalidOperationException>(() => loaded.Fit(x, y, batchSize: 2, epochs: 2, verbose: 0, initialEpoch: 1));
        Assert.Contains("loaded without its optimizer state (optimizer.safetensors was not in its directory)", e.Message);
        loaded.Fit(x, y, batchSize: 2, epochs: 1, verbose: 0); // training afresh from these weights is allowed
        loaded.Compile("categorical_crossentropy", "adam");
        Assert.False(loaded.OptimizerStateMissing);
    }

    [Fact]
    public void ADirectoryWrittenByTheEarlierFormatStillLoads()
    {
        // fixtures/models/legacy-train-run: what 'recur train' wrote before config.json recorded its files, with a save_id in all three.
        Assert.Contains("\"save_id\"", File.ReadAllText(Path.Combine(Legacy, ModelFile.ConfigFileName)));
        var (model, metadata) = ModelFile.Load(Legacy);
        Assert.Equal("2", metadata["trained_steps"]);
        Assert.Equal(2, model.Optimizer!.Iterations);
        Assert.False(model.OptimizerStateMissing);
        SafeTensorFile weights = SafeTensors.Load(Path.Combine(Legacy, ModelFile.WeightsFileName));
        Assert.Equal(weights["lstm.weight_ih"].Data, model.Layers[0].Parameters[0].Value.Data);

        // Files of two saves are still refused by their save_id.
        using var dir = new TempDirectory();
        CopyLegacy(dir.Path);
        string config = dir.File(ModelFile.ConfigFileName);
        File.WriteAllText(config, File.ReadAllText(config).Replace("7ba76e38e2de4ce38f718bb776120084", "00000000000000000000000000000000", StringComparison.Ordinal));
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(dir.Path));
        Assert.Contains($"{dir.File(ModelFile.WeightsFileName)} was not written by the same save as {config} (their save_id differ)", e.Message);

        // And without its optimizer file it loads for inference.
        File.Delete(dir.File(ModelFile.OptimizerFileName));
        File.Copy(Path.Combine(Legacy, ModelFile.ConfigFileName), config, overwrite: true);
        Assert.True(ModelFile.Load(dir.Path).Model.OptimizerStateMissing);
    }

    [Fact]
    public void APathThatDoesNotExistIsSaidToNotExist()
    {
        using var dir = new TempDirectory();
        var e = Assert.Throws<DirectoryNotFoundException>(() => ModelFile.Load(dir.File("nothing")));
        Assert.Equal($"'{dir.File("nothing")}' does not exist; pass a model directory (one ModelFile.Save wrote) or the run directory of 'recur train' (its --out).", e.Message);
    }

    [Fact]
    public void ARunDirectoryLoadsItsLastOrItsBestCheckpoint()
    {
        using var dir = new TempDirectory();
        Sequential best = Model(1), last = Model(2);
        using (var writer = CheckpointDirectory.Open(dir.Path))
        {
            writer.Write("step-1", ModelFile.Serialize(best, new Dictionary<string, string> { ["step"] = "1" }), best: true);
            writer.Write("step-2", ModelFile.Serialize(last, new Dictionary<string, string> { ["step"] = "2" }));
        }

        Assert.Equal(Flat(last), Flat(Sequential.Load(dir.Path)));
        Assert.Equal("2", ModelFile.Load(dir.Path, CheckpointKind.Last).Metadata["step"]);
        Assert.Equal(Flat(best), Flat(ModelFile.Load(dir.Path, CheckpointKind.Best).Model));
        Assert.Equal("1", ModelFile.Load(dir.Path, CheckpointKind.Best).Metadata["step"]);

        // A plain model directory is its own last checkpoint and has no best.
        last.Save(dir.File("plain"));
        Assert.Equal(Flat(last), Flat(ModelFile.Load(dir.File("plain"), CheckpointKind.Last).Model));
        var e = Assert.Throws<InvalidDataException>(() => ModelFile.Load(dir.File("plain"), CheckpointKind.Best));
        Assert.Contains("is a model directory, not a run directory, so it has no best checkpoint", e.Message);
        Assert.Contains("is a run directory", Assert.Throws<ArgumentException>(() => last.Save(dir.Path)).Message);
    }

    [Fact]
    public void SaveRefusesADirectoryHoldingOtherFiles()
    {
        // Saving replaces the directory as a whole, so a file that is not the model's would be lost.
        using var dir = new TempDirectory();
        Sequential model = Model(1);
        model.Save(dir.Path);
        File.WriteAllText(dir.File("notes.txt"), "mine");
        var e = Assert.Throws<ArgumentException>(() => Model(2).Save(dir.Path));
        Assert.Contains($"'{dir.Path}' holds 'notes.txt', which is not part of a model", e.Message);
        Assert.Equal(Flat(model), Flat(Sequential.Load(dir.Path)));
        Assert.Equal("mine", File.ReadAllText(dir.File("notes.txt")));
    }

    public static TheoryData<bool> CrashOrFailure => [true, false];

    [Theory]
    [MemberData(nameof(CrashOrFailure))]
    public void ASaveInterruptedAtEveryStepLeavesTheOldModelOrTheNewOneWhole(bool crash)
    {
        Sequential old = Model(1), next = Model(2);
        var steps = new FailingFileOperations();
        List<(FileOperation Operation, string Path)> sequence;
        using (var dir = new TempDirectory())
        {
            ModelFile.Save(old, dir.File("model"));
            ModelFile.Save(next, dir.File("model"), null, steps);
            sequence = [.. steps.Steps];
        }

        log.WriteLine(string.Join("\n", sequence.Select((s, i) => $"{i}: {s.Operation} {Path.GetFileName(s.Path)}")));
        Assert.Equal(1 + 3 + 1 + 3, sequence.Count); // temporary folder, files, rename to .new; old away, new in, old deleted
        int away = sequence.FindIndex(s => s.Operation == FileOperation.MoveDirectory && Path.GetFileName(s.Path).StartsWith(".model.old-", StringComparison.Ordinal));
        int swapped = away + 1;

        for (int k = 0; k < sequence.Count; k++)
        {
            using var dir = new TempDirectory();
            string path = dir.File("model");
            ModelFile.Save(old, path);
            var files = new FailingFileOperations();
            files.Arm(k, crash);
            Exception? failure = Record.Exception(() => ModelFile.Save(next, path, null, files));
            Assert.True(failure is null or IOException, failure?.ToString());

            // Until the old version is moved away the old model is there; once it is, the new one (complete in .model.new-…
            // if a crash came before the last rename). A failure of the last rename alone puts the old one back.
            bool isNew = crash ? k > away : k > swapped;
            Assert.Equal(isNew ? Flat(next) : Flat(old), Flat(Sequential.Load(path)));
            Assert.Equal(k <= swapped, failure is not null);

            ModelFile.Save(old, path); // the next save finishes or clears what was left
            Assert.Equal(["model"], Directory.GetFileSystemEntries(dir.Path).Select(Path.GetFileName));
            Assert.Equal(Flat(old), Flat(Sequential.Load(path)));
        }
    }
}
