using Recur.Mpi;

namespace Recur.Tests.Cli;

/// <summary>How <c>recur train</c> knows it was started by mpirun: from the launcher's environment alone, with no MPI library loaded.</summary>
public class MpiLaunchTests
{
    [Fact]
    public void OnlyAnMpichLauncherMakesARunDataParallel()
    {
        Assert.Null(MpiLaunch.Detect(_ => null));
        Assert.Equal((1, 4), MpiLaunch.Detect(name => name switch { "PMI_RANK" => "1", "PMI_SIZE" => "4", _ => null }));
        var openMpi = Assert.Throws<InvalidOperationException>(() => MpiLaunch.Detect(name => name == "OMPI_COMM_WORLD_SIZE" ? "2" : null));
        Assert.Contains("install MPICH (apt-get install mpich) and start recur with mpirun.mpich", openMpi.Message);
        var bad = Assert.Throws<InvalidOperationException>(() => MpiLaunch.Detect(name => name switch { "PMI_RANK" => "4", "PMI_SIZE" => "4", _ => null }));
        Assert.Contains("PMI_RANK=4 and PMI_SIZE=4", bad.Message);
    }

    [Fact]
    public void TheLibraryDoesNotReferenceMpi()
    {
        Assert.DoesNotContain(typeof(Recur.Models.Sequential).Assembly.GetReferencedAssemblies(), a => a.Name == "Recur.Mpi");
        Assert.DoesNotContain("libmpich", string.Join(",", System.Diagnostics.Process.GetCurrentProcess().Modules.Cast<System.Diagnostics.ProcessModule>().Select(m => m.ModuleName)));
    }
}
