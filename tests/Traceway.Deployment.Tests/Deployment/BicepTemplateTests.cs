using System.Text.Json.Nodes;
using Traceway.Storage;

namespace Traceway.Tests.Deployment;

/// <summary>
/// infra/: the Bicep templates build and lint clean with the pinned CLI, offline, and agree with what the
/// app and the function folders expect (containers, app settings, identity-only access).
/// </summary>
public sealed class BicepTemplateTests
{
    private const string Containers = "Microsoft.DocumentDB/databaseAccounts/sqlDatabases/containers";
    private const string AppSettings = "Microsoft.Web/sites/config";

    [Fact]
    public async Task Bicep_build_compiles_main_bicep_with_no_error_and_no_warning()
    {
        var run = await BicepCli.RunAsync(["build", "main.bicep", "--stdout"]);

        Assert.True(run.ExitCode == 0, run.Diagnostics);
        Assert.True(run.Diagnostics.Length == 0, "bicep build reported: " + run.Diagnostics);
    }

    [Theory]
    [InlineData("main.bicep")]
    [InlineData("main.bicepparam")]
    public async Task Bicep_lint_finds_nothing(string file)
    {
        var run = await BicepCli.RunAsync(["lint", file], new Dictionary<string, string?> { ["TRACEWAY_ADMIN_KEY"] = "lint-only-not-a-key" });

        Assert.True(run.ExitCode == 0, run.Diagnostics);
        Assert.True(run.Diagnostics.Length == 0, "bicep lint reported: " + run.Diagnostics);
    }

