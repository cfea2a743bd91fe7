using System.Globalization;
using Recur.Tensors;

namespace Recur.Data;

/// <summary>
/// Reads labelled sequences from your own files, for classification or (CSV) regression:
/// <list type="bullet">
/// <item>NumPy: features in one .npy file, <c>[N, T, F]</c> float32 (a 2-D <c>[N, T]</c> array is read as
/// F = 1), labels in another, <c>[N]</c> (or <c>[N, 1]</c>) of any integer dtype, or float values that are
/// whole numbers (see <see cref="Npy"/>).</item>
/// <item>CSV: one sequence per row, <c>label,v1,v2,…</c> with T · F values step-major, F given by
/// <see cref="SequenceFileOptions.Features"/> (default 1); rows may differ in length (each its own T,
/// padded at the end, lengths kept); an optional header row; numbers in the invariant culture (a point for
/// decimals, comma-separated cells).</item>
/// </list>
/// Labels are class indices 0 … C − 1 (or, with <see cref="SequenceFileOptions.Regression"/>, float targets); C is <see cref="SequenceFileOptions.Classes"/> or the largest label
/// + 1. Features must be finite (no NaN). Every problem throws <see cref="DataFileException"/> naming the
/// file, the first bad row (an index of the .npy array, a 1-based line and column of the CSV file), what
/// is wrong and how to fix it.
/// </summary>
public static class SequenceFiles
{
    /// <summary>The largest number of classes read (a label of a million is a wrong column, not a class).</summary>
    public const int MaxClasses = 1 << 16;

    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>
    /// Reads <paramref name="path"/> by its extension: <c>.npy</c> features with the labels in
    /// <paramref name="labelsPath"/>, or a <c>.csv</c> file with the labels in its first column.
    /// </summary>
    /// <exception cref="ArgumentException">The extension is neither, a .npy file has no labels file, or a .csv file has one.</exception>
    /// <exception cref="DataFileException">A file is not readable as such data.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public static SequenceData Read(string path, string? labelsPath = null, SequenceFileOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        switch (Kind(path))
        {
            case ".npy" when labelsPath is null:
                throw new ArgumentException($"'{path}' holds only the features; give the labels in a second .npy file.", nameof(labelsPath));
            case ".npy":
                return ReadNpy(path, labelsPath, options);
            case ".csv" when labelsPath is not null:
                throw new ArgumentException($"'{path}' holds its labels in its first column; a separate labels file is for .npy features.", nameof(labelsPath));
            case ".csv":
                return ReadCsv(path, options);
            default:
                throw new ArgumentException($"'{path}' is neither a .npy nor a .csv file; save the sequences with np.save or as CSV.", nameof(path));
        }
    }

    /// <summary>
    /// Reads features <c>[N, T, F]</c> (or <c>[N, T]</c>, F = 1) float32 from <paramref name="featuresPath"/>
    /// and one label per sequence from <paramref name="labelsPath"/>.
    /// </summary>
    /// <exception cref="DataFileException">A file is not such an array, the counts differ, a feature is not finite or a label is out of range.</exception>
    /// <exception cref="FileNotFoundException">A file does not exist.</exception>
    public static SequenceData ReadNpy(string featuresPath, string labelsPath, SequenceFileOptions? options = null)
    {
        options ??= new SequenceFileOptions();
        Tensor x = ReadNpySequences(featuresPath);
        long[] raw = Npy.ReadLabels(labelsPath);
        int n = x.Dim(0);
        if (raw.Length != n)
        {
            throw new DataFileException(labelsPath,
                $"'{labelsPath}' holds {raw.Length:N0} labels but '{featuresPath}' holds {n:N0} sequences; they must match one to one (label i belongs to sequence i).");
        }

        var (labels, classes) = CheckLabels(raw, options.Classes, labelsPath, i => $"index {i}");
        var data = new DataSet(x.Reshape(n, x.Dim(1) * x.Dim(2)), labels, classes, options.Seed, options.Shuffle);
        return new SequenceData(data, x.Dim(1), x.Dim(2));
    }

    /// <summary>
    /// Reads a CSV file of labelled sequences: a row is <c>label,v1,…,v(T·F)</c>, F is
    /// <see cref="SequenceFileOptions.Features"/>; blank lines are skipped. Rows may have different
    /// lengths: each row is a sequence of its own T (its value count must be a multiple of F), padded at
    /// the end with zeros to the longest, <c>x [N, Tmax, F]</c>, and <see cref="SequenceData.Lengths"/>
    /// holds each row's T (null when all rows have the same length). With
    /// <see cref="SequenceFileOptions.Regression"/> the first column holds float targets
    /// (<see cref="SequenceData.Targets"/>) instead of class indices.
    /// </summary>
    /// <exception cref="DataFileException">
    /// The file is empty, a cell is not a number or not finite, a row's number of values is not a multiple
    /// of F, or a label is not a class index (classification) or not finite (regression).
    /// </exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static SequenceData ReadCsv(string path, SequenceFileOptions? options = null)
    {
        options ??= new SequenceFileOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Features, nameof(options));
        CsvTable table = CsvTable.Read(path, options.Header, ragged: true);
        int f = options.Features, longest = 0;
        var lengths = new int[table.Rows];
        for (int i = 0; i < table.Rows; i++)
        {
            int values = table.Widths[i] - 1;
            if (values < 1)
            {
                throw new DataFileException(path, $"'{path}' line {table.Lines[i]} holds only a label; a row is the label followed by the sequence's values.");
            }

            if (values % f != 0)
            {
                throw new DataFileException(path,
                    $"'{path}' line {table.Lines[i]} has {values} values after the label, which is not a multiple of {f} features per step; " +
                    $"give the right number of features per step (F), or fix the row to hold T · F values.");
            }

            lengths[i] = values / f;
            longest = Math.Max(longest, lengths[i]);
        }

        bool ragged = lengths.Any(t => t != longest);
        float[] rest = table.TakeRest();
        if (ragged)
        {
            var padded = new float[table.Rows * longest * f];
            for (int i = 0, offset = 0; i < table.Rows; i++)
            {
                int values = lengths[i] * f;
                rest.AsSpan(offset, values).CopyTo(padded.AsSpan(i * longest * f));
                offset += values;
            }

            rest = padded;
        }

        var x = new Tensor(rest, table.Rows, longest * f);
        if (options.Regression)
        {
            var targets = new float[table.Rows];
            for (int i = 0; i < targets.Length; i++)
            {
                targets[i] = table.FirstAsFloat[i];
                if (!float.IsFinite(targets[i]))
                {
                    throw new DataFileException(path, string.Create(Inv,
                        $"'{path}' line {table.Lines[i]}, column 1 holds {table.First[i]}; a regression target must be a finite float32. Fix or drop the row."));
                }
            }

            var regression = new DataSet(x, new int[table.Rows], 1, options.Seed, options.Shuffle);
            return new SequenceData(regression, longest, f, ragged ? lengths : null, targets);
        }

        var raw = new long[table.Rows];
        for (int i = 0; i < raw.Length; i++)
        {
            double label = table.First[i];
            if (!double.IsInteger(label) || Math.Abs(label) > 9.2e18)
            {
                throw new DataFileException(path, string.Create(Inv,
                    $"'{path}' line {table.Lines[i]}, column 1: label {label} is not a whole number; the first column holds class indices 0, 1, 2, … (for float targets, read the file for regression: SequenceFileOptions.Regression)."));
            }

            raw[i] = (long)label;
        }

        var (labels, classes) = CheckLabels(raw, options.Classes, path, i => $"line {table.Lines[i]}");
        var data = new DataSet(x, labels, classes, options.Seed, options.Shuffle);
        return new SequenceData(data, longest, f, ragged ? lengths : null);
    }

    /// <summary>
    /// Reads sequences to classify (no labels needed) for a model that reads <paramref name="steps"/> ×
    /// <paramref name="features"/>: a .npy file of float32 <c>[N, T, F]</c> (or <c>[N, T]</c> when F = 1),
    /// or a CSV file whose rows hold T · F values, or a label and T · F values (the label is ignored, so
    /// a training file can be passed as it is).
    /// </summary>
    /// <returns>The sequences, <c>[N, T, F]</c>.</returns>
    /// <exception cref="ArgumentException">The file is neither .npy nor .csv.</exception>
    /// <exception cref="DataFileException">The file is not readable as such sequences, or they have another shape.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static Tensor ReadInputs(string path, int steps, int features, CsvHeader header = CsvHeader.Auto)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(steps);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(features);
        string kind = Kind(path);
        if (kind == ".npy")
        {
            Tensor x = ReadNpySequences(path);
            if (x.Dim(1) != steps || x.Dim(2) != features)
            {
                throw new DataFileException(path,
                    $"'{path}' holds sequences of {x.Dim(1)} steps × {x.Dim(2)} features, but the model reads {steps} × {features}.");
            }

            return x;
        }

        if (kind != ".csv")
        {
            throw new ArgumentException($"'{path}' is neither a .npy nor a .csv file.", nameof(path));
        }

        CsvTable table = CsvTable.Read(path, header, ragged: false);
        int values = steps * features;
        if (table.Width == values + 1)
        {
            return new Tensor(table.TakeRest(), table.Rows, steps, features); // the first column is a label
        }

        if (table.Width != values)
        {
            throw new DataFileException(path,
                $"'{path}' line {table.Lines[0]} has {table.Width} values, but the model reads sequences of {steps} steps × {features} features: " +
                $"{values} values per row, or a label and {values} values.");
        }

        float[] rest = table.TakeRest();
        var all = new float[table.Rows * values];
        for (int i = 0; i < table.Rows; i++)
        {
            if (!float.IsFinite(table.FirstAsFloat[i]))
            {
                throw new DataFileException(path, string.Create(Inv,
                    $"'{path}' line {table.Lines[i]}, column 1 holds {table.FirstAsFloat[i]}; features must be finite. Replace missing values before saving."));
            }

            all[i * values] = table.FirstAsFloat[i];
            rest.AsSpan(i * (values - 1), values - 1).CopyTo(all.AsSpan(i * values + 1));
        }

        return new Tensor(all, table.Rows, steps, features);
    }

    /// <summary>The lower-case extension of <paramref name="path"/> (".npy", ".csv", …).</summary>
    private static string Kind(string path) => Path.GetExtension(path).ToLowerInvariant();

    /// <summary>A float32 .npy file as <c>[N, T, F]</c>, checked to hold at least one non-empty sequence of finite values.</summary>
    private static Tensor ReadNpySequences(string path)
    {
        Tensor x = Npy.ReadFloat32(path);
        string name = Npy.VariableName(path);
        string shape = NpyHeader.FormatShape(x.Shape);
        if (x.Rank == 2)
        {
            x = x.Reshape(x.Dim(0), x.Dim(1), 1);
        }
        else if (x.Rank != 3)
        {
            throw new DataFileException(path,
                $"'{path}' holds an array of shape {shape}, but sequences have shape (N, T, F) — N sequences of T steps of F features — " +
                $"or (N, T) for one feature per step. Save {name}.reshape(N, T, F).");
        }

        if (x.Length == 0)
        {
            throw new DataFileException(path, $"'{path}' holds no sequences (shape {shape}); it needs at least one sequence of at least one step.");
        }

        int bad = FirstNotFinite(x.Span);
        if (bad >= 0)
        {
            int t = x.Dim(1), f = x.Dim(2);
            throw new DataFileException(path, string.Create(Inv,
                $"'{path}' holds {x.Span[bad]} at [{bad / (t * f)}, {bad / f % t}, {bad % f}] (sequence, step, feature); features must be finite. " +
                $"Replace missing values first, e.g. np.nan_to_num({name})."));
        }

        return x;
    }

    private static int FirstNotFinite(ReadOnlySpan<float> values)
    {
        for (int i = 0; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>Checks every label is a class index and returns them with the number of classes.</summary>
    /// <param name="raw">The labels as read.</param>
    /// <param name="classes">The number of classes, or null for the largest label + 1.</param>
    /// <param name="path">The file, for messages.</param>
    /// <param name="where">Names row i in messages ("index 3", "line 5").</param>
    private static (int[] Labels, int Classes) CheckLabels(long[] raw, int? classes, string path, Func<int, string> where)
    {
        if (classes is int given)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(given, nameof(classes));
        }

        long limit = classes ?? MaxClasses;
        var labels = new int[raw.Length];
        int max = 0;
        for (int i = 0; i < raw.Length; i++)
        {
            long label = raw[i];
            if (label < 0)
            {
                throw new DataFileException(path,
                    $"'{path}' has label {label} at {where(i)}; labels are class indices 0, 1, 2, …, so map your classes to 0 … C − 1 first.");
            }

            if (label >= limit)
            {
                throw new DataFileException(path, classes is int c
                    ? $"'{path}' has label {label} at {where(i)}, but there are {c} classes (labels 0 to {c - 1}). Fix the label, or give the right number of classes."
                    : $"'{path}' has label {label} at {where(i)}, which would make {label + 1:N0} classes (at most {MaxClasses:N0}); labels are class indices 0 … C − 1, not values.");
            }

            labels[i] = (int)label;
            max = Math.Max(max, labels[i]);
        }

        return (labels, classes ?? max + 1);
    }

    /// <summary>The cells of a CSV file of numbers: the first column as written, the others as float32.</summary>
    private sealed class CsvTable
    {
        private float[] _rest = new float[1024];
        private int _restCount;

        /// <summary>Cells per row (of the first row, when rows may differ).</summary>
        public int Width => Widths[0];

        /// <summary>The cells of each row.</summary>
        public List<int> Widths { get; } = [];

        /// <summary>Whether rows may have different numbers of cells.</summary>
        public bool Ragged { get; private init; }

        /// <summary>Data rows.</summary>
        public int Rows => Lines.Count;

        /// <summary>The 1-based line number of each row.</summary>
        public List<int> Lines { get; } = [];

        /// <summary>The first cell of each row, as a double (labels are checked in it).</summary>
        public List<double> First { get; } = [];

        /// <summary>The first cell of each row, as a float32 (for files without labels).</summary>
        public List<float> FirstAsFloat { get; } = [];

        /// <summary>The other cells, row after row (<c>[Rows, Width − 1]</c> unless ragged); the table is spent afterwards.</summary>
        public float[] TakeRest()
        {
            float[] rest = _rest.Length == _restCount ? _rest : _rest.AsSpan(0, _restCount).ToArray();
            _rest = [];
            return rest;
        }

        public static CsvTable Read(string path, CsvHeader header, bool ragged)
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException(Directory.Exists(path) ? $"'{path}' is a directory; give a .csv file." : $"'{path}' does not exist.", path);
            }

            var table = new CsvTable { Ragged = ragged };
            using var reader = new StreamReader(path, detectEncodingFromByteOrderMarks: true);
            int lineNumber = 0, headerLine = 0;
            bool first = true;
            while (reader.ReadLine() is string line)
            {
                lineNumber++;
                if (string.IsNullOrWhiteSpace(line))
                {
                    continue;
                }

                if (first)
                {
                    first = false;
                    CsvSeparator.Check(line, lineNumber, path);
                    bool isHeader = header switch
                    {
                        CsvHeader.Present => true,
                        CsvHeader.Absent => false,
                        _ => !double.TryParse(Clean(line.AsSpan(0, IndexOrLength(line, ','))), NumberStyles.Float, Inv, out _),
                    };
                    if (isHeader)
                    {
                        headerLine = lineNumber;
                        continue;
                    }
                }

                table.Add(line, lineNumber, path);
            }

            if (table.Rows == 0)
            {
                throw new DataFileException(path, headerLine > 0
                    ? $"'{path}' holds no sequences: it has only a header line. Each row after it is a label and a sequence's values."
                    : $"'{path}' holds no sequences: it is empty. Each row is a label and a sequence's values.");
            }

            return table;
        }

        private void Add(string line, int lineNumber, string path)
        {
            int cells = line.AsSpan().Count(',') + 1;
            if (!Ragged && Rows > 0 && cells != Width)
            {
                throw new DataFileException(path,
                    $"'{path}' line {lineNumber} has {cells} cells but line {Lines[0]} has {Width}; every row must have the same number " +
                    "(T · F values, or a label and T · F values) for a model that reads fixed-length sequences. " +
                    "Sequences of different lengths are read for training by SequenceFiles.ReadCsv, which keeps each one's length.");
            }

            Widths.Add(cells);

            if (_restCount + cells - 1 > _rest.Length)
            {
                Array.Resize(ref _rest, (int)Math.Min(Array.MaxLength, Math.Max(2L * _rest.Length, _restCount + cells - 1L)));
            }

            int column = 0;
            foreach (Range range in line.AsSpan().Split(','))
            {
                column++;
                ReadOnlySpan<char> cell = Clean(line.AsSpan()[range]);
                if (cell.IsEmpty)
                {
                    throw new DataFileException(path, $"'{path}' line {lineNumber}, column {column} is empty; fill in missing values before saving.");
                }

                if (!float.TryParse(cell, NumberStyles.Float, Inv, out float value))
                {
                    string hint = cell.Contains(';') ? " The file looks semicolon-separated; Recur reads comma-separated values."
                        : column == 1 ? " The first column holds the label, a class index 0, 1, 2, …."
                        : " Numbers use a point for decimals (invariant culture).";
                    throw new DataFileException(path, $"'{path}' line {lineNumber}, column {column}: '{cell}' is not a number.{hint}");
                }

                if (!float.IsFinite(value) && column > 1)
                {
                    throw new DataFileException(path, $"'{path}' line {lineNumber}, column {column} holds {cell}; features must be finite. Replace missing values before saving.");
                }

                if (column == 1)
                {
                    First.Add(double.Parse(cell, NumberStyles.Float, Inv));
                    FirstAsFloat.Add(value);
                }
                else
                {
                    _rest[_restCount++] = value;
                }
            }

            Lines.Add(lineNumber);
        }

        private static int IndexOrLength(string line, char c) => line.IndexOf(c) is var i and >= 0 ? i : line.Length;

        /// <summary>A cell without surrounding white space or double quotes.</summary>
        private static ReadOnlySpan<char> Clean(ReadOnlySpan<char> cell)
        {
            cell = cell.Trim();
            return cell.Length >= 2 && cell[0] == '"' && cell[^1] == '"' ? cell[1..^1].Trim() : cell;
        }
    }
}
