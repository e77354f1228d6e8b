// The Flex Consumption plan and the Function App: a custom handler (runtime custom 1.0) whose
// package the host reads from a blob container with the managed identity. Every app setting the
// app and the host's triggers read is here, and none holds a key.
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
      }
      runtime: {
        name: 'custom'
        version: '1.0'
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

    // The connection named "CosmosDB" of the cosmosDBTrigger functions (function.json "connection").
    CosmosDB__accountEndpoint: cosmosEndpoint
    CosmosDB__credential: 'managedidentity'
    CosmosDB__clientId: identityClientId

    APPLICATIONINSIGHTS_CONNECTION_STRING: applicationInsightsConnectionString
    APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identityClientId};Authorization=AAD'

    // The app (custom handler): DefaultAzureCredential signs in as this user-assigned identity.
    AZURE_CLIENT_ID: identityClientId
    Traceway__Cosmos__AccountEndpoint: cosmosEndpoint
    Traceway__Cosmos__DatabaseName: cosmosDatabaseName
    Traceway__Blob__ServiceUri: storageBlobEndpoint
    Traceway__Blob__PayloadContainer: payloadContainerName
    // Bicep owns the database, containers and blob containers in Azure.
    Traceway__ProvisionStorage: 'false'
    // The host's cosmosDBTrigger runs the rollups in Azure; the in-process change feed is for local runs.
    Traceway__ChangeFeed__Enabled: 'false'
    Traceway__AdminKey: empty(adminKeySecretUri) ? adminKey : '@Microsoft.KeyVault(SecretUri=${adminKeySecretUri})'
  }
}

output name string = app.name
output planName string = plan.name
output url string = 'https://${app.properties.defaultHostName}'
