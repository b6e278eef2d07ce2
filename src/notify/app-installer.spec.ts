import { useDemoGraph } from '../../test/support/demo-graph';
import { DEMO_CATALOG_APP_ID, personalChatId } from '../demo-tenant/meeting-handlers';
import { keyPeople } from '../demo-tenant/school-generator';
import { GraphAppInstaller } from './app-installer';

/**
 * Installing the app for someone who already has it answers 409, and Teams sends the bot no new
 * installationUpdate: the chat is found through Graph instead (userscopeteamsappinstallation-get-chat.md).
 */
describe('installing the app for a person', () => {
  const ctx = useDemoGraph();

  it('installs it for someone who lacks it; Teams will tell the bot about the new chat', async () => {
    const told: Array<[string, string]> = [];
    const installer = new GraphAppInstaller(ctx.graph, DEMO_CATALOG_APP_ID, async (u, c) => void told.push([u, c]));
    const teacher = keyPeople(ctx.school).teacher.id;
    expect(await installer.installFor(teacher)).toBe('installed');
    expect(told).toEqual([]);
  });

  it('on 409 (already installed) fetches the person’s chat with the app, rather than waiting for an event that never comes', async () => {
    const told: Array<[string, string]> = [];
    const installer = new GraphAppInstaller(ctx.graph, DEMO_CATALOG_APP_ID, async (u, c) => void told.push([u, c]));
    const teacher = keyPeople(ctx.school).teacher.id;
    ctx.school.appInstalledFor.add(teacher);
    expect(await installer.installFor(teacher)).toBe('already-installed');
    expect(told).toEqual([[teacher, personalChatId(teacher)]]);
  });

  it('finds no chat for another app’s id (the installation is found by its teamsApp id)', async () => {
    const teacher = keyPeople(ctx.school).teacher.id;
    ctx.school.appInstalledFor.add(teacher);
    expect(await new GraphAppInstaller(ctx.graph, 'some-other-app').personalChat(teacher)).toBeUndefined();
    expect(await new GraphAppInstaller(ctx.graph, DEMO_CATALOG_APP_ID).personalChat(teacher)).toBe(personalChatId(teacher));
  });
});
