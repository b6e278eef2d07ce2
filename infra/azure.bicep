// E-Safety for Teams in a school's Azure subscription: one App Service (bot + tab + API),
// the Azure Bot (single-tenant), PostgreSQL Flexible Server, Key Vault for every secret,
// and Application Insights. App settings reference Key Vault; no secret is stored in clear.

@maxLength(20)
@minLength(4)
@description('Short suffix that makes resource names unique')
param resourceBaseName string

@description('Entra app (client) id of the bot registration (botAadApp/create)')
param botAadAppClientId string

@secure()
@description('Client secret of the bot registration')
param botAadAppClientSecret string

@description('Entra app (client) id of the tab/Graph app registration (aadApp/create)')
param aadAppClientId string

@secure()
@description('Client secret of the tab/Graph app registration')
param aadAppClientSecret string

@description('The school\'s Microsoft 365 tenant id: where the bot\'s Entra app lives (aadApp/create writes it as AAD_APP_TENANT_ID). Not the subscription\'s tenant, which differs when a trust or its IT partner hosts the subscription in its own tenant')
param schoolTenantId string

@description('Teams app id from the manifest (teamsApp/create): deep links to the tab in cards')
param teamsAppId string

@description('Microsoft Graph base URL: https://graph.microsoft.com/v1.0, or a national cloud\'s')
param graphBaseUrl string = 'https://graph.microsoft.com/v1.0'

@description('The school configuration file inside the deployed package')
param schoolConfigFile string = 'config/school.yaml'

@secure()
@description('HMAC key of the incident log, generated once by scripts/provision-secrets.mjs and kept in Key Vault (INCIDENT_LOG_KEY)')
param incidentLogKey string

@description('Geo-redundant database backups (a copy in the paired region). Off only where the region has no pair that supports it')
param geoRedundantBackup bool = true

@description('PostgreSQL administrator login')
param postgresAdminLogin string = 'esafetyadmin'

@secure()
@description('PostgreSQL administrator password')
param postgresAdminPassword string

param location string = resourceGroup().location
param appServiceSku string = 'B1'

@description('App Service instances: two share the work (leases, row claims) and survive one failing; more for a large school at the start of term')
@minValue(1)
param instanceCount int = 2

param botDisplayName string = 'E-Safety'

var serverfarmsName = '${resourceBaseName}-plan'
var webAppName = '${resourceBaseName}-app'
var keyVaultName = '${resourceBaseName}-kv'
var postgresName = '${resourceBaseName}-pg'
var databaseName = 'esafety'

resource logs 'Microsoft.OperationalInsights/workspaces@2023-09-01' = {
  name: '${resourceBaseName}-logs'
  location: location
  properties: { sku: { name: 'PerGB2018' }, retentionInDays: 30 }
}

resource insights 'Microsoft.Insights/components@2020-02-02' = {
  name: '${resourceBaseName}-ai'
  location: location
  kind: 'web'
  properties: { Application_Type: 'Node.JS', WorkspaceResourceId: logs.id }
}

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: '${resourceBaseName}-id'
  location: location
}

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: keyVaultName
  location: location
  properties: {
    // The vault belongs to the subscription's tenant (its managed identity lives there), not the school's.
    tenantId: subscription().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    // Soft delete is always on; the shortest retention (7 days) and no purge protection let a school
    // that deletes the resource group provision again with the same RESOURCE_SUFFIX after
    // `az keyvault purge` (purge protection would block the name for 90 days and cannot be turned
    // off once on). Nothing here is irreplaceable except the incident-log key, which docs/deploy.md
    // says to back up.
    enableSoftDelete: true
    softDeleteRetentionInDays: 7
  }
}

// Key Vault Secrets User for the app's managed identity: it can read secrets, nothing more.
resource vaultReader 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, identity.id, 'kv-secrets-user')
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', '4633458b-17de-408a-b874-0445c86b69e6')
    principalId: identity.properties.principalId
    principalType: 'ServicePrincipal'
  }
}

resource postgres 'Microsoft.DBforPostgreSQL/flexibleServers@2023-06-01-preview' = {
  name: postgresName
  location: location
  sku: { name: 'Standard_B1ms', tier: 'Burstable' }
  properties: {
    version: '16'
    administratorLogin: postgresAdminLogin
    administratorLoginPassword: postgresAdminPassword
    storage: { storageSizeGB: 32 }
    // 35 days, the most Flexible Server keeps, and a copy in the paired region: safeguarding records.
    backup: { backupRetentionDays: 35, geoRedundantBackup: geoRedundantBackup ? 'Enabled' : 'Disabled' }
    highAvailability: { mode: 'Disabled' }
  }
}

resource database 'Microsoft.DBforPostgreSQL/flexibleServers/databases@2023-06-01-preview' = {
  parent: postgres
  name: databaseName
  properties: { charset: 'UTF8', collation: 'en_US.utf8' }
}

// Only Azure services (the App Service) reach the server; tighten to a VNet for production if wanted.
resource postgresAzure 'Microsoft.DBforPostgreSQL/flexibleServers/firewallRules@2023-06-01-preview' = {
  parent: postgres
  name: 'AllowAzureServices'
  properties: { startIpAddress: '0.0.0.0', endIpAddress: '0.0.0.0' }
}

