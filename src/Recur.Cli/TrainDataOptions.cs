using System.CommandLine;
using Recur.Data;

namespace Recur.Cli;

/// <summary>
/// The options of <c>recur train</c> that read your own sequences (<c>--data</c> and its companions)
/// instead of MNIST, kept apart from the MNIST and model options.
/// </summary>
internal sealed class TrainDataOptions
{
    public Option<string?> Data { get; } = new("--data")
    {
        Description = "Train on your own sequences instead of MNIST: a .npy file of float32 features [N, T, F] (or [N, T] for one feature per step) with --labels, " +
            "or a .csv file with one sequence per row: label,v1,...,v(T·F).",
    };

    public Option<string?> Labels { get; } = new("--labels") { Description = "The labels of a .npy --data file: a .npy array [N] of integer class indices 0 … C−1." };

    public Option<string?> TestData { get; } = new("--test-data")
    {
        Description = "Test sequences (.npy with --test-labels, or .csv) of the same shape, scored after training; without it only validation accuracy is reported.",
    };

    public Option<string?> TestLabels { get; } = new("--test-labels") { Description = "The labels of a .npy --test-data file." };

    public Option<int?> Features { get; } = OptionLimits.Features.Attach(new Option<int?>("--features") { Description = "Features per step F of .csv files: a row of T·F values is T steps of F [default: 1]." });

    public Option<double?> ValidationSplit { get; } = OptionLimits.Split.Attach(new Option<double?>("--validation-split")
    {
        Description = "The share of --data held out for validation: its last rows, as Keras's validation_split (shuffle sorted data first) [default: 0.1].",
    });

    public Option<int?> Classes { get; } = OptionLimits.Classes.Attach(new Option<int?>("--classes") { Description = "The number of classes C [default: the largest label in --data + 1]." });

    public Option<string> CsvHeader { get; } = CreateCsvHeader();

    public Option<string?> Task { get; } = CreateTask();

    public Option<float?> MaskValue { get; } = OptionLimits.MaskValue.Attach(new Option<float?>("--mask-value")
    {
        Description = "Float data (--data, --series): a step whose features all equal this value is padding (Keras's Masking layer, added first); " +
            "the recurrent layers skip it. A warning when no training step holds it.",
    });

    public Option<string?> Text { get; } = new("--text")
    {
        Description = "Train on labelled texts instead: a UTF-8 file of label<TAB>text lines. The tokens (--tokens) become ids, an Embedding(mask_zero) " +
            "reads them, and the vocabulary and class names are saved with the model (recur predict --text \"…\" then takes raw strings).",
    };

    public Option<string> Tokens { get; } = CreateTokens();

    public Option<int?> VocabularySize { get; } = OptionLimits.VocabularySize.Attach(new Option<int?>("--vocabulary-size")
    {
        Description = "--text: keep the N − 2 most frequent tokens (ids 0 padding and 1 unknown count too); rarer ones read as unknown [default: all].",
    });

    public Option<int?> MaxLength { get; } = OptionLimits.SequenceLength.Attach(new Option<int?>("--max-length") { Description = "--text: keep at most this many tokens of each text [default: the longest text's]." });

    public Option<int?> EmbeddingDim { get; } = OptionLimits.EmbeddingDim.Attach(new Option<int?>("--embedding-dim") { Description = "--text: the width of each token's embedding [default: 32]." });

    public Option<string?> Series { get; } = new("--series")
    {
        Description = "Forecast a column of a time series instead: a CSV file with a header row and one row per time step, oldest first. " +
            "Each window of --window rows predicts --target --horizon rows after its last; the last 20% of the windows are the test stretch (recur evaluate).",
    };

    public Option<string?> Target { get; } = new("--target") { Description = "--series: the column to forecast." };

    public Option<int?> Window { get; } = OptionLimits.SequenceLength.Attach(new Option<int?>("--window") { Description = "--series: rows (time steps) per window." });

    public Option<int?> Horizon { get; } = OptionLimits.SequenceLength.Attach(new Option<int?>("--horizon") { Description = "--series: how many rows after a window's last row its target is [default: 1, the next row]." });

    public Option<string?> Inputs { get; } = new("--inputs") { Description = "--series: the columns read at each step, comma-separated [default: every numeric column, the target among them]." };

    public Option<string?> SeasonColumn { get; } = new("--season-column") { Description = "--series: a date column (2012-01-31) to add as the day of the year, two features on a circle." };

    /// <summary>All of them, to add to the command.</summary>
    public IEnumerable<Option> All =>
        [Data, Labels, TestData, TestLabels, Features, ValidationSplit, Classes, CsvHeader, Task, MaskValue, Text, Tokens, VocabularySize, MaxLength, EmbeddingDim, Series, Target, Window, Horizon, Inputs, SeasonColumn];

    /// <summary>The options of <c>--data</c> only.</summary>
    private IEnumerable<Option> DataOnly => [Labels, TestData, TestLabels, Features, Classes, CsvHeader];

    /// <summary>The options of <c>--text</c> only.</summary>
    private IEnumerable<Option> TextOnly => [Tokens, VocabularySize, MaxLength, EmbeddingDim];

    /// <summary>The options of <c>--series</c> only.</summary>
    private IEnumerable<Option> SeriesOnly => [Target, Window, Horizon, Inputs, SeasonColumn];

