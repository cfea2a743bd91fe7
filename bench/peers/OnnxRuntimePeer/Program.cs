using System.Globalization;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using Recur.Cli;

namespace Recur.Bench.OnnxRuntimePeer;

/// <summary>
/// The ONNX Runtime peer of <c>recur bench</c>: times ONNX Runtime running a model Recur exported
/// (<c>recur bench --shape NAME --onnx FILE</c>), on the same batch and thread count, and prints the fields of the
/// other peers. bench/compare.sh runs it for every inference shape.
/// </summary>
internal static class Program
{
    private const string Usage =
        "usage: OnnxRuntimePeer --model FILE [--batches 20] [--warmup 3] [--threads N] [--seed 1] [--json]";

    private static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        WriteIndented = true,
    };

    private static int Main(string[] args)
    {
        string? model = null;
        int batches = 20, warmup = 3, threads = Environment.ProcessorCount, seed = 1;
        bool json = false;
        try
        {
            for (int a = 0; a < args.Length; a++)
            {
                string Value() => a + 1 < args.Length ? args[++a] : throw new PeerException($"{args[a]} needs a value. {Usage}");
                int Number(int min)
                {
                    string option = args[a], text = Value();
                    return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out int n) && n >= min
                        ? n
                        : throw new PeerException($"{option} {text}: give a whole number of at least {min}.");
                }

                switch (args[a])
                {
                    case "--model": model = Value(); break;
                    case "--batches": batches = Number(1); break;
                    case "--warmup": warmup = Number(0); break;
                    case "--threads": threads = Number(1); break;
                    case "--seed": seed = Number(0); break;
                    case "--json": json = true; break;
                    case "--help" or "-h":
                        Console.WriteLine(Usage);
                        return 0;
                    default: throw new PeerException($"{args[a]}: unknown option. {Usage}");
                }
            }

            if (model is null)
            {
                throw new PeerException($"--model is missing. {Usage}");
            }

            if (!File.Exists(model))
            {
                throw new PeerException($"--model {model}: there is no such file; write it with 'recur bench --shape NAME --onnx {model}'.");
            }
        }
        catch (PeerException e)
        {
            Console.Error.WriteLine($"OnnxRuntimePeer: {e.Message}");
            return 2;
        }

        try
        {
            CheckData check = CheckData.Load(model);
            using var timer = new OrtTimer(model, check, threads);
            BenchResult result = timer.Run(batches, warmup, (ulong)seed);
            Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"OnnxRuntimePeer: {check.Shape}: ONNX Runtime against Recur on the check batch, largest difference {result.MaxAbsDiff:G3}"));
            var document = new BenchDocument("onnxruntime", OrtEnv.Instance().GetVersionString(), [result]);
            if (json)
            {
                Console.WriteLine(JsonSerializer.Serialize(document, Json));
            }
            else
            {
                Console.WriteLine($"ONNX Runtime {document.Version}, {threads} intra-op threads");
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{result.Shape} {result.Mode}: {result.SamplesPerS:F0} samples/s, {result.MsPerBatch:F3} ms/batch, {result.Gflops:F1} GFLOP/s, peak RSS {result.PeakRssMib:F0} MiB"));
            }

            return 0;
        }
        catch (Exception e) when (e is PeerException or OnnxRuntimeException or InvalidDataException)
        {
            Console.Error.WriteLine($"OnnxRuntimePeer: {e.Message}");
            return 1;
        }
    }
}
