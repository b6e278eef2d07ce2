#!/usr/bin/env node
// Run by `atk provision` (teamsapp.yml, a `script` action) before the Bicep deployment: makes sure
// the two secrets the school never has to invent exist, and tells the Toolkit through its
// `::set-teamsfx-env NAME=value` protocol, which writes SECRET_* names to env/.env.<env>.user
// (git ignores it; the Toolkit encrypts the values).
//   SECRET_POSTGRES_ADMIN_PASSWORD  the database administrator's password
//   SECRET_INCIDENT_LOG_KEY         the incident log's HMAC key (INCIDENT_LOG_KEY in the app)
// The incident-log key must never change once entries are signed with it: when this machine does
// not have it but an earlier provision stored it in Key Vault, it is read back from there (az);
// only a first provision generates one. Nothing is printed except the protocol lines.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';

const env = process.env;
const say = (name, value) => process.stdout.write(`::set-teamsfx-env ${name}=${value}\n`);
const vaultName = `esafety${env.RESOURCE_SUFFIX ?? ''}-kv`;

function fromVault(secret) {
  if (env.ESAFETY_OFFLINE === '1') return undefined;
  try {
    const value = execFileSync('az', ['keyvault', 'secret', 'show', '--vault-name', vaultName, '--name', secret, '--query', 'value', '--output', 'tsv'], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
    return value || undefined;
  } catch {
    return undefined;
  }
}

if (!env.SECRET_POSTGRES_ADMIN_PASSWORD) {
  // Flexible Server wants 8-128 characters from three of: upper, lower, digits, symbols.
  say('SECRET_POSTGRES_ADMIN_PASSWORD', `Es-${randomBytes(24).toString('base64url')}9a`);
}

if (!env.SECRET_INCIDENT_LOG_KEY) {
  const stored = fromVault('incident-log-key');
  if (stored) {
    say('SECRET_INCIDENT_LOG_KEY', stored);
  } else if (env.BOT_AZURE_APP_SERVICE_RESOURCE_ID) {
    // An earlier provision finished, so a key exists in the vault: refuse to replace it.
    process.stderr.write(
      `The incident-log key is in Key Vault ${vaultName} but could not be read. Sign in with "az login", or put it in env/.env.${env.TEAMSFX_ENV ?? 'dev'}.user as SECRET_INCIDENT_LOG_KEY, then provision again.\n`,
    );
    process.exit(1);
  } else {
    say('SECRET_INCIDENT_LOG_KEY', randomBytes(32).toString('hex'));
  }
}