    /// <summary>
    /// Reads which data the run learns from — <c>--data</c>, <c>--text</c> or <c>--series</c> (all null: MNIST) — or
    /// returns the first problem: two sources, options of another source (or of MNIST, <paramref name="mnistOnly"/>), or
    /// values out of range.
    /// </summary>
    public string? Read(ParseResult parse, out DataSettings? data, out TextSettings? text, out SeriesSettings? series, params Option[] mnistOnly)
    {
        (data, text, series) = (null, null, null);
        Option[] sources = new Option[] { Data, Text, Series }.Where(o => Given(parse, o)).ToArray();
        if (sources.Length > 1)
        {
            return $"{sources[0].Name} and {sources[1].Name} cannot be combined; give one source of data: --data (sequences), --text (labelled texts) or --series (a time series).";
        }

        if (sources.Length == 0)
        {
            foreach (Option option in All)
            {
                if (Given(parse, option))
                {
                    return $"{option.Name} is for your own data; give the sequences with --data FILE, texts with --text FILE or a series with --series FILE (without them, recur trains on MNIST).";
                }
            }

            return null;
        }

        Option source = sources[0];
        foreach (Option option in mnistOnly)
        {
            if (Given(parse, option))
            {
                return $"{option.Name} is for MNIST and cannot be combined with {source.Name}; your file sets the sequence shape and the classes.";
            }
        }

        foreach (var (owner, options) in new[] { (Data, DataOnly), (Text, TextOnly), (Series, SeriesOnly) })
        {
            if (owner != source && options.FirstOrDefault(o => Given(parse, o)) is Option stray)
            {
                return $"{stray.Name} is for {owner.Name} and cannot be combined with {source.Name}; leave it out.";
            }
        }

        TrainTask? task = parse.GetValue(Task) is string t ? TrainTasks.Parse(t) : null;
        if (source == Text && (task is TrainTask.Regress or TrainTask.Label))
        {
            return $"--task {task.Value.Name()} does not fit --text, which gives one class per text; leave --task out (classify).";
        }

        if (source == Series && task is TrainTask.Classify or TrainTask.Label)
        {
            return $"--task {task.Value.Name()} does not fit --series, which forecasts a float; leave --task out (regress).";
        }

        if (source == Text && Given(parse, MaskValue))
        {
            return "--mask-value is for float data (--data, --series); --text masks its padding (id 0) by itself.";
        }

        double split = parse.GetValue(ValidationSplit) ?? 0.1;
        if (source == Text)
        {
            text = new TextSettings
            {
                Path = parse.GetValue(Text)!,
                Tokens = parse.GetValue(Tokens) == "words" ? TokenKind.Words : TokenKind.Characters,
                VocabularySize = parse.GetValue(VocabularySize),
                MaxLength = parse.GetValue(MaxLength),
                EmbeddingDim = parse.GetValue(EmbeddingDim) ?? 32,
                ValidationSplit = split,
            };
            return text.Validate();
        }

        if (source == Series)
        {
            if (parse.GetValue(Target) is not string target || parse.GetValue(Window) is not int window)
            {
                return "--series needs --target COLUMN (what to forecast) and --window N (rows per window).";
            }

            series = new SeriesSettings
            {
                Path = parse.GetValue(Series)!,
                Target = target,
                Window = window,
                Horizon = parse.GetValue(Horizon) ?? 1,
                Inputs = parse.GetValue(Inputs)?.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries),
                SeasonColumn = parse.GetValue(SeasonColumn),
                ValidationSplit = split,
            };
            return series.Validate();
        }

        data = new DataSettings
        {
            Data = parse.GetValue(Data)!,
            Labels = parse.GetValue(Labels),
            TestData = parse.GetValue(TestData),
            TestLabels = parse.GetValue(TestLabels),
            Features = parse.GetValue(Features),
            ValidationSplit = split,
            Classes = parse.GetValue(Classes),
            Header = ParseHeader(parse.GetValue(CsvHeader)),
            Task = task,
        };
        return data.Validate();
    }

    /// <summary>The <c>--task</c> option.</summary>
    private static Option<string?> CreateTask()
    {
        var option = new Option<string?>("--task")
        {
            Description = "What to learn from --data: classify (one class per sequence: Dense(classes), cross-entropy, accuracy), regress (a float or a vector per " +
                "sequence: Dense(1 or K), mse, mae and rmse) or label (a class per step: per-step Dense(classes), masked cross-entropy). Without it: " +
                "labels that are all whole numbers classify, float labels regress, .npy labels [N, T] (−1 after each sequence's end) label; --series regresses, --text classifies. " +
                "The first line says what was chosen.",
        };
        option.AcceptOnlyFromAmong(TrainTasks.Names);
        return option;
    }

    /// <summary>The <c>--tokens</c> option.</summary>
    private static Option<string> CreateTokens()
    {
        var option = new Option<string>("--tokens") { Description = "--text: what a token is: chars (Unicode characters) or words (runs between white space).", DefaultValueFactory = _ => "chars" };
        option.AcceptOnlyFromAmong("chars", "words");
        return option;
    }

    /// <summary>The <c>--csv-header</c> option (train, evaluate and predict read CSV files alike).</summary>
    public static Option<string> CreateCsvHeader()
    {
        var option = new Option<string>("--csv-header")
        {
            Description = "Whether .csv files start with a header row: auto (a first line whose first cell is not a number), yes or no.",
            DefaultValueFactory = _ => "auto",
        };
        option.AcceptOnlyFromAmong("auto", "yes", "no");
        return option;
    }

    /// <summary>The <c>--csv-header</c> value as a <see cref="Recur.Data.CsvHeader"/>.</summary>
    public static CsvHeader ParseHeader(string? value) => value switch
    {
        "yes" => Recur.Data.CsvHeader.Present,
        "no" => Recur.Data.CsvHeader.Absent,
        _ => Recur.Data.CsvHeader.Auto,
    };

    /// <summary>True when <paramref name="option"/> was on the command line (not just its default).</summary>
    private static bool Given(ParseResult parse, Option option) => parse.GetResult(option) is { Implicit: false };
}
