namespace Recur.Mpi;

/// <summary>
/// Whether this process was started by an MPI launcher, read from the environment it sets — no MPI library is
/// loaded to find out: MPICH's Hydra (<c>mpirun.mpich</c>, <c>mpiexec.hydra</c>) sets <c>PMI_RANK</c> and
/// <c>PMI_SIZE</c>; Open MPI's <c>mpirun</c> sets <c>OMPI_COMM_WORLD_SIZE</c>.
/// </summary>
public static class MpiLaunch
{
    /// <summary>The rank and size given by an MPICH launcher, or null when the process was not started by one.</summary>
    /// <exception cref="InvalidOperationException">Open MPI started the process (its ABI is not MPICH's), or the launcher's variables are not numbers.</exception>
    public static (int Rank, int Size)? Detect() => Detect(Environment.GetEnvironmentVariable);

    /// <summary><see cref="Detect()"/> over a given environment (tests).</summary>
    internal static (int Rank, int Size)? Detect(Func<string, string?> environment)
    {
        if (environment("OMPI_COMM_WORLD_SIZE") is not null)
        {
            throw new InvalidOperationException(
                "this process was started by Open MPI's mpirun, whose ABI Recur does not speak; install MPICH (apt-get install mpich) and start recur with mpirun.mpich.");
        }

        string? rank = environment("PMI_RANK"), size = environment("PMI_SIZE");
        if (rank is null || size is null)
        {
            return null;
        }

        if (!int.TryParse(rank, out int r) || !int.TryParse(size, out int n) || n < 1 || r < 0 || r >= n)
        {
            throw new InvalidOperationException($"the MPI launcher set PMI_RANK={rank} and PMI_SIZE={size}, which are not a rank and a size; start recur with mpirun.mpich -np N.");
        }

        return (r, n);
    }
}
