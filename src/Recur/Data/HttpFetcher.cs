using System.Net;

namespace Recur.Data;

/// <summary>
/// Downloads whole files into memory with short timeouts, and remembers mirrors that could not be
/// reached so the remaining files do not wait on them again.
/// </summary>
internal sealed class HttpFetcher : IDisposable
{
    /// <summary>No file of these data sets is near this size; a larger answer is not one of them.</summary>
    private const long MaxBytes = 256L << 20;

    private readonly HttpClient _client;
    private readonly string _limits;
    private readonly HashSet<string> _deadHosts = new(StringComparer.OrdinalIgnoreCase);

    public HttpFetcher(MnistOptions options)
    {
        HttpMessageHandler handler = options.HttpHandler ?? new SocketsHttpHandler
        {
            ConnectTimeout = options.ConnectTimeout,
            AutomaticDecompression = DecompressionMethods.None,
        };
        _limits = options.HttpHandler is null
            ? $"limits: {FormatSeconds(options.ConnectTimeout)} to connect, {FormatSeconds(options.DownloadTimeout)} for the whole file"
            : $"limit: {FormatSeconds(options.DownloadTimeout)} for the whole file";
        _client = new HttpClient(handler, disposeHandler: options.HttpHandler is null)
        {
            Timeout = options.DownloadTimeout,
            MaxResponseContentBufferSize = MaxBytes,
        };
    }

    /// <summary>True when an earlier request to the host of <paramref name="mirror"/> failed to connect or timed out.</summary>
    public bool IsDead(Uri mirror) => _deadHosts.Contains(mirror.Authority);

    /// <summary>
    /// The body of <paramref name="uri"/>, or null with <paramref name="failure"/> saying why
    /// (an HTTP status, a connection error or a timeout; the latter two mark the host dead).
    /// </summary>
    public byte[]? TryGet(Uri uri, out string failure)
    {
        try
        {
            // Async handlers are the common case (and the only one custom handlers must implement);
            // run them off any synchronization context so blocking here cannot deadlock.
            byte[]? body = Task.Run(() => GetAsync(uri)).GetAwaiter().GetResult();
            failure = string.Empty;
            return body;
        }
        catch (HttpStatusException e)
        {
            failure = e.Message;
        }
        catch (HttpRequestException e)
        {
            _deadHosts.Add(uri.Authority);
            failure = $"cannot connect ({e.Message})";
        }
        catch (OperationCanceledException)
        {
            _deadHosts.Add(uri.Authority);
            failure = $"timed out ({_limits})";
        }

        return null;
    }

    public void Dispose() => _client.Dispose();

    private async Task<byte[]> GetAsync(Uri uri)
    {
        using HttpResponseMessage response = await _client.GetAsync(uri, HttpCompletionOption.ResponseContentRead).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpStatusException($"HTTP {(int)response.StatusCode} {response.ReasonPhrase}");
        }

        return await response.Content.ReadAsByteArrayAsync().ConfigureAwait(false);
    }

    private static string FormatSeconds(TimeSpan t) => $"{t.TotalSeconds:0.###} s";

    /// <summary>The server answered, but not with the file: the mirror stays in use for other files.</summary>
    private sealed class HttpStatusException(string message) : Exception(message);
}
