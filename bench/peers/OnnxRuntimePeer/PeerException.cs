namespace Recur.Bench.OnnxRuntimePeer;

/// <summary>A problem the peer reports in one line (a missing file, a bad option, outputs that disagree with Recur's) before exiting.</summary>
internal sealed class PeerException(string message) : Exception(message);
