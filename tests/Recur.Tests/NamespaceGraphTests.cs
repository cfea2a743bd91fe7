using Xunit.Abstractions;

namespace Recur.Tests;

/// <summary>
/// The library's namespaces depend one way (<c>docs/ARCHITECTURE.md</c> §2), read from the compiled <c>Recur.dll</c>
/// by <see cref="NamespaceGraph"/>: no cycle among them, the root namespace (<see cref="Rng"/>,
/// <see cref="Threading"/>, the kind registry) uses none of the others, and the kernels use nothing but the root.
/// </summary>
public class NamespaceGraphTests(ITestOutputHelper output)
{
    private static readonly SortedDictionary<string, SortedSet<string>> Graph = NamespaceGraph.Read(typeof(Rng).Assembly.Location, "Recur");

    [Fact]
    public void NamespacesDependOneWay()
    {
        foreach (var (from, to) in Graph)
        {
            output.WriteLine($"{from} -> {string.Join(", ", to)}");
        }

        Assert.Contains("Recur.Layers", Graph["Recur.Models"]); // the reader sees references at all
        List<string>? cycle = NamespaceGraph.FindCycle(Graph);
        Assert.True(cycle is null, $"the namespaces form a cycle: {string.Join(" -> ", cycle ?? [])}");
    }

    [Fact]
    public void TheRootUsesNoOtherNamespaceAndTheKernelsOnlyTheRoot()
    {
        Assert.Empty(Graph["Recur"]);
        Assert.Equal(["Recur"], Graph["Recur.Tensors"]);
    }
}