    [Fact]
    public async Task The_linter_configuration_makes_an_outdated_API_version_an_error()
    {
        // The repository's bicepconfig.json beside a template that uses a years-old API version.
        var folder = Directory.CreateTempSubdirectory("traceway-bicep-").FullName;
        try
        {
            File.Copy(Path.Combine(BicepCli.Infra, "bicepconfig.json"), Path.Combine(folder, "bicepconfig.json"));
            var template = Path.Combine(folder, "old.bicep");
            await File.WriteAllTextAsync(template, """
                param location string
                resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2018-11-30' = {
                  name: 'id-old'
                  location: location
                }
                """);

            var run = await BicepCli.RunAsync(["lint", template]);

            Assert.NotEqual(0, run.ExitCode);
            Assert.Contains("Error use-recent-api-versions", run.Diagnostics, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public async Task The_dev_parameters_take_the_admin_key_from_the_environment_and_refuse_to_build_without_it()
    {
        var unset = await BicepCli.RunAsync(["build-params", "main.bicepparam", "--stdout"], new Dictionary<string, string?> { ["TRACEWAY_ADMIN_KEY"] = null });
        var set = await BicepCli.RunAsync(["build-params", "main.bicepparam", "--stdout"], new Dictionary<string, string?> { ["TRACEWAY_ADMIN_KEY"] = "from-the-environment" });

        Assert.NotEqual(0, unset.ExitCode);
        Assert.Contains("TRACEWAY_ADMIN_KEY", unset.Diagnostics, StringComparison.Ordinal);
        Assert.True(set.ExitCode == 0, set.Diagnostics);
        var parameters = JsonNode.Parse((string)JsonNode.Parse(set.Stdout)!["parametersJson"]!)!["parameters"]!;
        Assert.Equal("from-the-environment", (string?)parameters["adminKey"]!["value"]);
    }

    [Fact]
    public void No_template_references_a_registry_module_which_would_need_the_network()
    {
        var offenders = Directory.EnumerateFiles(BicepCli.Infra, "*.bicep*", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f).Contains("'br", StringComparison.Ordinal) || File.ReadAllText(f).Contains("'ts:", StringComparison.Ordinal))
            .ToList();

        Assert.Empty(offenders);
    }

    [Fact]
    public async Task Bicep_creates_the_database_and_containers_the_app_creates_locally_with_the_same_partition_keys_and_indexing()
    {
        var compiled = await BicepCli.CompiledMainAsync();
        var (database, databaseTemplate) = ArmTemplate.Single(compiled, "Microsoft.DocumentDB/databaseAccounts/sqlDatabases");
        var (containers, template) = ArmTemplate.Single(compiled, Containers);
        var count = (int)ArmTemplate.Evaluate(containers["copy"]!["count"], template)!;

        var deployed = Enumerable.Range(0, count).Select(i =>
        {
            var resource = containers["properties"]!["resource"]!;
            return (
                Name: (string)ArmTemplate.Evaluate(resource["id"], template, i)!,
                PartitionKey: (string)ArmTemplate.Evaluate(resource["partitionKey"]!["paths"]![0], template, i)!,
                Indexing: ArmTemplate.Evaluate(resource["indexingPolicy"], template, i)!.ToJsonString());
        }).ToList();
        var local = CosmosSchema.Current.Containers
            .Select(c => (c.Name, PartitionKey: c.PartitionKeyPath, Indexing: JsonNode.Parse(c.IndexingPolicyJson.GetRawText())!.ToJsonString()))
            .ToList();

        Assert.Equal(CosmosSchema.Current.DatabaseName, (string)ArmTemplate.Evaluate(database["properties"]!["resource"]!["id"], databaseTemplate)!);
        Assert.Equal(local, deployed);
    }

    [Fact]
    public async Task The_trace_data_containers_have_time_to_live_on_with_no_default_so_only_items_with_a_projects_ttl_expire()
    {
        var compiled = await BicepCli.CompiledMainAsync();
        var (containers, _) = ArmTemplate.Single(compiled, Containers);
        var defaultTtl = (string?)containers["properties"]!["resource"]!["defaultTtl"];

        Assert.Equal(
            [("traces", -1), ("summaries", -1), ("projects", null), ("traceIndex", -1), ("leases", null)],
            CosmosSchema.Current.Containers.Select(c => (c.Name, c.DefaultTimeToLive)));
        // Bicep takes the file's value (with retentionDays 0, main.bicep's default), or the deployment-wide retention in
        // seconds for the containers that expire at all.
        Assert.Equal(
            "[if(equals(variables('schema').containers[copyIndex()].defaultTimeToLive, null()), null(), if(greater(parameters('retentionDays'), 0), mul(parameters('retentionDays'), 86400), variables('schema').containers[copyIndex()].defaultTimeToLive))]",
            defaultTtl);
        Assert.Equal(0, (int)compiled["parameters"]!["retentionDays"]!["defaultValue"]!);
    }

    [Fact]
    public async Task A_lifecycle_rule_deletes_payload_blobs_after_the_deployment_wide_retention_and_only_when_it_is_set()
    {
        var compiled = await BicepCli.CompiledMainAsync();
        var (policy, _) = ArmTemplate.Single(compiled, "Microsoft.Storage/storageAccounts/managementPolicies");
        var (storageModule, _) = ArmTemplate.Resources(compiled, "Microsoft.Resources/deployments")
            .Single(d => d.Resource["properties"]?["template"]?["resources"]?.ToJsonString().Contains("managementPolicies", StringComparison.Ordinal) == true);
        var rule = policy["properties"]!["policy"]!["rules"]![0]!;

        Assert.Equal("[greater(parameters('payloadRetentionDays'), 0)]", (string?)policy["condition"]);
        Assert.Equal(["blockBlob"], rule["definition"]!["filters"]!["blobTypes"]!.AsArray().Select(t => (string?)t));
        Assert.Equal("[format('{0}/', parameters('payloadContainerName'))]", (string?)rule["definition"]!["filters"]!["prefixMatch"]![0]);
        Assert.Equal("[parameters('payloadRetentionDays')]", (string?)rule["definition"]!["actions"]!["baseBlob"]!["delete"]!["daysAfterModificationGreaterThan"]);
        Assert.Equal("[parameters('retentionDays')]", (string?)storageModule["properties"]!["parameters"]!["payloadRetentionDays"]!["value"]);
    }

    [Fact]
    public async Task The_app_settings_connect_everything_with_the_managed_identity_and_hold_no_key()
    {
        var settings = await AppSettingsAsync();

        Assert.Equal("[parameters('identityClientId')]", settings["AZURE_CLIENT_ID"]);
        foreach (var required in new[] { "Traceway__Cosmos__AccountEndpoint", "Traceway__Cosmos__DatabaseName", "Traceway__Blob__ServiceUri", "Traceway__Blob__PayloadContainer", "Traceway__AdminKey" })
        {
            Assert.True(settings.ContainsKey(required), required);
        }

        Assert.Equal("false", settings["Traceway__ProvisionStorage"]);
        // The change feed processor runs in the app (default on); no trigger connection is needed.
        Assert.False(settings.ContainsKey("Traceway__ChangeFeed__Enabled"));
        Assert.DoesNotContain(settings.Keys, k => k.StartsWith("CosmosDB__", StringComparison.Ordinal));
        Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
        Assert.Contains("Authorization=AAD", settings["APPLICATIONINSIGHTS_AUTHENTICATION_STRING"], StringComparison.Ordinal);
        // Keys and connection strings have no place in Azure; Flex Consumption rejects the worker runtime settings.
        foreach (var forbidden in new[] { "Traceway__Cosmos__Key", "Traceway__Blob__ConnectionString", "AzureWebJobsStorage", "FUNCTIONS_WORKER_RUNTIME", "FUNCTIONS_EXTENSION_VERSION" })
        {
            Assert.False(settings.ContainsKey(forbidden), forbidden);
        }
    }

    [Fact]
    public async Task The_function_app_is_the_dotnet_isolated_10_worker_on_Flex_Consumption_that_reads_its_package_with_the_identity()
    {
        var compiled = await BicepCli.CompiledMainAsync();
        var (plan, _) = ArmTemplate.Single(compiled, "Microsoft.Web/serverfarms");
        var (site, _) = ArmTemplate.Single(compiled, "Microsoft.Web/sites");
        var config = site["properties"]!["functionAppConfig"]!;

        Assert.Equal("FC1", (string?)plan["sku"]!["name"]);
        Assert.Equal("dotnet-isolated", (string?)config["runtime"]!["name"]);
        Assert.Equal("10.0", (string?)config["runtime"]!["version"]);
        Assert.Equal("UserAssignedIdentity", (string?)config["deployment"]!["storage"]!["authentication"]!["type"]);
        Assert.Equal("[parameters('instanceMemoryMB')]", (string?)config["scaleAndConcurrency"]!["instanceMemoryMB"]);
        Assert.Equal("[parameters('maximumInstanceCount')]", (string?)config["scaleAndConcurrency"]!["maximumInstanceCount"]);
    }

    [Fact]
    public async Task One_instance_of_the_HTTP_functions_is_kept_ready_by_default_so_the_change_feed_processor_keeps_running()
    {
        var compiled = await BicepCli.CompiledMainAsync();
        var (site, _) = ArmTemplate.Single(compiled, "Microsoft.Web/sites");
        var alwaysReady = (string?)site["properties"]!["functionAppConfig"]!["scaleAndConcurrency"]!["alwaysReady"];

        Assert.Equal(1, (int)compiled["parameters"]!["alwaysReadyInstances"]!["defaultValue"]!);
        Assert.Equal(0, (int)compiled["parameters"]!["alwaysReadyInstances"]!["minValue"]!);
        // The http group, counted by the parameter; none when it is 0.
        Assert.Contains("'http'", alwaysReady, StringComparison.Ordinal);
        Assert.Contains("parameters('alwaysReadyInstances')", alwaysReady, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Cosmos_DB_storage_and_Application_Insights_accept_no_key()
    {
        var compiled = await BicepCli.CompiledMainAsync();

        Assert.True((bool)ArmTemplate.Single(compiled, "Microsoft.DocumentDB/databaseAccounts").Resource["properties"]!["disableLocalAuth"]!);
        Assert.False((bool)ArmTemplate.Single(compiled, "Microsoft.Storage/storageAccounts").Resource["properties"]!["allowSharedKeyAccess"]!);
        Assert.True((bool)ArmTemplate.Single(compiled, "Microsoft.Insights/components").Resource["properties"]!["DisableLocalAuth"]!);
    }

    [Fact]
    public async Task The_admin_key_is_a_secure_parameter_with_no_default_value()
    {
        var compiled = await BicepCli.CompiledMainAsync();
        var adminKey = compiled["parameters"]!["adminKey"]!;

        Assert.Equal("securestring", (string?)adminKey["type"]);
        // Empty means "not given": the deployment then fails unless a Key Vault secret URI is set instead.
        Assert.Equal("", (string?)adminKey["defaultValue"] ?? "");
        Assert.Contains("fail(", compiled.ToJsonString(), StringComparison.Ordinal);
    }

    /// <summary>The Function App's app settings (the sites/config "appsettings" resource): name to value or ARM expression.</summary>
    private static async Task<Dictionary<string, string>> AppSettingsAsync()
    {
        var compiled = await BicepCli.CompiledMainAsync();
        var (settings, _) = ArmTemplate.Resources(compiled, AppSettings).Single(r => ((string?)r.Resource["name"])!.Contains("appsettings", StringComparison.Ordinal));
        return settings["properties"]!.AsObject().ToDictionary(p => p.Key, p => p.Value!.ToString());
    }
}
