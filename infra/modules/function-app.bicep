// The Flex Consumption plan and the Function App: the .NET isolated worker (runtime dotnet-isolated
// 10.0) whose package the host reads from a blob container with the managed identity. Every app
// setting the app and the host read is here, and none holds a key.
param planName string
param appName string
param location string
param tags object

param identityId string
param identityClientId string

param storageBlobEndpoint string
param storageQueueEndpoint string
param storageTableEndpoint string
param deploymentContainerName string
param payloadContainerName string

param cosmosEndpoint string
param cosmosDatabaseName string

param applicationInsightsConnectionString string

@secure()
param adminKey string
param adminKeySecretUri string

@allowed([512, 2048, 4096])
param instanceMemoryMB int

@minValue(40)
@maxValue(1000)
param maximumInstanceCount int

@minValue(0)
param alwaysReadyInstances int

resource plan 'Microsoft.Web/serverfarms@2025-03-01' = {
  name: planName
  location: location
  tags: tags
  kind: 'functionapp'
  sku: {
    tier: 'FlexConsumption'
    name: 'FC1'
  }
  properties: {
    reserved: true
  }
}

resource app 'Microsoft.Web/sites@2025-03-01' = {
  name: appName
  location: location
  tags: tags
  kind: 'functionapp,linux'
  identity: {
    type: 'UserAssigned'
    userAssignedIdentities: { '${identityId}': {} }
  }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    // Key Vault references in app settings resolve with the app's (user-assigned) identity.
    keyVaultReferenceIdentity: identityId
    siteConfig: {
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
    }
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storageBlobEndpoint}${deploymentContainerName}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identityId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
        // The change feed processor lives in the instances of the HTTP functions: keeping some ready keeps
        // the rollups running when ingest traffic stops (README "Hosting").
        alwaysReady: alwaysReadyInstances > 0 ? [
          {
            name: 'http'
            instanceCount: alwaysReadyInstances
          }
        ] : []
      }
      runtime: {
        name: 'dotnet-isolated'
        version: '10.0'
      }
    }
  }
}

// No FUNCTIONS_WORKER_RUNTIME or FUNCTIONS_EXTENSION_VERSION: Flex Consumption takes both from functionAppConfig.
resource appSettings 'Microsoft.Web/sites/config@2025-03-01' = {
  parent: app
  name: 'appsettings'
  properties: {
    // The Functions host's own storage, reached with the identity.
    AzureWebJobsStorage__credential: 'managedidentity'
    AzureWebJobsStorage__clientId: identityClientId
    AzureWebJobsStorage__blobServiceUri: storageBlobEndpoint
    AzureWebJobsStorage__queueServiceUri: storageQueueEndpoint
    AzureWebJobsStorage__tableServiceUri: storageTableEndpoint

    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'

    // The app: DefaultAzureCredential signs in as this user-assigned identity.
    AZURE_CLIENT_ID: identityClientId
    Traceway__Cosmos__AccountEndpoint: cosmosEndpoint
    Traceway__Cosmos__DatabaseName: cosmosDatabaseName
    Traceway__Blob__ServiceUri: storageBlobEndpoint
    Traceway__Blob__PayloadContainer: payloadContainerName
    // Bicep owns the database, containers and blob containers in Azure.
    Traceway__ProvisionStorage: 'false'
    Traceway__AdminKey: empty(adminKeySecretUri) ? adminKey : '@Microsoft.KeyVault(SecretUri=${adminKeySecretUri})'
  }
}

output name string = app.name
output planName string = plan.name
output url string = 'https://${app.properties.defaultHostName}'
