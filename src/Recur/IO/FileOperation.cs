namespace Recur.IO;

/// <summary>The kinds of step <see cref="FileOperations"/> takes.</summary>
internal enum FileOperation
{
    CreateDirectory,
    WriteFile,
    MoveDirectory,
    ReplaceFile,
    DeleteDirectory,
    DeleteFile,
}
