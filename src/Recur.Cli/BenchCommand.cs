using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Recur.Cli;

/// <summary>
/// <c>recur bench</c>: training and inference throughput of the LSTM and GRU shapes in <see cref="BenchShape.All"/>
/// (samples/s, ms per batch, GFLOP/s of the matrix products, peak RSS), as a table or JSON, and with
/// <c>--gemm</c> the GFLOP/s of the matrix product itself against the machine's peak.
/// bench/compare.sh runs it next to the PyTorch peer and prints the ratios.
/// </summary>
internal static class BenchCommand
{
    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // the version's '+' as itself, not \u002B (not HTML)
    };

    /// <summary>Builds the command.</summary>
    public static Command Create()
    {
        var shapeOption = new Option<string[]>("--shape")
        {
            Description = "Shapes to run, repeatable or comma-separated: " + string.Join(", ", NamesOf(BenchShape.All)) + " (default: all).",
            AllowMultipleArgumentsPerToken = true,
        };
        var batchesOption = OptionLimits.Batches.Attach(new Option<int>("--batches")
        {
            Description = "Timed batches per shape.",
            DefaultValueFactory = _ => 20,
        });
        var warmupOption = OptionLimits.Warmup.Attach(new Option<int>("--warmup")
        {
            Description = "Untimed batches run first.",
            DefaultValueFactory = _ => 3,
        });
        var threadsOption = OptionLimits.Threads.Attach(new Option<int>("--threads")
        {
            Description = "Threads to use (Recur.Threading.MaxThreads); default: the number of cores.",
            DefaultValueFactory = _ => Threading.MaxThreads,
        });
        var seedOption = OptionLimits.BenchSeed.Attach(new Option<int>("--seed")
        {
            Description = "Seed of the weights and the synthetic data.",
            DefaultValueFactory = _ => 1,
        });
        var jsonOption = new Option<bool>("--json") { Description = "Print one JSON document instead of a table." };
        var gemmOption = new Option<bool>("--gemm")
        {
            Description = "Time the matrix product (squares 64…1024 and the LSTM's products) instead of the shapes.",
        };
        var onnxOption = new Option<string?>("--onnx")
        {
            Description = "Write the one inference shape's model (the weights it times) as ONNX to this file, and a check batch with Recur's output next to it (FILE.check.safetensors), for the ONNX Runtime peer; times nothing.",
        };
        var inProcessOption = new Option<bool>("--in-process")
        {
            Description = "Run every shape in this process; by default each runs in a fresh child process so its peak RSS is its own.",
        };

        var command = new Command("bench", "Measure LSTM and GRU training and inference throughput on synthetic data (samples/s, GFLOP/s, peak memory).")
        {
            shapeOption, batchesOption, warmupOption, threadsOption, seedOption, jsonOption, gemmOption, onnxOption, inProcessOption,
        };
        command.SetAction(parse =>
        {
            TextWriter output = parse.InvocationConfiguration.Output;
            TextWriter error = parse.InvocationConfiguration.Error;
            int batches = parse.GetValue(batchesOption);
            int warmup = parse.GetValue(warmupOption);
            int threads = parse.GetValue(threadsOption);
            string? problem = null; // the numbers were checked when parsed (OptionLimits)
            List<BenchShape> shapes = ParseShapes(parse.GetValue(shapeOption), ref problem);
            string? onnx = parse.GetValue(onnxOption);
            if (onnx is not null && problem is null)
            {
                problem = shapes.Count != 1 || parse.GetValue(shapeOption) is null or { Length: 0 }
                    ? $"--onnx {onnx}: give exactly one inference shape with --shape (got {shapes.Count})."
                    : BenchOnnx.Problem(shapes[0]);
            }

            if (problem is not null)
            {
                error.WriteLine($"recur bench: {problem} Run 'recur bench --help' for the options.");
                return ExitCodes.Usage;
            }

            Threading.MaxThreads = threads;
            if (onnx is not null)
            {
                return WriteOnnx(shapes[0], (ulong)parse.GetValue(seedOption), onnx, output, error);
            }

            if (parse.GetValue(gemmOption))
            {
                WriteGemm(output, threads, parse.GetValue(jsonOption));
                return ExitCodes.Ok;
            }

            var results = new List<BenchResult>();
            foreach (BenchShape shape in shapes)
            {
                if (parse.GetValue(inProcessOption))
                {
                    results.Add(BenchRunner.Run(shape, batches, warmup, (ulong)parse.GetValue(seedOption)));
                }
                else
                {
                    BenchResult? result = RunChild(shape, batches, warmup, threads, parse.GetValue(seedOption), error);
                    if (result is null)
                    {
                        return ExitCodes.Failed;
                    }

                    results.Add(result);
                }
            }

            var document = new BenchDocument("recur", Version(), results);
            if (parse.GetValue(jsonOption))
            {
                output.WriteLine(JsonSerializer.Serialize(document, Json));
            }
            else
            {
                WriteTable(output, document, threads);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    /// <summary>Writes the model and check file of <paramref name="shape"/> (<see cref="BenchOnnx.Write"/>); an unwritable path is one line.</summary>
    private static int WriteOnnx(BenchShape shape, ulong seed, string path, TextWriter output, TextWriter error)
    {
        try
        {
            BenchOnnx.Write(shape, seed, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"recur bench: --onnx {path}: cannot write it ({e.Message}); give a path in a writable folder.");
            return ExitCodes.Failed;
        }

        output.WriteLine($"recur bench: wrote {shape.Name}'s model to {path} and a check batch with Recur's output to {BenchOnnx.CheckPath(path)}");
        return ExitCodes.Ok;
    }

    private static List<BenchShape> ParseShapes(string[]? values, ref string? problem)
    {
        var shapes = new List<BenchShape>();
        if (values is null || values.Length == 0)
        {
            shapes.AddRange(BenchShape.All);
            return shapes;
        }

        foreach (string value in values)
        {
            foreach (string name in value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                BenchShape? shape = BenchShape.Find(name);
                if (shape is null)
                {
                    problem ??= $"--shape {name}: unknown shape; choose from {string.Join(", ", NamesOf(BenchShape.All))}.";
                }
                else
                {
                    shapes.Add(shape);
                }
            }
        }

        return shapes;
    }

    private static IEnumerable<string> NamesOf(IReadOnlyList<BenchShape> shapes)
    {
        foreach (BenchShape shape in shapes)
        {
            yield return shape.Name;
        }
    }

    /// <summary>Runs one shape in a fresh copy of this program (<c>--in-process --json</c>) and reads its result.</summary>
    private static BenchResult? RunChild(BenchShape shape, int batches, int warmup, int threads, int seed, TextWriter error)
    {
        string self = Environment.ProcessPath ?? "dotnet";
        var start = new ProcessStartInfo(self)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Under `dotnet Recur.Cli.dll` the process is the host; the program is the assembly.
        if (string.Equals(Path.GetFileNameWithoutExtension(self), "dotnet", StringComparison.OrdinalIgnoreCase))
        {
            start.ArgumentList.Add(typeof(BenchCommand).Assembly.Location);
        }

        foreach (string arg in new[]
        {
            "bench", "--in-process", "--json", "--shape", shape.Name,
            "--batches", batches.ToString(CultureInfo.InvariantCulture),
            "--warmup", warmup.ToString(CultureInfo.InvariantCulture),
            "--threads", threads.ToString(CultureInfo.InvariantCulture),
            "--seed", seed.ToString(CultureInfo.InvariantCulture),
        })
        {
            start.ArgumentList.Add(arg);
        }

        using Process child = Process.Start(start) ?? throw new InvalidOperationException($"recur bench: could not start {self}.");
        Task<string> errorText = child.StandardError.ReadToEndAsync();
        string text = child.StandardOutput.ReadToEnd();
        child.WaitForExit();
        if (child.ExitCode != 0)
        {
            error.WriteLine($"recur bench: shape {shape.Name} failed (exit code {child.ExitCode}): {errorText.Result.Trim()}");
            return null;
        }

        BenchDocument? document = JsonSerializer.Deserialize<BenchDocument>(text, Json);
        return document?.Results.Count == 1
            ? document.Results[0]
            : throw new InvalidOperationException($"recur bench: the child run of {shape.Name} printed no result: {text}");
    }

    /// <summary>The library's informational version (<c>0.1.0-dev.N+commit</c>, from the git history at build time).</summary>
    private static string Version() =>
        typeof(Threading).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "unknown";

    private static void WriteTable(TextWriter output, BenchDocument document, int threads)
    {
        output.WriteLine($"Recur {document.Version}, {threads} threads, {Environment.ProcessorCount} cores, .NET {Environment.Version}");
        output.WriteLine($"{"shape",-14} {"mode",-5} {"samples/s",10} {"ms/batch",9} {"GFLOP/s",8} {"peak RSS MiB",12}");
        foreach (BenchResult r in document.Results)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Shape,-14} {r.Mode,-5} {r.SamplesPerS,10:F0} {r.MsPerBatch,9:F2} {r.Gflops,8:F1} {r.PeakRssMib,12:F0}"));
        }
    }

    private static void WriteGemm(TextWriter output, int threads, bool json)
    {
        double peak1 = BenchGemm.FmaPeakGflops(1);
        double peakN = threads == 1 ? peak1 : BenchGemm.FmaPeakGflops(threads);
        IReadOnlyList<BenchGemm.Row> rows = BenchGemm.Measure(threads);
        if (json)
        {
            output.WriteLine(JsonSerializer.Serialize(new { Threads = threads, PeakGflops1 = peak1, PeakGflopsN = peakN, Rows = rows }, Json));
            return;
        }

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sgemm peak (fused multiply-adds from registers, {BenchGemm.Lanes} lanes): {peak1:F0} GFLOP/s on 1 thread, {peakN:F0} on {threads}"));
        output.WriteLine($"{"product",-30} {"m",5} {"n",5} {"k",5} {"1 thread",9} {"% peak",6} {threads + " threads",10} {"% peak",6}");
        foreach (BenchGemm.Row r in rows)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{r.Name,-30} {r.M,5} {r.N,5} {r.K,5} {r.Gflops1,9:F1} {100 * r.Gflops1 / peak1,6:F0} {r.GflopsN,10:F1} {100 * r.GflopsN / peakN,6:F0}"));
        }
    }
}
