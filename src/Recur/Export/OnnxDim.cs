namespace Recur.Export;

/// <summary>One axis of a graph input's or output's shape: a fixed size, or a named dynamic one (<c>dim_param</c>: <c>batch</c>, <c>steps</c>).</summary>
/// <param name="Param">The dynamic axis's name, or null for a fixed size.</param>
/// <param name="Value">The fixed size (when <paramref name="Param"/> is null).</param>
internal readonly record struct OnnxDim(string? Param, long Value)
{
    /// <summary>The batch axis, dynamic.</summary>
    public static readonly OnnxDim Batch = new("batch", 0);

    /// <summary>The time axis, dynamic.</summary>
    public static readonly OnnxDim Steps = new("steps", 0);

    /// <summary>A fixed size.</summary>
    public static implicit operator OnnxDim(int value) => new(null, value);

    /// <summary><c>batch</c>, <c>steps</c> or the number.</summary>
    public override string ToString() => Param ?? Value.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
