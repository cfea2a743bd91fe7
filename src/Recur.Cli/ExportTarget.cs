using Recur.Models;

namespace Recur.Cli;

/// <summary>One file <c>recur export</c> writes: the option that asked for it, the path, the format's name, and how the model becomes its bytes.</summary>
/// <param name="Option">The option, e.g. <c>--onnx</c>.</param>
/// <param name="Path">The file to write.</param>
/// <param name="Format">The format as messages name it, e.g. "ONNX, opset 17".</param>
/// <param name="Make">The file's bytes from the model and its metadata; throws <see cref="NotSupportedException"/> for a model the format cannot hold.</param>
internal sealed record ExportTarget(string Option, string Path, string Format, Func<Sequential, IReadOnlyDictionary<string, string>, byte[]> Make)
{
    /// <summary>Null when <see cref="Path"/> can be a file to write, else the one-line problem.</summary>
    public string? Problem() =>
        Path.Length == 0 ? $"{Option} needs a file name."
        : Directory.Exists(Path) ? $"{Option} {Path} is a directory; give a file name in it."
        : null;
}
