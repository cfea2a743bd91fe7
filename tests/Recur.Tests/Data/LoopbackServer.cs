using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Recur.Tests.Data;

/// <summary>
/// A tiny HTTP/1.1 server on 127.0.0.1 (a free port) for fetch tests: serves registered paths with 200,
/// stalls on registered paths (never answers), and answers 404 to everything else. One request per
/// connection.
/// </summary>
internal sealed class LoopbackServer : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly ConcurrentDictionary<string, byte[]> _files = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, bool> _stalled = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public LoopbackServer()
    {
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _loop = Task.Run(AcceptLoop);
    }

    public int Port { get; }

    /// <summary>Every request path received, in order.</summary>
    public ConcurrentQueue<string> Requests { get; } = new();

    /// <summary>The base address of a folder on this server.</summary>
    public Uri Folder(string folder) => new($"http://127.0.0.1:{Port}/{folder}/");

    public void Serve(string path, byte[] body) => _files[path] = body;

    public void Stall(string path) => _stalled[path] = true;

    /// <summary>A loopback address where nothing listens (connections are refused at once).</summary>
    public static Uri ClosedPort()
    {
        var probe = new TcpListener(IPAddress.Loopback, 0);
        probe.Start();
        int port = ((IPEndPoint)probe.LocalEndpoint).Port;
        probe.Stop();
        return new Uri($"http://127.0.0.1:{port}/closed/");
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        try
        {
            _loop.Wait(TimeSpan.FromSeconds(5));
        }
        catch (AggregateException)
        {
        }

        _stop.Dispose();
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try
            {
                client = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }

            _ = Task.Run(() => Handle(client));
        }
    }

    private async Task Handle(TcpClient client)
    {
        using (client)
        {
            try
            {
                NetworkStream stream = client.GetStream();
                string head = await ReadHead(stream);
                string path = head.Split(' ') is [_, string target, ..] ? target : "/";
                Requests.Enqueue(path);
                if (_stalled.ContainsKey(path))
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }

                bool found = _files.TryGetValue(path, out byte[]? body);
                body ??= Encoding.ASCII.GetBytes("not here");
                string status = found ? "200 OK" : "404 Not Found";
                byte[] header = Encoding.ASCII.GetBytes(
                    $"HTTP/1.1 {status}\r\nContent-Type: application/octet-stream\r\nContent-Length: {body.Length}\r\nConnection: close\r\n\r\n");
                await stream.WriteAsync(header, _stop.Token);
                await stream.WriteAsync(body, _stop.Token);
            }
            catch (Exception e) when (e is IOException or OperationCanceledException or SocketException)
            {
            }
        }
    }

    private async Task<string> ReadHead(NetworkStream stream)
    {
        var head = new StringBuilder();
        var one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal) && await stream.ReadAsync(one, _stop.Token) == 1)
        {
            head.Append((char)one[0]);
        }

        return head.ToString();
    }
}
