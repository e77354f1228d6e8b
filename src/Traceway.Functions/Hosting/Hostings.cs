using System.Globalization;
using Traceway.Dashboard;
using Traceway.Deletion;
using Traceway.Erasure;
using Traceway.Documents;
using Traceway.Health;
using Traceway.Ingestion;
using Traceway.Ingestion.Otlp;
using Traceway.Models;
using Traceway.Projects;
using Traceway.Rollups;
using Traceway.Sessions;
using Traceway.Storage;
using Traceway.Telemetry;
using Traceway.Traces;

namespace Traceway.Hosting;

/// <summary>
/// The two thin hostings of one set of handlers. Under the Azure Functions host (Azure, <c>func start</c>) the
/// isolated worker serves the <c>[Function]</c> classes; otherwise (local run, tests, benchmark) a standalone
/// ASP.NET Core app maps the same handlers. Both register the same services, including the change feed processor.
/// </summary>
internal static class Hostings
{
    public const int DefaultStandalonePort = 7071;

    /// <summary>
    /// <c>Traceway:ChangeFeed:Enabled</c> (default on) decides whether this instance hosts the change feed processor;
    /// off only for an instance that must take no rollup work (tests, a read-only replica). Read at start-up.
    /// </summary>
    public const string ChangeFeedSetting = "Traceway:ChangeFeed:Enabled";

    /// <summary>
    /// The host starts the worker with <c>--functions-uri</c> (the worker's <c>Functions:Worker:HostEndpoint</c>);
    /// without it the worker would exit at once, so the app runs standalone instead.
    /// </summary>
    public static bool IsStartedByFunctionsHost(string[] args) =>
        args.Any(a => a.StartsWith("--functions-uri", StringComparison.Ordinal))
        || !string.IsNullOrEmpty(Environment.GetEnvironmentVariable("Functions__Worker__HostEndpoint"));

    /// <summary>Everything Traceway needs, the same in both hostings.</summary>
    public static IServiceCollection AddTraceway(this IServiceCollection services, IConfiguration configuration)
    {
        services.ConfigureHttpJsonOptions(o => TracewayJson.Apply(o.SerializerOptions));
        services.AddProblemDetails();
        services.AddSingleton<StoreFaultHandler>();
        services.AddSingleton(TimeProvider.System);
        services.AddTracewayStorage(configuration);
        services.AddTracewayHealth();
        services.AddProjects();
        services.AddModels();
        services.AddDocuments();
        services.AddTraces();
        services.AddIngestion();
        services.AddRollups();
        if (RunsChangeFeed(configuration))
        {
            services.AddChangeFeedRollups();
        }

        services.AddTracewayTelemetry(configuration, rollupsRun: RunsChangeFeed(configuration));

        services.AddSessions();
        services.AddDeletion();
        services.AddErasure(configuration);
        services.AddDashboard();
        services.AddTracewayOpenApi();
        services.AddSingleton<DescribedRouteTable>();
        return services;
    }

    /// <summary>
    /// The route table: every endpoint of the API, then the dashboard's catch-all. Standalone serves it; the <c>[Function]</c> classes expose the
    /// same routes to the Functions host (a test holds the published functions.metadata to this table).
    /// </summary>
    public static IEndpointRouteBuilder MapTraceway(this IEndpointRouteBuilder app)
    {
        app.MapHealth();
        app.MapTracewayOpenApi();
        app.MapProjects();
        app.MapRebuildSummaries();
        app.MapIngest();
        app.MapOtlp();
        app.MapTraces();
        app.MapSessions();
        app.MapDeletion();
        app.MapErasure();
        app.MapDashboard();
        return app;
    }

    /// <summary>Standalone: the app, listening on 127.0.0.1 only (a local tool), at <c>Traceway:Port</c>.</summary>
    public static WebApplication BuildStandalone(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        builder.WebHost.UseUrls(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{StandalonePort(builder.Configuration)}"));
        builder.Services.AddTraceway(builder.Configuration);
        builder.Services.AddExceptionHandler<StoreFaultHandler>();

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseApiKeys();
        app.MapTraceway();
        return app;
    }

    internal static bool RunsChangeFeed(IConfiguration configuration) => configuration.GetValue(ChangeFeedSetting, defaultValue: true);

    internal static int StandalonePort(IConfiguration configuration)
    {
        var value = configuration["Traceway:Port"];
        if (value is null)
        {
            return DefaultStandalonePort;
        }

        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
        {
            throw new InvalidOperationException($"Traceway:Port must be a TCP port number (0-65535), but is '{value}'.");
        }

        return port;
    }
}
