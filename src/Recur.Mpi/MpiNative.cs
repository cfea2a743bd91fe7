using System.Reflection;
using System.Runtime.InteropServices;

namespace Recur.Mpi;

/// <summary>
/// The MPI calls Recur makes, bound to MPICH's ABI (MPICH 3.1 and later, Intel MPI, MVAPICH: handles are 32-bit
/// integers with the constants below, from MPICH's <c>mpi.h</c>). Open MPI's ABI differs (its handles are pointers),
/// so it is refused before any call (<see cref="MpiLaunch"/>). The library is resolved at the first call:
/// <c>libmpich.so.12</c>, else <c>libmpi.so.12</c>.
/// </summary>
internal static partial class MpiNative
{
    public const string Library = "libmpich.so.12";
    public const int Success = 0;
    public const int CommWorld = 0x44000000;
    public const int Byte = 0x4c00010d;
    public const int Float = 0x4c00040a;
    public const int Double = 0x4c00080b;
    public const int ErrorsReturn = 0x54000001;
    public const int ThreadFunneled = 1;
    public const int ThreadMultiple = 3;
    public const int MaxErrorString = 512;

    static MpiNative()
    {
        NativeLibrary.SetDllImportResolver(typeof(MpiNative).Assembly, Resolve);
    }

    [LibraryImport(Library)]
    public static partial int MPI_Init_thread(IntPtr argc, IntPtr argv, int required, out int provided);

    [LibraryImport(Library)]
    public static partial int MPI_Initialized(out int flag);

    [LibraryImport(Library)]
    public static partial int MPI_Finalized(out int flag);

    [LibraryImport(Library)]
    public static partial int MPI_Comm_rank(int comm, out int rank);

    [LibraryImport(Library)]
    public static partial int MPI_Comm_size(int comm, out int size);

    [LibraryImport(Library)]
    public static partial int MPI_Comm_set_errhandler(int comm, int errhandler);

    [LibraryImport(Library)]
    public static unsafe partial int MPI_Alltoall(void* sendbuf, int sendcount, int sendtype, void* recvbuf, int recvcount, int recvtype, int comm);

    [LibraryImport(Library)]
    public static unsafe partial int MPI_Allgather(void* sendbuf, int sendcount, int sendtype, void* recvbuf, int recvcount, int recvtype, int comm);

    [LibraryImport(Library)]
    public static unsafe partial int MPI_Bcast(void* buffer, int count, int datatype, int root, int comm);

    [LibraryImport(Library)]
    public static partial int MPI_Abort(int comm, int errorcode);

    [LibraryImport(Library)]
    public static partial int MPI_Finalize();

    [LibraryImport(Library)]
    public static unsafe partial int MPI_Error_string(int errorcode, byte* text, out int length);

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Library)
        {
            return IntPtr.Zero;
        }

        foreach (string candidate in new[] { Library, "libmpi.so.12" })
        {
            if (NativeLibrary.TryLoad(candidate, assembly, path, out IntPtr handle))
            {
                return handle;
            }
        }

        throw new DllNotFoundException(
            $"recur: the process was started by mpirun but no MPICH library ({Library}) could be loaded; install MPICH on this host (apt-get install mpich) or run without mpirun.");
    }
}
