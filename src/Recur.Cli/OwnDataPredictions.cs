using System.Globalization;
using Recur.Data;
using Recur.Losses;
using Recur.Tensors;

namespace Recur.Cli;

/// <summary><c>recur predict</c> for texts (<c>--text</c>, <c>--text-file</c>), series (<c>--series</c>), and the values of regression and labelling models.</summary>
internal sealed class OwnDataPredictions(TrainedModel trained, TextWriter output, int limit)
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Null when inputs of <paramref name="kind"/> (--input, --text, --series) fit the model, else why not.</summary>
    public static string? Misfit(TrainedModel trained, string kind) => kind switch
    {
        "--text" when !trained.FromText => $"was not trained on texts (recur train --text); give {(trained.FromSeries ? "--series FILE" : "--input FILE")}.",
        "--series" when !trained.FromSeries => $"was not trained on a series (recur train --series); give {(trained.FromText ? "--text \"…\"" : "--input FILE")}.",
        "--input" when trained.FromText => "reads texts; give them with --text \"…\" or --text-file FILE.",
        "--input" when trained.FromSeries => "forecasts a series; give it with --series FILE.",
        _ => null,
    };

    /// <summary>What the model says about row <paramref name="i"/> of its output: the values of a regression, the class of each valid step of a labelling.</summary>
    public static string Describe(TrainedModel trained, Tensor output, int i, int? length)
    {
        if (trained.Task == TrainTask.Regress)
        {
            int width = output.Length / output.Dim(0);
            return string.Join(", ", output.Data.Skip(i * width).Take(width).Select(v => v.ToString("G6", Inv)));
        }

        int steps = output.Dim(1), classes = output.Dim(2);
        var labels = new int[length ?? steps];
        for (int t = 0; t < labels.Length; t++)
        {
            labels[t] = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(output.Span.Slice(((i * steps) + t) * classes, classes));
        }

        return $"classes per step {string.Join(" ", labels)}";
    }

    /// <summary>Prints the class and probability of each text of <paramref name="texts"/> and of the lines of <paramref name="file"/>.</summary>
    /// <exception cref="InvalidDataException">A text has no token.</exception>
    /// <exception cref="IOException">The file cannot be read.</exception>
    public void Classify(string[] texts, string? file)
    {
        List<string> all = [.. texts];
        if (file is not null)
        {
            if (!File.Exists(file))
            {
                throw new FileNotFoundException($"--text-file {file} does not exist.", file);
            }

            all.AddRange(File.ReadLines(file).Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => l.IndexOf('\t') is int tab and >= 0 ? l[(tab + 1)..] : l));
        }

        Vocabulary vocabulary = trained.Vocabulary;
        string[] names = trained.ClassNames;
        int? maxLength = trained.Metadata.TryGetValue("max_length", out string? max) ? int.Parse(max, Inv) : null;
        for (int i = 0; i < all.Count; i++)
        {
            if (!Vocabulary.Tokenize(all[i], vocabulary.Kind).Any())
            {
                throw new InvalidDataException($"text {i + 1} ('{all[i]}') has no {(vocabulary.Kind == TokenKind.Words ? "word" : "character")}; give texts of at least one token.");
            }
        }

        (Tensor ids, int[] lengths) = vocabulary.EncodeBatch(all, maxLength);
        Tensor probabilities = Predictions.Softmax(trained.Model.Predict(ids, 1000, lengths));
        int classes = names.Length;
        for (int i = 0; i < Math.Min(all.Count, limit); i++)
        {
            ReadOnlySpan<float> p = probabilities.Span.Slice(i * classes, classes);
            int label = System.Numerics.Tensors.TensorPrimitives.IndexOfMax(p);
            output.WriteLine(string.Create(Inv, $"\"{all[i]}\": {names[label]} (probability {p[label]:F4})"));
        }

        if (all.Count > limit)
        {
            output.WriteLine(string.Create(Inv, $"… {all.Count - limit:N0} more texts (raise --limit to see them)."));
        }
    }

    /// <summary>Prints the forecast from the window of the last rows of <paramref name="path"/>.</summary>
    /// <exception cref="DataFileException">The file lacks a column the model reads, a value is not a number, or it is shorter than the window.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public void Forecast(string path)
    {
        TimeSeriesScaler scaler = trained.Scaler;
        int w = trained.Layout.Steps, f = scaler.Columns.Count;
        string? season = trained.Metadata.GetValueOrDefault("season_column");
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"--series {path} does not exist.", path);
        }

        var lines = File.ReadLines(path).Select((text, k) => (Text: text, Number: k + 1)).Where(l => !string.IsNullOrWhiteSpace(l.Text)).ToList();
        string[] header = lines.Count > 0 ? Cells(lines[0].Text) : [];
        var rows = lines.Skip(1).TakeLast(w).ToList();
        if (rows.Count < w)
        {
            throw new DataFileException(path, string.Create(Inv, $"'{path}' holds {rows.Count} rows after its header, fewer than the window of {w} rows the model reads; give a longer series."));
        }

        int Column(string name) => Array.IndexOf(header, name) is int c and >= 0
            ? c
            : throw new DataFileException(path, $"'{path}' has no column '{name}'; the model reads {string.Join(", ", scaler.Columns.Select(n => n.StartsWith("season_", StringComparison.Ordinal) ? season : n).Distinct())}. Give a series with the training file's columns.");

        var x = new Tensor(1, w, f);
        for (int j = 0; j < f; j++)
        {
            string name = scaler.Columns[j];
            bool seasonal = season is not null && name is "season_sin" or "season_cos";
            int c = Column(seasonal ? season! : name);
            for (int t = 0; t < w; t++)
            {
                string cell = Cells(rows[t].Text) is var cells && c < cells.Length ? cells[c] : "";
                double value;
                if (seasonal)
                {
                    value = DateTime.TryParse(cell, Inv, DateTimeStyles.None, out DateTime date)
                        ? (name == "season_sin" ? Math.Sin(Angle(date)) : Math.Cos(Angle(date)))
                        : throw new DataFileException(path, $"'{path}' line {rows[t].Number}, column {c + 1} ('{season}'): '{cell}' is not a date; write dates as 2012-01-31.");
                }
                else if (!double.TryParse(cell, NumberStyles.Float, Inv, out value) || !double.IsFinite(value))
                {
                    throw new DataFileException(path, $"'{path}' line {rows[t].Number}, column {c + 1} ('{name}'): '{cell}' is not a finite number; fix the value.");
                }

                x.Data[(t * f) + j] = (float)((value - scaler.Means[j]) / scaler.Deviations[j]);
            }
        }

        float forecast = Forecasts.Predict(trained.Model, scaler, x)[0];
        int horizon = int.Parse(trained.Metadata.GetValueOrDefault("horizon", "1"), Inv);
        output.WriteLine(string.Create(Inv,
            $"Forecast of {scaler.Target}, {horizon} row{(horizon == 1 ? "" : "s")} after the last row of {path} (line {rows[^1].Number}), from its last {w} rows: {forecast:G6}"));
    }

    private static double Angle(DateTime date) => 2 * Math.PI * (date.DayOfYear - 1) / 365.25;

    private static string[] Cells(string line) => line.Split(',').Select(c => c.Trim().Trim('"').Trim()).ToArray();
}
