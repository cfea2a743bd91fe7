using Recur.Tensors;

namespace Recur.IO;

/// <summary>
/// The content of a safetensors file read by <see cref="SafeTensors.Load"/>: its tensors as
/// float32 <see cref="Tensor"/>s, the dtype each was stored in, and the <c>__metadata__</c> strings.
/// </summary>
public sealed class SafeTensorFile
{
    private readonly Dictionary<string, Tensor> _tensors;

    internal SafeTensorFile(
        string source,
        List<string> names,
        Dictionary<string, Tensor> tensors,
        Dictionary<string, string> dtypes,
        Dictionary<string, string> metadata)
    {
        Source = source;
        Names = names;
        _tensors = tensors;
        DTypes = dtypes;
        Metadata = metadata;
    }

    /// <summary>Where the tensors were read from (the path given to <see cref="SafeTensors.Load"/>).</summary>
    public string Source { get; }

    /// <summary>The tensor names in the order their data appears in the file.</summary>
    public IReadOnlyList<string> Names { get; }

    /// <summary>
    /// The tensors by name, converted to float32. A scalar (shape <c>[]</c>) is returned with
    /// shape <c>[1]</c>, since a <see cref="Tensor"/> has at least one dimension.
    /// </summary>
    public IReadOnlyDictionary<string, Tensor> Tensors => _tensors;

    /// <summary>The dtype each tensor was stored in (<c>F32</c>, <c>F16</c>, <c>I64</c>, ...), by name.</summary>
    public IReadOnlyDictionary<string, string> DTypes { get; }

    /// <summary>The <c>__metadata__</c> strings; empty when the file has none.</summary>
    public IReadOnlyDictionary<string, string> Metadata { get; }

    /// <summary>The tensor called <paramref name="name"/>.</summary>
    /// <exception cref="KeyNotFoundException">The file has no such tensor; the message lists those it has.</exception>
    public Tensor this[string name]
    {
        get
        {
            ArgumentNullException.ThrowIfNull(name);
            if (_tensors.TryGetValue(name, out Tensor? t))
            {
                return t;
            }

            string have = Names.Count == 0 ? "no tensors" : "tensors " + string.Join(", ", Names.Select(n => $"'{n}'"));
            throw new KeyNotFoundException($"{Source} has no tensor '{name}'; it has {have}.");
        }
    }
}
