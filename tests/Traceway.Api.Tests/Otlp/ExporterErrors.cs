using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using System.Globalization;

namespace Traceway.Tests.Otlp;

/// <summary>
/// The warnings and errors of the OpenTelemetry .NET SDK and its exporter while alive: the exporter reports a
/// refused export only there, so a failing test can say why nothing arrived.
/// </summary>
public sealed class ExporterErrors : EventListener
{
    private readonly ConcurrentQueue<string> _messages = new();

    public override string ToString() => _messages.IsEmpty ? "(the exporter reported nothing)" : string.Join(Environment.NewLine, _messages);

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name.StartsWith("OpenTelemetry", StringComparison.Ordinal))
        {
            EnableEvents(eventSource, EventLevel.Warning);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        var message = eventData.Message is { } format && eventData.Payload is { } payload
            ? string.Format(CultureInfo.InvariantCulture, format, [.. payload])
            : eventData.EventName;
        _messages.Enqueue($"{eventData.EventSource.Name}: {message}");
    }
}
