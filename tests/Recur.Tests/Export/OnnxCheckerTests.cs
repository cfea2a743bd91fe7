using System.Diagnostics;
using Recur.Export;
using Xunit.Abstractions;

namespace Recur.Tests.Export;

/// <summary>
/// <c>tools/check_onnx.py</c> (onnx.checker with full_check, Debian's python3-onnx 1.12) on every case's export: plain,
/// with lengths or with states in turn. Without the onnx module (install python3-onnx; .ci/run does) the test says so and checks nothing.
/// </summary>
public class OnnxCheckerTests(ITestOutputHelper output)
{
    private const string Python = "/usr/bin/python3";

    [Fact]
    public void EveryExportPassesOnnxChecker()
    {
        if (!File.Exists(Python))
        {
            output.WriteLine($"SKIPPED: no {Python}; onnx.checker was not run.");
            return;
        }

        // Every case once, the three kinds of export taken in turn (one Python process keeps the test fast).
        OnnxExportOptions[] variants = [new(), new() { SequenceLengths = true }, new() { States = true, SequenceLengths = true }];
        string[] suffixes = ["", "_lengths", "_states"];
        using var dir = new TempDirectory();
        var files = new List<string>();
        for (int i = 0; i < OnnxCases.All.Length; i++)
        {
            OnnxCase c = OnnxCases.All[i];
            string path = Path.Combine(dir.Path, $"{c.Name}{suffixes[i % 3]}.onnx");
            OnnxExporter.Save(c.Build(), path, variants[i % 3]);
            files.Add(path);
        }

        // A file cut in half must fail, or the checker proves nothing.
        string cut = Path.Combine(dir.Path, "cut.onnx");
        byte[] bytes = File.ReadAllBytes(files[0]);
        File.WriteAllBytes(cut, bytes[..(bytes.Length / 2)]);

        (int code, string stdout, string stderr) = Run(Path.Combine(RepositoryRoot(), "tools", "check_onnx.py"), [.. files, cut]);
        output.WriteLine(stdout + stderr);
        if (code == 3)
        {
            output.WriteLine($"SKIPPED: {Python} has no onnx module (apt-get install python3-onnx); onnx.checker was not run.");
            return;
        }

        Assert.Equal(1, code);
        string[] lines = stdout.Split('\n');
        Assert.All(files, f => Assert.Contains(lines, l => l.StartsWith($"{f}: ok (IR 8, opset ai.onnx 17, Recur ", StringComparison.Ordinal)));
        Assert.Contains(lines, l => l.StartsWith($"{cut}: FAILED", StringComparison.Ordinal));
    }

    private static (int Code, string Out, string Err) Run(string script, IEnumerable<string> args)
    {
        var start = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(script);
        foreach (string a in args)
        {
            start.ArgumentList.Add(a);
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync(), stderr = process.StandardError.ReadToEndAsync();
        process.WaitForExit();
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    private static string RepositoryRoot()
    {
        for (string? d = AppContext.BaseDirectory; d is not null; d = Path.GetDirectoryName(d))
        {
            if (File.Exists(Path.Combine(d, "Recur.slnx")))
            {
                return d;
            }
        }

        throw new DirectoryNotFoundException($"No Recur.slnx above {AppContext.BaseDirectory}.");
    }
}
