import type { GraphAccess } from '../graph/graph-access';
import { isGraphError } from '../graph/graph-access';

export type InstallOutcome = 'installed' | 'already-installed' | 'not-allowed';

/**
 * Puts the app in a person's Teams, so the bot has a personal chat to send them a card in. Teams then
 * tells the bot (installationUpdate), and the bot stores the conversation as for anyone else.
 */
export interface AppInstaller {
  installFor(userId: string): Promise<InstallOutcome>;
  /** Into a chat, such as a meeting's (then the bot receives the meeting's start and end events). */
  installInChat?(chatId: string): Promise<InstallOutcome>;
}

/**
 * The resource-specific permissions the app package declares for chats (appPackage/manifest.json,
 * `authorization.permissions.resourceSpecific`; test/app-package.test.ts keeps the two the same).
 * An install into a chat consents to exactly these (chat-post-installedapps.md).
 */
export const CHAT_RSC_PERMISSIONS = [{ permissionValue: 'OnlineMeeting.ReadBasic.Chat', permissionType: 'Application' }] as const;

/**
 * Graph `POST /users/{id}/teamwork/installedApps` (application permission
 * TeamsAppInstallation.ReadWriteSelfForUser.All), naming the app by its id in the org catalogue.
 */
export class GraphAppInstaller implements AppInstaller {
  constructor(
    private readonly graph: GraphAccess,
    private readonly catalogAppId: string,
    /**
     * Told the person's chat with the app when it was already installed: Teams sends no new
     * installationUpdate then, so without this the bot would wait for one that never comes.
     */
    private readonly onPersonalChat?: (userId: string, chatId: string) => Promise<void>,
  ) {}

  async installFor(userId: string): Promise<InstallOutcome> {
    const outcome = await this.install(`/users/${encodeURIComponent(userId)}/teamwork/installedApps`, {});
    if (outcome === 'already-installed' && this.onPersonalChat) {
      const chatId = await this.personalChat(userId);
      if (chatId) await this.onPersonalChat(userId, chatId);
    }
    return outcome;
  }

  /**
   * The chat between the person and the app: the installation is found by listing with its
   * teamsApp (userteamwork-list-installedapps.md, $expand and $filter on teamsApp/id), then
   * `GET .../installedApps/{id}/chat` (userscopeteamsappinstallation-get-chat.md).
   */
  async personalChat(userId: string): Promise<string | undefined> {
    const user = encodeURIComponent(userId);
    try {
      const filter = encodeURIComponent(`teamsApp/id eq '${this.catalogAppId}'`);
      const found = await this.graph.get<{ value: Array<{ id: string }> }>(`/users/${user}/teamwork/installedApps?$expand=teamsApp&$filter=${filter}`);
      const installation = found.value[0];
      if (!installation) return undefined;
      const chat = await this.graph.get<{ id?: string }>(`/users/${user}/teamwork/installedApps/${encodeURIComponent(installation.id)}/chat`);
      return chat.id;
    } catch (e) {
      if (isGraphError(e, 403) || isGraphError(e, 404)) return undefined;
      throw e;
    }
  }

  /**
   * Graph `POST /chats/{id}/installedApps` with the app's chat RSC permissions consented
   * (TeamsAppInstallation.ReadWriteAndConsentSelfForChat.All: the ...SelfForChat.All permission
   * "cannot be used to install apps that require consent to resource-specific permissions",
   * chat-post-installedapps.md).
   */
  async installInChat(chatId: string): Promise<InstallOutcome> {
    return this.install(`/chats/${encodeURIComponent(chatId)}/installedApps`, {
      consentedPermissionSet: { resourceSpecificPermissions: CHAT_RSC_PERMISSIONS },
    });
  }

  private async install(path: string, extra: Record<string, unknown>): Promise<InstallOutcome> {
    try {
      await this.graph.post(path, { 'teamsApp@odata.bind': `${this.graph.baseUrl}/appCatalogs/teamsApps/${this.catalogAppId}`, ...extra });
      return 'installed';
    } catch (e) {
      if (isGraphError(e, 409)) return 'already-installed';
      if (isGraphError(e, 403) || isGraphError(e, 404)) return 'not-allowed';
      throw e;
    }
  }
}
