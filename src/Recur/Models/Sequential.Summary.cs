using System.Globalization;
using System.Text;
using Recur.Layers;

namespace Recur.Models;

public sealed partial class Sequential
{
    private static readonly int[] SummaryWidths = [33, 24, 15];

    /// <summary>
    /// Keras's <c>model.summary()</c> table: each layer's name and type, output shape (batch axis <c>None</c>) and
    /// parameter count, then the total, trainable and non-trainable counts with their size in float32. For
    /// <c>LstmLayer(128) { InputShape = [28, 28] }</c> → <c>DenseLayer(10)</c>: 80,384 + 1,290 = 81,674.
    /// Print it with <c>Console.Write(model.Summary())</c>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The model is not built: give the first layer an InputShape or call <see cref="Build"/>.</exception>
    public string Summary()
    {
        RequireLayers();
        if (!IsBuilt)
        {
            throw new InvalidOperationException(
                $"Sequential.Summary: model '{Name}' is not built yet; give the first layer an InputShape (e.g. new LstmLayer(128) {{ InputShape = [28, 28] }}) or call Build(28, 28).");
        }

        var text = new StringBuilder();
        text.Append("Model: \"").Append(Name).Append("\"\n");
        text.Append(Rule('┏', '━', '┳', '┓'));
        text.Append(Row('┃', "Layer (type)", "Output Shape", "Param #"));
        text.Append(Rule('┡', '━', '╇', '┩'));
        long trainable = 0, frozen = 0;
        for (int k = 0; k < _entries.Count; k++)
        {
            Entry e = _entries[k];
            long count = 0;
            foreach (Parameter p in e.Layer!.Parameters)
            {
                count += p.Value.Length;
                if (p.Trainable)
                {
                    trainable += p.Value.Length;
                }
                else
                {
                    frozen += p.Value.Length;
                }
            }

            string type = e.Config?.ClassName ?? e.Layer.GetType().Name;
            string shape = e.OutputShape is { } s ? LayerConfig.FormatShape(s) : "?";
            if (k > 0)
            {
                text.Append(Rule('├', '─', '┼', '┤'));
            }

            text.Append(Row('│', $"{e.Name} ({type})", shape, count.ToString("N0", CultureInfo.InvariantCulture)));
        }

        text.Append(Rule('└', '─', '┴', '┘'));
        text.Append(" Total params: ").Append(Count(trainable + frozen)).Append('\n');
        text.Append(" Trainable params: ").Append(Count(trainable)).Append('\n');
        text.Append(" Non-trainable params: ").Append(Count(frozen)).Append('\n');
        return text.ToString();
    }

    private static string Rule(char left, char line, char cross, char right) =>
        left + string.Join(cross, SummaryWidths.Select(w => new string(line, w))) + right + "\n";

    private static string Row(char bar, string name, string shape, string count) =>
        bar + " " + name.PadRight(SummaryWidths[0] - 2) + " " + bar + " " + shape.PadRight(SummaryWidths[1] - 2) + " " + bar + " "
        + count.PadLeft(SummaryWidths[2] - 2) + " " + bar + "\n";

    /// <summary>"81,674 (319.04 KB)": a parameter count and its float32 size, as Keras prints them.</summary>
    private static string Count(long parameters)
    {
        double bytes = parameters * 4.0;
        string[] units = ["B", "KB", "MB", "GB"];
        int u = 0;
        while (bytes >= 1024 && u < units.Length - 1)
        {
            bytes /= 1024;
            u++;
        }

        return string.Create(CultureInfo.InvariantCulture, $"{parameters:N0} ({bytes:F2} {units[u]})");
    }
}
