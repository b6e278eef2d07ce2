import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { PNG } from 'pngjs';
import { CHAT_RSC_PERMISSIONS } from '../src/notify/app-installer';
import { manifestErrors, renderManifest, SAMPLE_ENV } from './support/manifest-check';
import { startAppUnderTest } from './support/running-app';

const dir = resolve(__dirname, '../appPackage');
const manifestText = readFileSync(resolve(dir, 'manifest.json'), 'utf8');

describe('the Teams app package', () => {
  it('is valid against the Teams manifest schema v1.30, offline', () => {
    expect(manifestErrors(renderManifest(manifestText, SAMPLE_ENV))).toEqual([]);
  });

  it('the schema check notices a broken manifest', () => {
    const broken = renderManifest(manifestText, { ...SAMPLE_ENV, BOT_ID: 'not-a-guid' }) as Record<string, unknown>;
    delete broken.accentColor;
    const errors = manifestErrors(broken);
    expect(errors.join('\n')).toMatch(/accentColor/);
    expect(errors.join('\n')).toMatch(/botId/);
  });

  it('has the bot in personal, team and group chat scopes, and SSO for the tab', () => {
    const m = renderManifest(manifestText, SAMPLE_ENV) as { bots: Array<{ scopes: string[] }>; webApplicationInfo: { id: string; resource: string } };
    expect(m.bots[0]!.scopes).toEqual(['personal', 'team', 'groupChat']);
    expect(m.webApplicationInfo.resource).toBe(`api://${SAMPLE_ENV.TAB_DOMAIN}/${SAMPLE_ENV.AAD_APP_CLIENT_ID}`);
  });

  it('asks for the meeting events by resource-specific consent (lesson announcements)', () => {
    const m = renderManifest(manifestText, SAMPLE_ENV) as { authorization: { permissions: { resourceSpecific: Array<{ name: string }> } } };
    expect(m.authorization.permissions.resourceSpecific.map((p) => p.name)).toEqual(
      expect.arrayContaining(['OnlineMeeting.ReadBasic.Chat', 'ChannelMeeting.ReadBasic.Group']),
    );
  });

  it('asks for no resource-specific permission the app does not use, and consents to exactly its chat ones when joining a chat', () => {
    const m = renderManifest(manifestText, SAMPLE_ENV) as { authorization: { permissions: { resourceSpecific: Array<{ name: string; type: string }> } } };
    const rsc = m.authorization.permissions.resourceSpecific;
    // Meeting start/end events in chats (lessons) and channel meetings (the reminder to announce a recording).
    expect(rsc.map((p) => p.name).sort()).toEqual(['ChannelMeeting.ReadBasic.Group', 'OnlineMeeting.ReadBasic.Chat']);
    // chat-post-installedapps.md: the consented set must match the app definition's RSC permissions.
    expect(rsc.filter((p) => p.name.endsWith('.Chat')).map((p) => ({ permissionValue: p.name, permissionType: p.type }))).toEqual([...CHAT_RSC_PERMISSIONS]);
  });

  it('has no configurable tab: the app is a personal tab, by role, with nothing to configure per team', () => {
    const m = renderManifest(manifestText, SAMPLE_ENV) as { configurableTabs?: unknown[] };
    expect(m.configurableTabs ?? []).toEqual([]);
  });

  it('lists every command the bot answers, in every scope the bot is in', async () => {
    const t = await startAppUnderTest();
    try {
      const m = renderManifest(manifestText, SAMPLE_ENV) as {
        bots: Array<{ scopes: string[]; commandLists: Array<{ scopes: string[]; commands: Array<{ title: string }> }> }>;
      };
      const bot = m.bots[0]!;
      const answered = [...t.app.bot.commandWords].sort();
      expect(answered).toEqual(expect.arrayContaining(['help', 'lesson', 'policies', 'report']));
      for (const scope of bot.scopes) {
        const listed = bot.commandLists.filter((l) => l.scopes.includes(scope)).flatMap((l) => l.commands.map((c) => c.title));
        expect([scope, [...listed].sort()]).toEqual([scope, answered]);
      }
    } finally {
      await t.close();
    }
  }, 30_000);

  it('has icons to spec: colour 192x192, outline 32x32 white on transparent', () => {
    const color = PNG.sync.read(readFileSync(resolve(dir, 'color.png')));
    const outline = PNG.sync.read(readFileSync(resolve(dir, 'outline.png')));
    expect([color.width, color.height]).toEqual([192, 192]);
    expect([outline.width, outline.height]).toEqual([32, 32]);
    for (let i = 0; i < outline.data.length; i += 4) {
      const [r, g, b, a] = outline.data.subarray(i, i + 4);
      expect(a === 0 || (r === 255 && g === 255 && b === 255)).toBe(true);
    }
  });
});
