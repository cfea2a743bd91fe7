using Recur.Data;

namespace Recur.Cli;

/// <summary>What <c>recur train --data</c> reads: your own sequences instead of MNIST.</summary>
internal sealed record DataSettings
{
    /// <summary>The training sequences: a .npy file of features or a .csv file with the labels in column 1.</summary>
    public required string Data { get; init; }

    /// <summary>The labels of <see cref="Data"/> when it is a .npy file.</summary>
    public string? Labels { get; init; }

    /// <summary>Test sequences, in the same formats; none means validation accuracy only.</summary>
    public string? TestData { get; init; }

    /// <summary>The labels of <see cref="TestData"/> when it is a .npy file.</summary>
    public string? TestLabels { get; init; }

    /// <summary>F, the features per step of CSV files (null: 1).</summary>
    public int? Features { get; init; }

    /// <summary>The last fraction of <see cref="Data"/> held out for validation, as Keras's validation_split.</summary>
    public double ValidationSplit { get; init; } = 0.1;

    /// <summary>The number of classes (null: the largest training label + 1).</summary>
    public int? Classes { get; init; }

    /// <summary>The task given with <c>--task</c>; null: inferred from the labels.</summary>
    public TrainTask? Task { get; init; }

    /// <summary>Whether CSV files start with a header row.</summary>
    public CsvHeader Header { get; init; } = CsvHeader.Auto;

    /// <summary>How the files are read.</summary>
    public SequenceFileOptions FileOptions(ulong seed) =>
        new() { Features = Features ?? 1, Classes = Classes, Header = Header, Seed = seed };

    /// <summary>Null when the settings make sense, else a one-line description of the first problem.</summary>
    public string? Validate()
    {
        if (FileProblem("--data", Data, "--labels", Labels) is string data) return data;
        if (TestData is null && TestLabels is not null) return "--test-labels needs --test-data (the test features).";
        if (TestData is not null && FileProblem("--test-data", TestData, "--test-labels", TestLabels) is string test) return test;
        if (Features is int f && OptionLimits.Features.Problem("--features", f) is string features) return features;
        if (Features is not null && !IsCsv(Data) && (TestData is null || !IsCsv(TestData)))
        {
            return "--features is for CSV files; a .npy file carries its own shape (N, T, F).";
        }

        return OptionLimits.Split.Problem("--validation-split", ValidationSplit) ?? (Classes is int c ? OptionLimits.Classes.Problem("--classes", c) : null);
    }

    private static bool IsCsv(string path) => Path.GetExtension(path).Equals(".csv", StringComparison.OrdinalIgnoreCase);

    private static bool IsNpy(string path) => Path.GetExtension(path).Equals(".npy", StringComparison.OrdinalIgnoreCase);

    /// <summary>A features file and its labels option: .npy needs labels in a .npy file, .csv has them inside.</summary>
    internal static string? FileProblem(string option, string path, string labelsOption, string? labels)
    {
        if (IsNpy(path))
        {
            if (labels is null) return $"{option} {path} holds only the features; give their labels with {labelsOption} FILE.npy.";
            if (!IsNpy(labels)) return $"{labelsOption} must be a .npy file of integer labels; got '{labels}'.";
            return null;
        }

        if (IsCsv(path))
        {
            return labels is null ? null : $"{option} {path} holds its labels in its first column; {labelsOption} is for .npy features.";
        }

        return $"{option} must be a .npy file (with {labelsOption}) or a .csv file (labels in column 1); got '{path}'.";
    }
}
