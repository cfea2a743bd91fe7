using System.Globalization;
using Recur.Data;

namespace Recur.Cli;

/// <summary>Where a run's data comes from: MNIST, or your own sequences (<c>--data</c>).</summary>
internal sealed partial class TrainRun
{
    /// <summary>The <c>dataset</c> metadata of a model trained on <c>--data</c>; its sequences are read as stored.</summary>
    internal const string DataFileDataset = "file";

    /// <summary>MNIST or Fashion-MNIST, split like TensorFlow's read_data_sets.</summary>
    /// <exception cref="IOException">The files are missing and could not be fetched, or are damaged.</exception>
    private TrainingData ReadMnist()
    {
        MnistDataSets data = Mnist.ReadDataSets((settings.DataOptions ?? new MnistOptions { DataDir = settings.DataDir }) with
        {
            Variant = settings.Dataset,
            Seed = settings.Seed,
            Log = message => error.WriteLine(message),
        });
        var layout = new SequenceLayout(settings.Sequence, seed: PermutationSeed);
        string description = $"{Name(settings.Dataset)} {layout.Steps}×{layout.Features} {SequenceName(settings.Sequence)}";
        return new TrainingData(data.Train, data.Validation, data.Test, layout, Mnist.Classes, description, "images", ModelMetadata(settings, layout))
        {
            IsMnist = true,
        };
    }

    /// <summary>
    /// The sequences of <c>--data</c>, its last <c>--validation-split</c> held out for validation, and the
    /// <c>--test-data</c> if any; prints what was read. With <c>--epochs</c>, converts them to steps over
    /// the training sequences.
    /// </summary>
    /// <exception cref="DataFileException">A file cannot be read as such sequences, or the test data does not match the training data.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    /// <exception cref="UsageException">An option does not fit the data (a batch larger than the training sequences, a split that holds out nothing).</exception>
    private TrainingData ReadFiles(DataSettings files)
    {
        var inv = CultureInfo.InvariantCulture;
        SequenceFileOptions options = files.FileOptions(settings.Seed);
        SequenceData all = SequenceFiles.Read(files.Data, files.Labels, options);
        var (train, validation) = all.Split(files.ValidationSplit);
        if (validation.Count == 0)
        {
            throw new UsageException(string.Create(inv,
                $"--validation-split {files.ValidationSplit} of the {all.Count} sequences in {files.Data} holds out none; give a split of at least {1.0 / all.Count:0.###}, or more data."));
        }

        if (settings.BatchSize > train.Count)
        {
            throw new UsageException(
                $"--batch-size {settings.BatchSize} is more than the {train.Count} training sequences of {files.Data} (after the validation split); give --batch-size {train.Count} or less.");
        }

        SequenceData? test = null;
        if (files.TestData is string testPath)
        {
            test = SequenceFiles.Read(testPath, files.TestLabels, options with { Classes = all.Classes, Seed = unchecked(settings.Seed + 2) });
            if (test.Steps != all.Steps || test.Features != all.Features)
            {
                throw new DataFileException(testPath,
                    $"'{testPath}' holds sequences of {test.Steps} steps × {test.Features} features, but '{files.Data}' holds {all.Steps} × {all.Features}; test and training sequences must have the same shape.");
            }
        }

        if (settings.Epochs is double epochs)
        {
            settings = settings with { Steps = Math.Max(1, (int)Math.Ceiling(epochs * train.Count / settings.BatchSize)), Epochs = null };
        }

        output.WriteLine(string.Create(inv,
            $"Data: {files.Data}: {all.Count:N0} sequences of {all.Steps} steps × {all.Features} features, {all.Classes} classes; " +
            $"training on the first {train.Count:N0}, validating on the last {validation.Count:N0} (--validation-split {files.ValidationSplit})."));
        if (test is not null)
        {
            output.WriteLine(string.Create(inv, $"Test data: {files.TestData}: {test.Count:N0} sequences."));
        }

        WarnIfOneClass(validation, train, files);

        var layout = new SequenceLayout(SequenceView.Rows, rows: all.Steps, columns: all.Features);
        var metadata = new Dictionary<string, string>
        {
            ["dataset"] = DataFileDataset,
            ["sequence"] = DataFileDataset,
            ["data"] = files.Data,
            ["steps"] = all.Steps.ToString(inv),
            ["features"] = all.Features.ToString(inv),
            ["classes"] = all.Classes.ToString(inv),
            ["validation_split"] = files.ValidationSplit.ToString("R", inv),
            ["seed"] = settings.Seed.ToString(inv),
        };
        string description = $"{Path.GetFileName(files.Data)} {all.Steps}×{all.Features}";
        return new TrainingData(train.Data, validation.Data, test?.Data, layout, all.Classes, description, "sequences", metadata);
    }

    /// <summary>A validation split of one class, from data sorted by label, measures little: say so.</summary>
    private void WarnIfOneClass(SequenceData validation, SequenceData train, DataSettings files)
    {
        int[] labels = validation.Data.Labels;
        bool oneClass = labels.Length >= 2 && labels.AsSpan().IndexOfAnyExcept(labels[0]) < 0;
        if (oneClass && train.Data.Labels.AsSpan().IndexOfAnyExcept(labels[0]) >= 0)
        {
            error.WriteLine(
                $"recur train: warning: the validation split (the last {labels.Length} sequences of {files.Data}) holds only class {labels[0]}; " +
                "the rows look sorted by label. Shuffle them before saving, or the validation accuracy says little.");
        }
    }
}
