namespace Recur.Export;

/// <summary>The value one exported layer hands the next: its name in the graph, its layout, its last axis and the sequence lengths that travel with it.</summary>
/// <param name="Value">The value's name in the graph.</param>
/// <param name="Layout">Its axes.</param>
/// <param name="Features">The size of its last axis (0 for token ids).</param>
/// <param name="Lengths">The name of an int32 <c>[batch]</c> value holding each sequence's valid steps (a graph input or computed from a mask), or null: every step valid.</param>
internal sealed record OnnxFlow(string Value, OnnxLayout Layout, int Features, string? Lengths);
