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
 * Graph `POST /users/{id}/teamwork/installedApps` (application permission
 * TeamsAppInstallation.ReadWriteSelfForUser.All), naming the app by its id in the org catalogue.
 */
export class GraphAppInstaller implements AppInstaller {
  constructor(
    private readonly graph: GraphAccess,
    private readonly catalogAppId: string,
  ) {}

  async installFor(userId: string): Promise<InstallOutcome> {
    return this.install(`/users/${encodeURIComponent(userId)}/teamwork/installedApps`);
  }

  /** Graph `POST /chats/{id}/installedApps` (TeamsAppInstallation.ReadWriteSelfForChat.All). */
  async installInChat(chatId: string): Promise<InstallOutcome> {
    return this.install(`/chats/${encodeURIComponent(chatId)}/installedApps`);
  }

  private async install(path: string): Promise<InstallOutcome> {
    try {
      await this.graph.post(path, { 'teamsApp@odata.bind': `${this.graph.baseUrl}/appCatalogs/teamsApps/${this.catalogAppId}` });
      return 'installed';
    } catch (e) {
      if (isGraphError(e, 409)) return 'already-installed';
      if (isGraphError(e, 403) || isGraphError(e, 404)) return 'not-allowed';
      throw e;
    }
  }
}
