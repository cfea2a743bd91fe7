using System.Globalization;
using Recur.Data;
using Recur.Tensors;

namespace Recur.Cli;

/// <summary>
/// Reads <c>--data</c> files for each <see cref="TrainTask"/>, and infers the task from the labels when <c>--task</c> is
/// not given: whole-number labels classify, float labels regress, .npy labels <c>[N, T]</c> of the features' T label
/// every step (−1 marking the steps after a sequence's end).
/// </summary>
internal static class TaskFiles
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>The task the labels of <paramref name="data"/> (or of the .npy <paramref name="labels"/>) call for, and why, for the first line.</summary>
    /// <exception cref="DataFileException">A file cannot be read.</exception>
    public static (TrainTask Task, string Reason) Infer(string data, string? labels, SequenceFileOptions options)
    {
        if (labels is null)
        {
            SequenceData read = SequenceFiles.ReadCsv(data, options with { Regression = true });
            int fraction = Array.FindIndex(read.Targets!, v => !float.IsInteger(v) || v < 0);
            return fraction < 0
                ? (TrainTask.Classify, $"the whole-number labels of {data}")
                : (TrainTask.Regress, string.Create(Inv, $"the float labels of {data} (such as {read.Targets![fraction]})"));
        }

        NpyHeader y = Npy.ReadHeader(labels), x = Npy.ReadHeader(data);
        if (y.Shape.Length == 2 && y.Shape[1] > 1)
        {
            return x.Shape.Length >= 2 && y.Shape[1] == x.Shape[1]
                ? (TrainTask.Label, $"the labels of {labels}, one per step ({y.ShapeText})")
                : (TrainTask.Regress, $"the labels of {labels}, {y.Shape[1]} floats per sequence ({y.ShapeText})");
        }

        if (y.Kind == 'f' && y.ItemSize == 4 && !Npy.ReadFloat32(labels).Data.All(v => float.IsInteger(v) && v >= 0))
        {
            return (TrainTask.Regress, $"the float labels of {labels}");
        }

        return (TrainTask.Classify, $"the whole-number labels of {labels}");
    }

    /// <summary>
    /// The sequences of <paramref name="data"/> for <paramref name="task"/>, and the targets when they are not classes:
    /// float targets <c>[N, K]</c> (regress) or class ids per step <c>[N, T]</c> (label, whose lengths end where the −1 start).
    /// </summary>
    /// <exception cref="DataFileException">A file cannot be read for the task; the message names the file, row and fix.</exception>
    public static (SequenceData Data, Tensor? Targets) Read(TrainTask task, string data, string? labels, SequenceFileOptions options)
    {
        switch (task)
        {
            case TrainTask.Classify:
                return (SequenceFiles.Read(data, labels, options), null);
            case TrainTask.Regress when labels is null:
                SequenceData csv = SequenceFiles.ReadCsv(data, options with { Regression = true });
                return (csv, csv.TargetTensor);
            case TrainTask.Regress:
                return ReadNpyRegression(data, labels, options);
            default:
                return labels is null
                    ? throw new DataFileException(data, $"'{data}': --task label needs a class per step: give the features as .npy [N, T, F] and --labels a .npy [N, T] (−1 after each sequence's end).")
                    : ReadNpyLabelled(data, labels, options);
        }
    }

    /// <summary>Rows <paramref name="start"/> … of <paramref name="source"/> <c>[N, …]</c>, copied: <c>[count, …]</c>.</summary>
    public static Tensor Rows(Tensor source, int start, int count)
    {
        int width = source.Length / source.Dim(0);
        int[] shape = source.Shape.ToArray();
        shape[0] = count;
        return new Tensor(source.Data.AsSpan(start * width, count * width).ToArray(), shape);
    }

    /// <summary>Float32 features <c>[N, T, F]</c> (or <c>[N, T]</c>) of a .npy file, flat <c>[N, T · F]</c>, with T and F.</summary>
    private static (Tensor Flat, int Steps, int Features) Features(string path)
    {
        Tensor x = Npy.ReadFloat32(path);
        if (x.Rank is not (2 or 3))
        {
            throw new DataFileException(path, $"'{path}' holds an array of shape {Tensor.FormatShape(x.Shape)}; sequences are float32 [N, T, F] (or [N, T] for one feature per step).");
        }

        int bad = x.Span.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue);
        if (bad >= 0)
        {
            throw new DataFileException(path, string.Create(Inv, $"'{path}' holds {x.Data[bad]} in sequence {bad / (x.Length / x.Dim(0))}; features must be finite. Replace missing values before saving."));
        }

        int steps = x.Dim(1), features = x.Rank == 3 ? x.Dim(2) : 1;
        return (x.Reshape(x.Dim(0), steps * features), steps, features);
    }

    private static (SequenceData, Tensor) ReadNpyRegression(string data, string labels, SequenceFileOptions options)
    {
        var (x, steps, features) = Features(data);
        Tensor y = Npy.ReadFloat32(labels);
        int n = x.Dim(0);
        if (y.Rank > 2 || y.Dim(0) != n)
        {
            throw new DataFileException(labels,
                $"'{labels}' holds targets of shape {Tensor.FormatShape(y.Shape)}, but '{data}' holds {n:N0} sequences; give one float or one row of floats per sequence, [N] or [N, K].");
        }

        int bad = y.Span.IndexOfAnyExceptInRange(float.MinValue, float.MaxValue);
        if (bad >= 0)
        {
            throw new DataFileException(labels, string.Create(Inv, $"'{labels}' holds {y.Data[bad]} at index {bad}; regression targets must be finite."));
        }

        Tensor targets = y.Reshape(n, y.Length / n);
        var set = new DataSet(x, new int[n], 1, options.Seed, options.Shuffle);
        return (new SequenceData(set, steps, features), targets);
    }

    private static (SequenceData, Tensor) ReadNpyLabelled(string data, string labels, SequenceFileOptions options)
    {
        var (x, steps, features) = Features(data);
        Tensor y = Npy.ReadFloat32(labels);
        int n = x.Dim(0);
        if (y.Rank != 2 || y.Dim(0) != n || y.Dim(1) != steps)
        {
            throw new DataFileException(labels,
                $"'{labels}' holds labels of shape {Tensor.FormatShape(y.Shape)}, but '{data}' holds {n:N0} sequences of {steps} steps; give one class per step, [{n}, {steps}], −1 after each sequence's end.");
        }

        var lengths = new int[n];
        int largest = 0;
        for (int i = 0; i < n; i++)
        {
            int length = steps;
            for (int t = 0; t < steps; t++)
            {
                float label = y.Data[i * steps + t];
                bool padding = label == -1;
                if (!padding && !(float.IsInteger(label) && label >= 0 && label < SequenceFiles.MaxClasses))
                {
                    throw new DataFileException(labels, string.Create(Inv,
                        $"'{labels}' sequence {i}, step {t}: label {label} is not a class index 0, 1, 2, … (or −1 for a step after the sequence's end)."));
                }

                if (padding && length == steps)
                {
                    length = t;
                }
                else if (!padding && length < steps)
                {
                    throw new DataFileException(labels, string.Create(Inv,
                        $"'{labels}' sequence {i}: step {t} has label {label} after −1 at step {length}; −1 marks the steps after a sequence's end, so it must run to the last step."));
                }
                else if (!padding)
                {
                    largest = Math.Max(largest, (int)label);
                }
            }

            if (length == 0)
            {
                throw new DataFileException(labels, string.Create(Inv, $"'{labels}' sequence {i} is all −1: it has no step; every sequence needs at least one labelled step."));
            }

            lengths[i] = length;
        }

        int classes = options.Classes ?? largest + 1;
        if (largest >= classes)
        {
            throw new DataFileException(labels, string.Create(Inv, $"'{labels}' holds label {largest}, but --classes is {classes}; labels are 0 … {classes - 1}."));
        }

        var targets = new Tensor(y.Data.Select(v => v < 0 ? 0f : v).ToArray(), n, steps);
        var set = new DataSet(x, new int[n], Math.Max(classes, 2), options.Seed, options.Shuffle);
        bool ragged = lengths.Any(l => l != steps);
        return (new SequenceData(set, steps, features, ragged ? lengths : null), targets);
    }
}
