using System.Globalization;

namespace Traceway.Hosting;

/// <summary>
/// How the app was started: by the Azure Functions host as a custom handler (the host sets
/// FUNCTIONS_CUSTOMHANDLER_PORT), or standalone for a local run and tests.
/// </summary>
internal static class FunctionsHost
{
    public const string PortVariable = "FUNCTIONS_CUSTOMHANDLER_PORT";
    public const int DefaultStandalonePort = 7071;

    public static bool IsActive(IConfiguration configuration) =>
        !string.IsNullOrEmpty(configuration[PortVariable]);

    /// <summary>Listens on loopback only: under the host only the host may call in; standalone it is a local tool.</summary>
    public static WebApplicationBuilder ListenOnLoopback(this WebApplicationBuilder builder)
    {
        var port = ResolvePort(builder.Configuration);
        builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}"));
        return builder;
    }

    internal static int ResolvePort(IConfiguration configuration)
    {
        var (setting, value) = IsActive(configuration)
            ? (PortVariable, configuration[PortVariable])
            : ("Traceway:Port", configuration["Traceway:Port"]);
        if (value is null)
        {
            return DefaultStandalonePort;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new InvalidOperationException($"{setting} must be a TCP port number (0-65535), but is '{value}'.");
        }

        return port;
    }
}
