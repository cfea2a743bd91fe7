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

    public Option<int?> Features { get; } = new("--features") { Description = "Features per step F of .csv files: a row of T·F values is T steps of F [default: 1]." };

    public Option<double?> ValidationSplit { get; } = new("--validation-split")
    {
        Description = "The share of --data held out for validation: its last rows, as Keras's validation_split (shuffle sorted data first) [default: 0.1].",
    };

    public Option<int?> Classes { get; } = new("--classes") { Description = "The number of classes C [default: the largest label in --data + 1]." };

    public Option<string> CsvHeader { get; } = CreateCsvHeader();

    /// <summary>All of them, to add to the command.</summary>
    public IEnumerable<Option> All => [Data, Labels, TestData, TestLabels, Features, ValidationSplit, Classes, CsvHeader];

    /// <summary>
    /// The data settings (null without <c>--data</c>), or the first problem: options that only make sense
    /// with <c>--data</c> given without it, or <paramref name="mnistOnly"/> options given with it.
    /// </summary>
    public string? Read(ParseResult parse, out DataSettings? settings, params Option[] mnistOnly)
    {
        settings = null;
        string? data = parse.GetValue(Data);
        if (data is null)
        {
            foreach (Option option in All)
            {
                if (Given(parse, option))
                {
                    return $"{option.Name} is for your own data; give the sequences with --data FILE (without --data, recur trains on MNIST).";
                }
            }

            return null;
        }

        foreach (Option option in mnistOnly)
        {
            if (Given(parse, option))
            {
                return $"{option.Name} is for MNIST and cannot be combined with --data; your file sets the sequence shape and the classes.";
            }
        }

        settings = new DataSettings
        {
            Data = data,
            Labels = parse.GetValue(Labels),
            TestData = parse.GetValue(TestData),
            TestLabels = parse.GetValue(TestLabels),
            Features = parse.GetValue(Features),
            ValidationSplit = parse.GetValue(ValidationSplit) ?? 0.1,
            Classes = parse.GetValue(Classes),
            Header = ParseHeader(parse.GetValue(CsvHeader)),
        };
        return settings.Validate();
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
