using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using Azure.Core;
using Azure.Identity;
using Azure.Storage.Blobs;
using Microsoft.Azure.Cosmos;
using Microsoft.Extensions.Options;
using Traceway.Hosting;

namespace Traceway.Storage;

internal static class StorageServiceCollectionExtensions
{
    /// <summary>Cosmos DB and Blob clients from validated options; a wrong setting fails start-up naming it.</summary>
    public static IServiceCollection AddTracewayStorage(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CosmosOptions>().BindConfiguration(CosmosOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<BlobOptions>().BindConfiguration(BlobOptions.Section).ValidateDataAnnotations()
            .Validate(o => o.HasExactlyOneAccount, "Set exactly one of Traceway:Blob:ConnectionString (Azurite locally) or Traceway:Blob:ServiceUri (Azure, managed identity).")
            .ValidateOnStart();
        services.AddOptions<ProvisioningOptions>().BindConfiguration("Traceway");

        // DefaultAzureCredential picks the managed identity in Azure (AZURE_CLIENT_ID selects a user-assigned one).
        services.AddSingleton<TokenCredential>(_ => new DefaultAzureCredential());
        services.AddSingleton(CreateCosmosClient);
        services.AddSingleton(CreateBlobServiceClient);
        services.AddSingleton<TracewayStores>();
        services.AddSingleton<StoreRetry>();
        services.AddSingleton(provider => PageCursor.ForDeployment(provider.GetRequiredService<IConfiguration>()));

        if (configuration.GetValue<bool>("Traceway:ProvisionStorage"))
        {
            services.AddHostedService<StorageProvisioning>();
        }

        return services;
    }

    private static CosmosClient CreateCosmosClient(IServiceProvider services) =>
        CreateCosmosClient(
            services.GetRequiredService<IOptions<CosmosOptions>>().Value,
            services.GetRequiredService<TokenCredential>,
            services.GetServices<RequestHandler>());

    /// <summary>The one way a Cosmos client is made, by the app and by the emulator compatibility tests.</summary>
    internal static CosmosClient CreateCosmosClient(CosmosOptions options, Func<TokenCredential> credential, IEnumerable<RequestHandler> handlers)
    {
        var clientOptions = new CosmosClientOptions
        {
            UseSystemTextJsonSerializerWithOptions = TracewayJson.Options,
            ApplicationName = "traceway",
            MaxRetryWaitTimeOnRateLimitedRequests = TimeSpan.FromSeconds(options.MaxThrottleRetrySeconds),
        };

        // Seams for tests and diagnostics (fault injection, request counting) join the SDK pipeline here.
        foreach (var handler in handlers)
        {
            clientOptions.CustomHandlers.Add(handler);
        }

        if (options.IsLoopback)
        {
            // The local emulator speaks the gateway protocol only, from one address, with a self-signed
            // certificate, which is trusted for a loopback peer and nowhere else.
            clientOptions.ConnectionMode = ConnectionMode.Gateway;
            clientOptions.LimitToEndpoint = true;
            clientOptions.HttpClientFactory = () => new HttpClient(new SocketsHttpHandler
            {
                SslOptions = new SslClientAuthenticationOptions { RemoteCertificateValidationCallback = AcceptLoopbackEmulator },
            });
        }

        var endpoint = options.AccountEndpoint!.ToString();
        return string.IsNullOrEmpty(options.Key)
            ? new CosmosClient(endpoint, credential(), clientOptions)
            : new CosmosClient(endpoint, options.Key, clientOptions);
    }

    private static bool AcceptLoopbackEmulator(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors) =>
        errors == SslPolicyErrors.None || (sender is SslStream stream && IsLoopbackHost(stream.TargetHostName));

    private static bool IsLoopbackHost(string host) =>
        string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase) || (IPAddress.TryParse(host, out var address) && IPAddress.IsLoopback(address));

    private static BlobServiceClient CreateBlobServiceClient(IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptions<BlobOptions>>().Value;
        return string.IsNullOrWhiteSpace(options.ConnectionString)
            ? new BlobServiceClient(options.ServiceUri, services.GetRequiredService<TokenCredential>())
            : new BlobServiceClient(options.ConnectionString);
    }
}
