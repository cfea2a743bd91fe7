// Loads a model directory saved by Recur (config.json + model.safetensors), predicts on the input in its
// expected.json and compares with the output stored there. Exit code 0 when they agree to 1e-6, 1 otherwise.
using System.Reflection;
using System.Text.Json;
using Recur.Models;
using Recur.Tensors;

if (args.Length != 1)
{
    Console.Error.WriteLine("PackageConsumer: give one argument, a model directory holding expected.json (e.g. tests/Recur.Tests/fixtures/models/legacy-layer-configs).");
    return 2;
}

string directory = args[0];
string version = typeof(Sequential).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";
Console.WriteLine($"Recur {version}");

using JsonDocument expected = JsonDocument.Parse(File.ReadAllText(Path.Combine(directory, "expected.json")));
Tensor input = Read(expected.RootElement.GetProperty("tensors").GetProperty("input"));
Tensor want = Read(expected.RootElement.GetProperty("tensors").GetProperty("output"));

Sequential model = Sequential.Load(directory);
Tensor output = model.Predict(input);

float largest = output.HasShape(want.Shape) ? output.Data.Zip(want.Data, (a, b) => MathF.Abs(a - b)).Max() : float.PositiveInfinity;
Console.WriteLine($"{Path.GetFileName(Path.TrimEndingDirectorySeparator(directory))}: {string.Join(" → ", model.Layers.Select(l => l.Name))}");
Console.WriteLine($"input [{string.Join(", ", input.Shape.ToArray())}] → output [{string.Join(", ", output.Shape.ToArray())}]");
Console.WriteLine($"row 0: {string.Join(" ", output.Data.Take(output.Shape[^1]).Select(v => v.ToString("F6", System.Globalization.CultureInfo.InvariantCulture)))}");
Console.WriteLine($"largest |output - expected| = {largest:G3} (tolerance 1e-6)");
return largest <= 1e-6f ? 0 : 1;

static Tensor Read(JsonElement tensor) =>
    new(tensor.GetProperty("data").EnumerateArray().Select(v => v.GetSingle()).ToArray(),
        tensor.GetProperty("shape").EnumerateArray().Select(v => v.GetInt32()).ToArray());
