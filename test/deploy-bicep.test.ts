import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import Parser from 'tree-sitter';
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Bicep = require('tree-sitter-bicep');

/**
 * No Bicep compiler installs here (`az bicep build` is the manual check in docs/deploy.md), so the
 * template is at least parsed with the tree-sitter Bicep grammar, and what a school relies on is read
 * from the parse tree.
 */
const ROOT = resolve(__dirname, '..');
const bicepText = readFileSync(resolve(ROOT, 'infra/azure.bicep'), 'utf8');
const parser = new Parser();
parser.setLanguage(Bicep);
const parse = (text: string) => parser.parse(text).rootNode;

describe('infra/azure.bicep', () => {
  it('parses without a syntax error', () => {
    expect(parse(bicepText).hasError).toBe(false);
  });

  it('the parse notices a broken template', () => {
    expect(parse(bicepText.replace("name: 'incident-log-key'", "name: 'incident-log-key\n")).hasError).toBe(true);
  });

  const params = [...parse(bicepText).descendantsOfType('parameter_declaration')].map((p) => ({ name: p.child(1)!.text, hasDefault: /=/.test(p.text) }));
  const parameterFile = JSON.parse(readFileSync(resolve(ROOT, 'infra/azure.parameters.json'), 'utf8')) as { parameters: Record<string, unknown> };

  it('gets every parameter without a default from azure.parameters.json, and nothing it does not declare', () => {
    expect(params.length).toBeGreaterThan(10);
    expect(params.filter((p) => !p.hasDefault && !(p.name in parameterFile.parameters)).map((p) => p.name)).toEqual([]);
    expect(Object.keys(parameterFile.parameters).filter((n) => !params.some((p) => p.name === n))).toEqual([]);
  });

  it("registers the bot in the school's tenant, not the subscription's", () => {
    expect(bicepText).toMatch(/msaAppTenantId: schoolTenantId/);
    expect(params.find((p) => p.name === 'schoolTenantId')?.hasDefault).toBe(false);
  });

  it('gives App Service the Graph URL, the Teams app id and the incident-log key (from Key Vault)', () => {
    expect(bicepText).toMatch(/name: 'GRAPH_BASE_URL', value: graphBaseUrl/);
    expect(bicepText).toMatch(/name: 'TEAMS_APP_ID', value: teamsAppId/);
    expect(bicepText).toMatch(/name: 'INCIDENT_LOG_KEY', value: kvRef\(keyVaultName, 'incident-log-key'\)/);
  });

  it('keeps 35 days of geo-redundant backups, and a vault that can be provisioned again after a purge', () => {
    expect(bicepText).toMatch(/backupRetentionDays: 35, geoRedundantBackup: geoRedundantBackup \? 'Enabled'/);
    expect(bicepText).not.toMatch(/enablePurgeProtection: true/);
    expect(bicepText).toMatch(/softDeleteRetentionInDays: 7/);
  });
});
