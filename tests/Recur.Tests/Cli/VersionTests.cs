using System.Reflection;
using System.Text.Json;
using System.Text.RegularExpressions;
using Xunit;
using Xunit.Abstractions;

namespace Recur.Tests.Cli;

/// <summary>The build's version (Directory.Build.props: from the git history) is what the library and <c>recur bench</c> report.</summary>
public class VersionTests(ITestOutputHelper log)
{
    private static string InformationalVersion(Assembly assembly) =>
        assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
        ?? throw new InvalidOperationException($"{assembly.GetName().Name} has no AssemblyInformationalVersion.");

    [Fact]
    public void TheLibraryAndTheToolCarryTheBuildsVersion()
    {
        string library = InformationalVersion(typeof(Threading).Assembly);
        string tool = InformationalVersion(typeof(Recur.Cli.Program).Assembly);
        log.WriteLine($"Recur {library}, Recur.Cli {tool}");

        Assert.Equal(library, tool);
        // SemVer 2: 0.1.0-dev.<commits>+<commit id>; never the SDK's default 1.0.0 that a stale NuGet cache would keep.
        Assert.Matches(new Regex(@"^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.]+)?(\+[0-9A-Za-z.]+)?$"), library);
        Assert.False(library.StartsWith("1.0.0", StringComparison.Ordinal), $"the version is the SDK's default: {library}");
    }

    [Fact]
    public void BenchJsonReportsTheInformationalVersion()
    {
        var (code, output, error) = CliRun.Command(log, "bench", "--in-process", "--json", "--shape", "rows", "--batches", "1", "--warmup", "0", "--threads", "1");
        Assert.True(code == 0, error);

        using JsonDocument document = JsonDocument.Parse(output);
        Assert.Equal(InformationalVersion(typeof(Threading).Assembly), document.RootElement.GetProperty("version").GetString());
    }
}