resource secretDatabaseUrl 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'database-url'
  properties: { value: 'postgres://${postgresAdminLogin}:${uriComponent(postgresAdminPassword)}@${postgres.properties.fullyQualifiedDomainName}:5432/${databaseName}?sslmode=require' }
}

resource secretBotPassword 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'bot-password'
  properties: { value: botAadAppClientSecret }
}

resource secretGraphClientSecret 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'graph-client-secret'
  properties: { value: aadAppClientSecret }
}

resource secretIncidentLogKey 'Microsoft.KeyVault/vaults/secrets@2023-07-01' = {
  parent: vault
  name: 'incident-log-key'
  properties: { value: incidentLogKey }
}

resource plan 'Microsoft.Web/serverfarms@2023-12-01' = {
  name: serverfarmsName
  location: location
  kind: 'linux'
  sku: { name: appServiceSku, capacity: instanceCount }
  properties: { reserved: true }
}

// A Key Vault reference: App Service resolves it with the managed identity at start-up.
func kvRef(vault string, secret string) string => '@Microsoft.KeyVault(VaultName=${vault};SecretName=${secret})'

resource webApp 'Microsoft.Web/sites@2023-12-01' = {
  name: webAppName
  location: location
  kind: 'app,linux'
  identity: { type: 'UserAssigned', userAssignedIdentities: { '${identity.id}': {} } }
  properties: {
    serverFarmId: plan.id
    httpsOnly: true
    keyVaultReferenceIdentity: identity.id
    siteConfig: {
      linuxFxVersion: 'NODE|20-lts'
      alwaysOn: true
      ftpsState: 'Disabled'
      minTlsVersion: '1.2'
      // The instance's own liveness: /readyz also answers 503 when the database or Microsoft Graph is
      // down, which no instance restart can mend, so App Service must not act on it.
      healthCheckPath: '/healthz'
      appCommandLine: 'node dist/bin/esafety.js serve'
      appSettings: [
        { name: 'WEBSITE_RUN_FROM_PACKAGE', value: '1' }
        { name: 'SCM_DO_BUILD_DURING_DEPLOYMENT', value: 'false' }
        { name: 'PORT', value: '8080' }
        { name: 'ESAFETY_CONFIG', value: schoolConfigFile }
        { name: 'GRAPH_BASE_URL', value: graphBaseUrl }
        // App Service's front end appends the caller's address to X-Forwarded-For: trust that one
        // hop, so the per-address rate limits count callers, not the front end (docs/architecture.md).
        { name: 'TRUSTED_PROXIES', value: '1' }
        { name: 'TEAMS_APP_ID', value: teamsAppId }
        // Links in cards and parents' emails, and the Graph change-notification webhook.
        { name: 'PUBLIC_URL', value: 'https://${webAppName}.azurewebsites.net' }
        // TEAMS_APP_CATALOG_ID exists only after the first publish: teamsapp.yml sets it on the app
        // (provision's last step and publish's), never through this template.
        { name: 'DATABASE_URL', value: kvRef(keyVaultName, 'database-url') }
        { name: 'BOT_ID', value: botAadAppClientId }
        { name: 'BOT_PASSWORD', value: kvRef(keyVaultName, 'bot-password') }
        { name: 'GRAPH_CLIENT_ID', value: aadAppClientId }
        { name: 'GRAPH_CLIENT_SECRET', value: kvRef(keyVaultName, 'graph-client-secret') }
        { name: 'INCIDENT_LOG_KEY', value: kvRef(keyVaultName, 'incident-log-key') }
        { name: 'TAB_CLIENT_ID', value: aadAppClientId }
        { name: 'TAB_APP_ID_URI', value: 'api://${webAppName}.azurewebsites.net/${aadAppClientId}' }
        { name: 'APPLICATIONINSIGHTS_CONNECTION_STRING', value: insights.properties.ConnectionString }
      ]
    }
  }
  dependsOn: [vaultReader, secretDatabaseUrl, secretBotPassword, secretGraphClientSecret, secretIncidentLogKey]
}

resource bot 'Microsoft.BotService/botServices@2022-09-15' = {
  name: '${resourceBaseName}-bot'
  location: 'global'
  kind: 'azurebot'
  sku: { name: 'F0' }
  properties: {
    displayName: botDisplayName
    endpoint: 'https://${webApp.properties.defaultHostName}/api/messages'
    msaAppId: botAadAppClientId
    msaAppType: 'SingleTenant'
    msaAppTenantId: schoolTenantId
  }
}

resource teamsChannel 'Microsoft.BotService/botServices/channels@2022-09-15' = {
  parent: bot
  name: 'MsTeamsChannel'
  location: 'global'
  properties: { channelName: 'MsTeamsChannel' }
}

output TAB_DOMAIN string = webApp.properties.defaultHostName
output TAB_ENDPOINT string = 'https://${webApp.properties.defaultHostName}'
output BOT_DOMAIN string = webApp.properties.defaultHostName
output BOT_AZURE_APP_SERVICE_RESOURCE_ID string = webApp.id
output KEY_VAULT_NAME string = vault.name
