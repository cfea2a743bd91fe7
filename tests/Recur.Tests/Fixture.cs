using System.Text.Json;
using Recur.Tensors;
using Xunit.Abstractions;

namespace Recur.Tests;

/// <summary>
/// A PyTorch reference fixture written by tools/make_fixtures.py: named tensors and a config,
/// compared tensor by tensor with the largest difference printed.
/// </summary>
internal sealed class Fixture
{
    private readonly Dictionary<string, Tensor> _tensors = new(StringComparer.Ordinal);
    private readonly JsonElement _config;

    private Fixture(string name, JsonDocument doc)
    {
        Name = name;
        _config = doc.RootElement.GetProperty("config").Clone();
        foreach (JsonProperty p in doc.RootElement.GetProperty("tensors").EnumerateObject())
        {
            int[] shape = p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            float[] data = p.Value.GetProperty("data").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            _tensors[p.Name] = new Tensor(data, shape);
        }
    }

    public string Name { get; }

    public static Fixture Load(string fileName)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "fixtures", fileName);
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        return new Fixture(fileName, doc);
    }

    /// <summary>A copy of the named tensor (tests may hand it to layers that keep it).</summary>
    public Tensor this[string name] =>
        _tensors.TryGetValue(name, out Tensor? t) ? t.Clone() : throw new KeyNotFoundException($"{Name} has no tensor '{name}'.");

    public bool Has(string name) => _tensors.ContainsKey(name);

    public int[] Classes(string name) => this[name].Data.Select(v => (int)v).ToArray();

    public double Config(string key) => _config.GetProperty(key).GetDouble();

    public string ConfigString(string key) => _config.GetProperty(key).GetString()!;

    public bool HasConfig(string key) => _config.TryGetProperty(key, out _);

    /// <summary>Asserts |actual − expected| ≤ tolerance elementwise and prints the largest difference.</summary>
    public double AssertClose(string name, Tensor actual, double tolerance, ITestOutputHelper output) =>
        AssertClose(name, this[name], actual, tolerance, output, Name);

    public static double AssertClose(string name, Tensor expected, Tensor actual, double tolerance, ITestOutputHelper output, string source = "")
    {
        Assert.True(expected.HasShape(actual.Shape),
            $"{source} {name}: shape {Tensor.FormatShape(actual.Shape)}, expected {Tensor.FormatShape(expected.Shape)}");
        double max = 0;
        int at = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double d = Math.Abs((double)expected.Data[i] - actual.Data[i]);
            if (!(d <= max))
            {
                max = d;
                at = i;
            }
        }

        output.WriteLine($"{source} {name,-18} max |diff| = {max:E2} (tolerance {tolerance:E0})");
        Assert.True(max <= tolerance,
            $"{source} {name}: max |diff| {max:E3} at flat index {at} (expected {expected.Data[at]}, got {actual.Data[at]}) exceeds {tolerance:E0}");
        return max;
    }
}
