import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Ajv from 'ajv-draft-04';
import addFormats from 'ajv-formats';

const SCHEMA = resolve(__dirname, '../../node_modules/@microsoft/app-manifest/build/json-schemas/teams/v1.30/MicrosoftTeams.schema.json');

/** The values the Toolkit puts in at provision time, as a test stands them in. */
export const SAMPLE_ENV: Record<string, string> = {
  TEAMS_APP_ID: '0f8e1d2c-3b4a-4596-8a7b-6c5d4e3f2a10',
  BOT_ID: '1a2b3c4d-5e6f-4a8b-9c0d-1e2f3a4b5c6d',
  AAD_APP_CLIENT_ID: '2b3c4d5e-6f7a-4b9c-8d1e-2f3a4b5c6d7e',
  TAB_DOMAIN: 'esafety-demo.azurewebsites.net',
  APP_NAME_SUFFIX: '',
};

/** Replaces `${{NAME}}` as the Teams Toolkit does; a name with no value is an error, as there. */
export function renderManifest(text: string, env: Record<string, string>): unknown {
  return JSON.parse(
    text.replace(/\$\{\{\s*([A-Z0-9_]+)\s*\}\}/g, (_, name: string) => {
      if (!(name in env)) throw new Error(`manifest uses \${{${name}}} but no value is set`);
      return env[name]!;
    }),
  );
}

export function manifestErrors(manifest: unknown): string[] {
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA, 'utf8')));
  return validate(manifest) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message}`);
}
