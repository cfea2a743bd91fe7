using System.Globalization;
using System.Text.Json.Nodes;
using Recur.Data;
using Recur.Tensors;

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
        (TrainTask task, string? inferred) = files.Task is TrainTask given ? (given, null) : TaskFiles.Infer(files.Data, files.Labels, options);
        (SequenceData all, Tensor? targets) = TaskFiles.Read(task, files.Data, files.Labels, options);
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
        Tensor? testTargets = null;
        if (files.TestData is string testPath)
        {
            (test, testTargets) = TaskFiles.Read(task, testPath, files.TestLabels, options with { Classes = all.Classes, Seed = unchecked(settings.Seed + 2) });
            bool ragged = all.Lengths is not null || test.Lengths is not null;
            if ((test.Steps != all.Steps && !ragged) || test.Features != all.Features || test.Classes != all.Classes
                || (targets is not null && targets.Rank == 2 && task == TrainTask.Regress && testTargets!.Dim(1) != targets.Dim(1)))
            {
                throw new DataFileException(testPath,
                    $"'{testPath}' holds sequences of {test.Steps} steps × {test.Features} features, but '{files.Data}' holds {all.Steps} × {all.Features}; test and training sequences must have the same shape.");
            }
        }

        settings = settings.EpochsAsSteps(train.Count);

        if (inferred is not null)
        {
            output.WriteLine($"Task: {task.Name()}, inferred from {inferred} (choose with --task classify|regress|label).");
        }

        string what = task == TrainTask.Regress
            ? (targets!.Dim(1) == 1 ? "float targets" : string.Create(inv, $"targets of {targets.Dim(1)} floats"))
            : string.Create(inv, $"{all.Classes} classes{(task == TrainTask.Label ? " per step" : "")}");
        string lengths = all.Lengths is int[] l ? string.Create(inv, $" (lengths {l.Min()}…{l.Max()}, padded at the end and masked)") : "";
        output.WriteLine(string.Create(inv,
            $"Data: {files.Data}: {all.Count:N0} sequences of {all.Steps} steps × {all.Features} features{lengths}, {what}; " +
            $"training on the first {train.Count:N0}, validating on the last {validation.Count:N0} (--validation-split {files.ValidationSplit})."));
        if (test is not null)
        {
            output.WriteLine(string.Create(inv, $"Test data: {files.TestData}: {test.Count:N0} sequences."));
        }

        if (task == TrainTask.Classify)
        {
            WarnIfOneClass(validation, train, files);
        }

        var layout = new SequenceLayout(SequenceView.Rows, rows: all.Steps, columns: all.Features);
        int outputs = task == TrainTask.Regress ? targets!.Dim(1) : all.Classes;
        var metadata = new Dictionary<string, string>
        {
            ["dataset"] = DataFileDataset,
            ["sequence"] = DataFileDataset,
            ["data"] = files.Data,
            ["steps"] = all.Steps.ToString(inv),
            ["features"] = all.Features.ToString(inv),
            ["classes"] = outputs.ToString(inv),
            ["validation_split"] = files.ValidationSplit.ToString("R", inv),
            ["seed"] = settings.Seed.ToString(inv),
        };
        if (task != TrainTask.Classify)
        {
            metadata["task"] = task.Name();
        }

        if (all.Lengths is not null)
        {
            metadata["ragged"] = "true";
        }

        string description = $"{Path.GetFileName(files.Data)} {all.Steps}×{all.Features}";
        return new TrainingData(train.Data, validation.Data, test?.Data, layout, outputs, description, "sequences", metadata)
        {
            Task = task,
            TrainLengths = train.Lengths,
            ValidationLengths = validation.Lengths,
            TestLengths = test?.Lengths,
            TrainTargets = targets is null ? null : TaskFiles.Rows(targets, 0, train.Count),
            ValidationTargets = targets is null ? null : TaskFiles.Rows(targets, train.Count, validation.Count),
            TestTargets = testTargets,
        };
    }

    /// <summary>
    /// The texts of <c>--text</c> as token ids, the vocabulary built from them; its last <c>--validation-split</c> held out.
    /// The vocabulary and the class names go into the model's metadata, so every checkpoint can read raw strings.
    /// </summary>
    /// <exception cref="DataFileException">The file is not label&lt;TAB&gt;text lines.</exception>
    /// <exception cref="UsageException">The split or the batch size do not fit the texts.</exception>
    private TrainingData ReadText(TextSettings text)
    {
        var inv = CultureInfo.InvariantCulture;
        TextData all = TextFiles.Read(text.Path, new TextFileOptions
        {
            Tokens = text.Tokens,
            MaxVocabularySize = text.VocabularySize,
            MaxLength = text.MaxLength,
            Seed = settings.Seed,
        });
        var (train, validation) = all.Sequences.Split(text.ValidationSplit);
        if (validation.Count == 0 || settings.BatchSize > train.Count)
        {
            throw new UsageException(validation.Count == 0
                ? string.Create(inv, $"--validation-split {text.ValidationSplit} of the {all.Count} texts in {text.Path} holds out none; give a larger split, or more texts.")
                : $"--batch-size {settings.BatchSize} is more than the {train.Count} training texts of {text.Path} (after the validation split); give --batch-size {train.Count} or less.");
        }

        settings = settings.EpochsAsSteps(train.Count);

        Vocabulary vocabulary = all.Vocabulary;
        string tokens = vocabulary.Kind == TokenKind.Words ? "words" : "chars";
        output.WriteLine("Task: classify, one class per text (the label before each tab).");
        output.WriteLine(string.Create(inv,
            $"Data: {text.Path}: {all.Count:N0} texts of 1…{all.Sequences.Steps} {tokens} ({vocabulary.Count:N0} ids with padding and unknown), {all.ClassNames.Count} classes ({Shorten(all.ClassNames)}); " +
            $"training on the first {train.Count:N0}, validating on the last {validation.Count:N0} (--validation-split {text.ValidationSplit})."));
        var metadata = new Dictionary<string, string>
        {
            ["dataset"] = DataFileDataset,
            ["sequence"] = "text",
            ["data"] = text.Path,
            ["steps"] = all.Sequences.Steps.ToString(inv),
            ["features"] = "1",
            ["classes"] = all.ClassNames.Count.ToString(inv),
            ["class_names"] = new JsonArray(all.ClassNames.Select(n => (JsonNode?)JsonValue.Create(n)).ToArray()).ToJsonString(),
            ["vocabulary"] = vocabulary.ToJson().ToJsonString(),
            ["validation_split"] = text.ValidationSplit.ToString("R", inv),
            ["seed"] = settings.Seed.ToString(inv),
        };
        if (text.MaxLength is int max)
        {
            metadata["max_length"] = max.ToString(inv);
        }

        var layout = new SequenceLayout(SequenceView.Rows, rows: all.Sequences.Steps, columns: 1);
        return new TrainingData(train.Data, validation.Data, null, layout, all.ClassNames.Count, $"{Path.GetFileName(text.Path)} ({tokens})", "texts", metadata)
        {
            TrainLengths = train.Lengths,
            ValidationLengths = validation.Lengths,
            VocabularySize = vocabulary.Count,
        };
    }

    /// <summary>
    /// The windows of <c>--series</c>: train, validation and the final test stretch in time order, standardised by the
    /// scaler fitted on the training stretch, which goes into the model's metadata.
    /// </summary>
    /// <exception cref="DataFileException">The file is not such a series, a column does not exist, or the window is longer than the series.</exception>
    /// <exception cref="UsageException">The batch size does not fit the windows.</exception>
    private TrainingData ReadSeries(SeriesSettings series)
    {
        var inv = CultureInfo.InvariantCulture;
        TimeSeriesData data = TimeSeriesWindows.Read(series.Path, SeriesOptions(series, settings.Seed));
        if (data.Validation.Count == 0 || data.Test.Count == 0)
        {
            throw new DataFileException(series.Path, string.Create(inv,
                $"'{series.Path}' gives {data.Train.Count + data.Validation.Count + data.Test.Count} windows of {series.Window} rows, too few to hold out validation and test windows; use a longer series or a shorter --window."));
        }

        if (settings.BatchSize > data.Train.Count)
        {
            throw new UsageException(
                $"--batch-size {settings.BatchSize} is more than the {data.Train.Count} training windows of {series.Path}; give --batch-size {data.Train.Count} or less.");
        }

        settings = settings.EpochsAsSteps(data.Train.Count);

        output.WriteLine(string.Create(inv,
            $"Task: regress, a forecast of {series.Target} {series.Horizon} row{(series.Horizon == 1 ? "" : "s")} after each window of {series.Window} rows of {string.Join(", ", data.Scaler.Columns)}."));
        output.WriteLine(string.Create(inv,
            $"Data: {series.Path}: {data.Train.Count:N0} training, {data.Validation.Count:N0} validation and {data.Test.Count:N0} test windows, in time order; standardised by the training stretch's means and deviations."));
        var metadata = new Dictionary<string, string>
        {
            ["dataset"] = DataFileDataset,
            ["sequence"] = "series",
            ["task"] = TrainTask.Regress.Name(),
            ["data"] = series.Path,
            ["steps"] = series.Window.ToString(inv),
            ["features"] = data.Features.ToString(inv),
            ["classes"] = "1",
            ["target"] = series.Target,
            ["horizon"] = series.Horizon.ToString(inv),
            ["scaler"] = data.Scaler.ToJson().ToJsonString(),
            ["validation_split"] = series.ValidationSplit.ToString("R", inv),
            ["test_split"] = series.TestSplit.ToString("R", inv),
            ["seed"] = settings.Seed.ToString(inv),
        };
        if (series.SeasonColumn is string season)
        {
            metadata["season_column"] = season;
        }

        var layout = new SequenceLayout(SequenceView.Rows, rows: series.Window, columns: data.Features);
        return new TrainingData(data.Train.Data.Data, data.Validation.Data.Data, data.Test.Data.Data, layout, 1, $"{Path.GetFileName(series.Path)} windows of {series.Window}", "windows", metadata)
        {
            Task = TrainTask.Regress,
            TrainTargets = data.Train.Data.TargetTensor,
            ValidationTargets = data.Validation.Data.TargetTensor,
            TestTargets = data.Test.Data.TargetTensor,
            Series = data,
        };
    }

    /// <summary>How <c>--series</c> cuts its file (evaluate cuts the same way, from the model's metadata).</summary>
    internal static TimeSeriesOptions SeriesOptions(SeriesSettings series, ulong seed) => new()
    {
        Target = series.Target,
        Inputs = series.Inputs,
        Window = series.Window,
        Horizon = series.Horizon,
        SeasonColumn = series.SeasonColumn,
        ValidationFraction = series.ValidationSplit,
        TestFraction = series.TestSplit,
        Seed = seed,
    };

    private static string Shorten(IReadOnlyList<string> names) =>
        names.Count <= 8 ? string.Join(", ", names) : string.Join(", ", names.Take(8)) + ", …";

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
