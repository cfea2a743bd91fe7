namespace Recur.Cli;

/// <summary>
/// The <c>--names</c> option of <c>recur import --pytorch</c> and <c>recur export --pytorch</c>: which torch module each
/// Recur layer is, as <c>TORCH=RECUR</c> pairs (<c>rnn=lstm,fc=dense</c>: the torch module <c>rnn</c> is the Recur
/// layer <c>lstm</c>). A layer not named keeps its own name as its module's.
/// </summary>
internal static class PyTorchNames
{
    /// <summary>The option.</summary>
    public static System.CommandLine.Option<string?> Create() => new("--names")
    {
        Description = "The torch module name of Recur layers, as TORCH=RECUR pairs separated by commas (rnn=lstm,fc=dense: torch's self.rnn is Recur's layer 'lstm'). " +
            "Layers not given keep their own names; consecutive recurrent layers of one kind and size are one torch module (_l0, _l1, …) named after the first.",
    };

    /// <summary>Recur layer name → torch module name, as the library's <c>moduleNames</c> takes it; empty for null.</summary>
    /// <exception cref="UsageException">A pair is not <c>TORCH=RECUR</c>, or a layer is named twice.</exception>
    public static IReadOnlyDictionary<string, string> Parse(string? value)
    {
        var names = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string pair in (value ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            string[] parts = pair.Split('=', StringSplitOptions.TrimEntries);
            if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length == 0)
            {
                throw new UsageException($"--names: '{pair}' is not TORCH=RECUR; write e.g. --names rnn=lstm,fc=dense (torch module rnn is the Recur layer lstm).");
            }

            if (!names.TryAdd(parts[1], parts[0]))
            {
                throw new UsageException($"--names gives the Recur layer '{parts[1]}' two torch names, '{names[parts[1]]}' and '{parts[0]}'; give it one.");
            }
        }

        return names;
    }

    /// <summary><paramref name="e"/>'s message in one line, without the <c>(Parameter 'x')</c> .NET adds to an <see cref="ArgumentException"/>'s.</summary>
    public static string Message(Exception e) =>
        e is ArgumentException { ParamName: { } name } ? e.Message.Replace($" (Parameter '{name}')", "", StringComparison.Ordinal) : e.Message;
}
