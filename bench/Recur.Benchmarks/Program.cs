using BenchmarkDotNet.Running;

namespace Recur.Benchmarks;

/// <summary>
/// BenchmarkDotNet micro-benchmarks of Recur's kernels: <c>dotnet run -c Release --project bench/Recur.Benchmarks -- --filter '*'</c>
/// (or <c>--filter '*Gemm*'</c>, <c>'*Lstm*'</c>). Whole-model throughput against PyTorch is <c>recur bench</c> and bench/compare.sh.
/// </summary>
public static class Program
{
    /// <summary>Runs the benchmarks the arguments select.</summary>
    public static void Main(string[] args) => BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
}
