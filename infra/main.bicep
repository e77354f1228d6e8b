// Traceway in Azure: one resource group holding a Flex Consumption Function App (the isolated worker),
// its user-assigned identity, Cosmos DB, a storage account without shared keys, Log Analytics and
// Application Insights, and the role assignments that join them. Every name comes from one token.
targetScope = 'subscription'

@minLength(1)
@maxLength(20)
@description('Environment name (dev, prod, ...): part of the resource group name and of the naming token.')
param environmentName string

@minLength(1)
@description('Azure region of every resource.')
param location string

@secure()
@description('The admin key (Traceway:AdminKey) that creates projects and keys. Pass it as a secure value (a bicepparam can read it from an environment variable or from Key Vault with az.getSecret), or leave it empty and set adminKeySecretUri.')
param adminKey string = ''

@description('Instead of adminKey: a Key Vault secret URI the app setting references at run time. The app\'s identity needs "Key Vault Secrets User" on that secret.')
param adminKeySecretUri string = ''

@description('0 = Cosmos DB serverless. Otherwise autoscale with this maximum RU/s (1000 or more), shared by the containers.')
param cosmosAutoscaleMaxThroughput int = 0

@minValue(0)
@description('0 = keep trace data forever unless a project sets its own retention. Otherwise traces, summaries, the trace index and payload blobs of projects without one expire this many days after their last write.')
param retentionDays int = 0

@allowed([512, 2048, 4096])
@description('Memory of each Function App instance (MB).')
param instanceMemoryMB int = 2048

@minValue(40)
@maxValue(1000)
@description('Most instances the Flex Consumption plan scales out to.')
param maximumInstanceCount int = 100

@minValue(0)
@description('Instances of the HTTP functions kept ready even without traffic (Flex alwaysReady, billed while idle). They host the change feed processor: with 0, summaries of already-stored traces wait for the next request that starts an instance.')
param alwaysReadyInstances int = 1

@description('Optional: an Entra object id (a developer or a group) given the same data access as the app, for debugging.')
param developerPrincipalId string = ''

@allowed(['User', 'Group'])
param developerPrincipalType string = 'User'

var resourceGroupName = 'rg-traceway-${environmentName}'
var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = {
  application: 'traceway'
  environment: environmentName
}
var names = {
  identity: 'id-traceway-${resourceToken}'
  logAnalytics: 'log-traceway-${resourceToken}'
  applicationInsights: 'appi-traceway-${resourceToken}'
  storage: 'sttraceway${resourceToken}'
  cosmos: 'cosmos-traceway-${resourceToken}'
  plan: 'plan-traceway-${resourceToken}'
  functionApp: 'func-traceway-${resourceToken}'
  deploymentContainer: 'app-package-${resourceToken}'
  payloadContainer: 'payloads'
}

resource group 'Microsoft.Resources/resourceGroups@2025-04-01' = {
  name: resourceGroupName
  location: location
  tags: tags
}

module identity 'modules/identity.bicep' = {
  scope: group
  params: {
    name: names.identity
    location: location
    tags: tags
  }
}

module monitoring 'modules/monitoring.bicep' = {
  scope: group
  params: {
    logAnalyticsName: names.logAnalytics
    applicationInsightsName: names.applicationInsights
    location: location
    tags: tags
  }
}

module storage 'modules/storage.bicep' = {
  scope: group
  params: {
    name: names.storage
    location: location
    tags: tags
    deploymentContainerName: names.deploymentContainer
    payloadContainerName: names.payloadContainer
    payloadRetentionDays: retentionDays
  }
}

module cosmos 'modules/cosmos.bicep' = {
  scope: group
  params: {
    name: names.cosmos
    location: location
    tags: tags
    autoscaleMaxThroughput: cosmosAutoscaleMaxThroughput
    retentionDays: retentionDays
  }
}

module appRoles 'modules/role-assignments.bicep' = {
  scope: group
  params: {
    principalId: identity.outputs.principalId
    principalKey: names.identity
    principalType: 'ServicePrincipal'
    storageAccountName: names.storage
    cosmosAccountName: names.cosmos
    applicationInsightsName: names.applicationInsights
  }
  // The names above are known up front (for What-If); the resources must exist all the same.
  dependsOn: [storage, cosmos, monitoring]
}

module developerRoles 'modules/role-assignments.bicep' = if (!empty(developerPrincipalId)) {
  scope: group
  params: {
    principalId: developerPrincipalId
    principalKey: developerPrincipalId
    principalType: developerPrincipalType
    storageAccountName: names.storage
    cosmosAccountName: names.cosmos
    applicationInsightsName: names.applicationInsights
  }
  dependsOn: [storage, cosmos, monitoring]
}

module functionApp 'modules/function-app.bicep' = {
  scope: group
  params: {
    planName: names.plan
    appName: names.functionApp
    location: location
    tags: tags
    identityId: identity.outputs.id
    identityClientId: identity.outputs.clientId
    storageBlobEndpoint: storage.outputs.blobEndpoint
    storageQueueEndpoint: storage.outputs.queueEndpoint
    storageTableEndpoint: storage.outputs.tableEndpoint
    deploymentContainerName: storage.outputs.deploymentContainerName
    payloadContainerName: storage.outputs.payloadContainerName
    cosmosEndpoint: cosmos.outputs.endpoint
    cosmosDatabaseName: cosmos.outputs.databaseName
    applicationInsightsConnectionString: monitoring.outputs.connectionString
    // Neither set is a mistake that must stop the deployment, not an app without an admin key.
    adminKey: !empty(adminKey) || !empty(adminKeySecretUri)
      ? adminKey
      : fail('Set adminKey (a secure value) or adminKeySecretUri (a Key Vault secret URI).')
    adminKeySecretUri: adminKeySecretUri
    instanceMemoryMB: instanceMemoryMB
    maximumInstanceCount: maximumInstanceCount
    alwaysReadyInstances: alwaysReadyInstances
  }
  // The host starts as soon as the app exists: give its identity storage and Cosmos DB access first.
  dependsOn: [appRoles]
}

output AZURE_LOCATION string = location
output AZURE_RESOURCE_GROUP string = group.name
output FUNCTION_APP_NAME string = functionApp.outputs.name
output FUNCTION_APP_URL string = functionApp.outputs.url
output PLAN_NAME string = functionApp.outputs.planName
output IDENTITY_NAME string = identity.outputs.name
output IDENTITY_CLIENT_ID string = identity.outputs.clientId
output COSMOS_ACCOUNT_NAME string = cosmos.outputs.name
output COSMOS_ENDPOINT string = cosmos.outputs.endpoint
output COSMOS_DATABASE_NAME string = cosmos.outputs.databaseName
output STORAGE_ACCOUNT_NAME string = storage.outputs.name
output DEPLOYMENT_CONTAINER_NAME string = storage.outputs.deploymentContainerName
output APPLICATION_INSIGHTS_NAME string = monitoring.outputs.applicationInsightsName
output LOG_ANALYTICS_NAME string = monitoring.outputs.logAnalyticsName
