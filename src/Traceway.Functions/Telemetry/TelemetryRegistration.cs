using Azure.Identity;
using Azure.Monitor.OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Traceway.Telemetry;

internal static class TelemetryRegistration
{
    /// <summary>
    /// The OpenTelemetry SDK for Traceway's own meter and activity source (and ASP.NET Core's server spans), exported
    /// to Application Insights with the app's managed identity when <c>APPLICATIONINSIGHTS_CONNECTION_STRING</c> is set
    /// (Bicep sets it), over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is, and to the console when
    /// <c>Traceway:Telemetry:Console</c> is true. With none, instruments still count (tests read them in memory).
    /// </summary>
    public static IServiceCollection AddTracewayTelemetry(this IServiceCollection services, IConfiguration configuration, bool rollupsRun)
    {
        services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddSingleton<TracewayTelemetry>();
        if (rollupsRun)
        {
            services.AddSingleton<RollupLag>();
        }

        var applicationInsights = configuration["APPLICATIONINSIGHTS_CONNECTION_STRING"];
        var otlp = configuration["OTEL_EXPORTER_OTLP_ENDPOINT"];
        var console = configuration.GetValue<bool>($"{TelemetryOptions.Section}:Console");
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService("traceway"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(TracewayTelemetry.Name);
                if (!string.IsNullOrEmpty(applicationInsights))
                {
                    metrics.AddAzureMonitorMetricExporter(exporter => UseIdentity(exporter, applicationInsights));
                }

                if (!string.IsNullOrEmpty(otlp))
                {
                    metrics.AddOtlpExporter();
                }

                if (console)
                {
                    metrics.AddConsoleExporter();
                }
            })
            .WithTracing(tracing =>
            {
                tracing.AddSource(TracewayTelemetry.Name).AddAspNetCoreInstrumentation();
                if (!string.IsNullOrEmpty(applicationInsights))
                {
                    tracing.AddAzureMonitorTraceExporter(exporter => UseIdentity(exporter, applicationInsights));
                }

                if (!string.IsNullOrEmpty(otlp))
                {
                    tracing.AddOtlpExporter();
                }

                if (console)
                {
                    tracing.AddConsoleExporter();
                }
            });
        return services;
    }

    // Application Insights has local authentication off (Bicep): telemetry is sent with the app's managed identity.
    // DefaultAzureCredential picks the managed identity in Azure (AZURE_CLIENT_ID selects the user-assigned one).
    private static void UseIdentity(AzureMonitorExporterOptions exporter, string connectionString)
    {
        exporter.ConnectionString = connectionString;
        exporter.Credential = new DefaultAzureCredential();
    }
}
