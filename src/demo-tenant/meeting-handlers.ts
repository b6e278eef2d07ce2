import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { isTimeZone, schoolTimeToInstant } from '../school/school-time';
import { http, HttpResponse, type HttpHandler } from 'msw';
import { graphError, listResponse, singleResponse } from './odata';
import type { DemoEvent, DemoOnlineMeeting, DemoSchool, DemoUser } from './school-model';
import type { Graph } from '../graph/graph-types';

const V = '*/v1.0';
type Json = Record<string, unknown>;

interface EventInput {
  subject?: string;
  start?: { dateTime?: string; timeZone?: string };
  end?: { dateTime?: string; timeZone?: string };
  attendees?: Array<{ emailAddress?: { address?: string; name?: string }; type?: string }>;
  isOnlineMeeting?: boolean;
  body?: { content?: string };
  /** Someone else organised it (a third party's meeting in this person's calendar). */
  organizer?: { address: string; name: string };
}

/**
 * Evolvable enums (concepts/best-practices-concept.md, "Evolvable enums"): members after the
 * sentinel `unknownFutureValue` are returned only to a request with `Prefer:
 * include-unknown-enum-members`; lobbybypasssettings.md: "You must use the Prefer:
 * include-unknown-enum-members request header" for `invited` and `organizationExcludingGuests`.
 */
const LOBBY_SCOPES_AFTER_SENTINEL = ['invited', 'organizationExcludingGuests'];
const LOBBY_SCOPES = ['organizer', 'organization', 'organizationAndFederated', 'everyone', ...LOBBY_SCOPES_AFTER_SENTINEL];
const optsIntoNewEnums = (request: Request) => /(^|[,\s])include-unknown-enum-members([,\s;]|$)/i.test(request.headers.get('prefer') ?? '');

export function onlineMeetingJson({ lessonGroupId: _l, organizerUserId: _o, recordings: _r, chatThreadId, ...m }: DemoOnlineMeeting, request?: Request): Json {
  const hidden = !request || !optsIntoNewEnums(request);
  const lobby =
    hidden && LOBBY_SCOPES_AFTER_SENTINEL.includes(m.lobbyBypassSettings.scope)
      ? { ...m.lobbyBypassSettings, scope: 'unknownFutureValue' }
      : m.lobbyBypassSettings;
  return { ...m, lobbyBypassSettings: lobby, chatInfo: { threadId: chatThreadId } };
}

/**
 * The app's resource-specific permissions for chats, as its Teams app definition in the catalogue
 * has them (the demo's catalogue holds the app package in appPackage/manifest.json).
 */
function catalogChatRsc(): Array<{ permissionValue: string; permissionType: string }> {
  for (let dir = __dirname, i = 0; i < 6; i++, dir = dirname(dir)) {
    const file = join(dir, 'appPackage', 'manifest.json');
    if (!existsSync(file)) continue;
    const manifest = JSON.parse(readFileSync(file, 'utf8')) as {
      authorization?: { permissions?: { resourceSpecific?: Array<{ name: string; type: string }> } };
    };
    return (manifest.authorization?.permissions?.resourceSpecific ?? [])
      .filter((p) => p.name.endsWith('.Chat'))
      .map((p) => ({ permissionValue: p.name, permissionType: p.type }));
  }
  return [];
}

/** The demo catalogue's id for this app (bin/start-app.ts uses it in demo mode). */
export const DEMO_CATALOG_APP_ID = 'e5afe000-demo-catalog';
const DEMO_BOT_ID = 'e5afe000-0000-4000-8000-00000000b070';
const installationId = (userId: string) => Buffer.from(`${userId}##${DEMO_CATALOG_APP_ID}`).toString('base64');
/** A person's chat with a bot, as Teams names it (the example in userscopeteamsappinstallation-get-chat.md). */
export const personalChatId = (userId: string) => `19:${userId}_${DEMO_BOT_ID}@unq.gbl.spaces`;

/** What a test or the demo does "in Outlook": the change notifications follow as in Microsoft 365. */
export interface DemoMeetings {
  /** A person creates a meeting in their calendar (not through the app). */
  createEventAs(ownerId: string, input: EventInput): DemoEvent;
  /** A recording of the meeting becomes available. */
  addRecording(onlineMeetingId: string): void;
  /**
   * Graph sends a lifecycle notification (change-notifications-lifecycle-events.md) to the
   * subscription's lifecycleNotificationUrl; `subscriptionRemoved` also removes it, as Graph has.
   */
  sendLifecycle(subscriptionId: string, lifecycleEvent: 'reauthorizationRequired' | 'subscriptionRemoved' | 'missed'): Promise<number>;
  /** Notifications sent to the app so far (for tests). */
  readonly notificationsSent: number;
  /**
   * Each delivery's status and how long the app took to answer: Graph expects an answer within 3
   * seconds and treats a slower one as failed (change-notifications-delivery-webhooks.md).
   */
  readonly deliveries: ReadonlyArray<{ status: number; ms: number; late: boolean }>;
}

/**
 * Calendars, online meetings, recordings and change-notification subscriptions, as Graph serves
 * them: enough for the app to create lessons, read them back, and be told of new meetings.
 */
export function meetingHandlers(school: DemoSchool, findUser: (ref: string) => DemoUser | undefined): { handlers: HttpHandler[]; meetings: DemoMeetings } {
  let notificationsSent = 0;
  const deliveries: Array<{ status: number; ms: number; late: boolean }> = [];
  /** POSTs a notification as Graph does, timing the answer. */
  const deliver = async (url: string, body: unknown): Promise<number> => {
    const started = Date.now();
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    }).catch(() => undefined);
    const ms = Date.now() - started;
    const status = res?.status ?? 0;
    deliveries.push({ status, ms, late: ms > 3_000 });
    return status;
  };
  const eventJson = ({ calendarOwnerId: _c, ...e }: DemoEvent): Graph.Event => e;

  /** Graph tells every subscriber to this calendar, as it would: POST to their notification URL. */
  const notify = (ownerId: string, eventId: string, changeType: 'created' | 'updated') => {
    for (const s of school.subscriptions.filter((x) => x.resource.toLowerCase() === `/users/${ownerId}/events`.toLowerCase())) {
      notificationsSent += 1;
      const body = {
        value: [
          {
            subscriptionId: s.id,
            subscriptionExpirationDateTime: s.expirationDateTime,
            changeType,
            resource: `Users/${ownerId}/Events/${eventId}`,
            resourceData: { '@odata.type': '#Microsoft.Graph.Event', '@odata.id': `Users/${ownerId}/Events/${eventId}`, id: eventId },
            clientState: s.clientState,
            tenantId: school.tenantId,
          },
        ],
      };
      void deliver(s.notificationUrl, body);
    }
  };

  const createEvent = (owner: DemoUser, input: EventInput): DemoEvent => {
    const thread = `19:meeting_${randomBytes(16).toString('hex')}@thread.v2`;
    const joinUrl = `https://teams.microsoft.com/l/meetup-join/${encodeURIComponent(thread)}/0`;
    // dateTimeTimeZone.md: a wall-clock time in the named zone. Graph answers in UTC unless the
    // request says `Prefer: outlook.timezone` (event-get.md), so the event is kept in UTC.
    const utc = (t: { dateTime?: string; timeZone?: string } | undefined, fallback: Date) => {
      if (!t?.dateTime) return fallback.toISOString().slice(0, 19);
      const wall = t.dateTime.replace(/Z$/, '').slice(0, 19);
      return !t.timeZone || t.timeZone === 'UTC' ? wall : schoolTimeToInstant(wall, t.timeZone).toISOString().slice(0, 19);
    };
    const start = utc(input.start, new Date());
    const end = utc(input.end, new Date(Date.now() + 3_600_000));
    const attendees = (input.attendees ?? []).flatMap((a) =>
      a.emailAddress?.address
        ? [
            {
              emailAddress: { address: a.emailAddress.address, name: a.emailAddress.name ?? a.emailAddress.address },
              type: (a.type === 'optional' ? 'optional' : 'required') as 'required' | 'optional',
            },
          ]
        : [],
    );
    const organisedHere = !input.organizer || input.organizer.address.toLowerCase() === owner.mail.toLowerCase();
    if (input.isOnlineMeeting && organisedHere) {
      // Teams' defaults for a new meeting: the app must change them for a lesson.
      school.onlineMeetings.push({
        id: `MSo${randomUUID().replace(/-/g, '')}`,
        organizerUserId: owner.id,
        subject: input.subject ?? '',
        startDateTime: `${start}Z`,
        endDateTime: `${end}Z`,
        joinWebUrl: joinUrl,
        recordAutomatically: false,
        allowRecording: true,
        isEntryExitAnnounced: false,
        allowedPresenters: 'everyone',
        lobbyBypassSettings: { scope: 'organization', isDialInBypassEnabled: false },
        lessonGroupId: null,
        recordings: [],
        chatThreadId: thread,
      });
    }
    const event: DemoEvent = {
      id: `AAMk${randomUUID().replace(/-/g, '')}`,
      calendarOwnerId: owner.id,
      subject: input.subject ?? '',
      start: { dateTime: start, timeZone: 'UTC' },
      end: { dateTime: end, timeZone: 'UTC' },
      isOnlineMeeting: !!input.isOnlineMeeting,
      onlineMeetingProvider: input.isOnlineMeeting ? 'teamsForBusiness' : 'unknown',
      onlineMeeting: input.isOnlineMeeting ? { joinUrl } : null,
      isOrganizer: organisedHere,
      organizer: {
        emailAddress: organisedHere ? { address: owner.mail, name: owner.displayName } : { address: input.organizer!.address, name: input.organizer!.name },
      },
      attendees,
    };
    school.events.push(event);
    notify(owner.id, event.id, 'created');
    return event;
  };

  const handlers: HttpHandler[] = [
    // The classes a teacher teaches (Education API); the class id is the class team's group id.
    http.get(`${V}/education/users/:id/taughtClasses`, ({ request, params }) => {
      const u = findUser(String(params.id));
      if (!u) return graphError(404, 'Request_ResourceNotFound', 'User does not exist.');
      const classes = school.groups
        .filter((g) => g.kind === 'class' && g.ownerIds.includes(u.id))
        .map((g) => ({ id: g.id, displayName: g.displayName, mailNickname: g.mailNickname, description: g.description }));
      return listResponse(request, classes);
    }),
    http.post(`${V}/users/:id/events`, async ({ request, params }) => {
      const u = findUser(String(params.id));
      if (!u || u.userType !== 'Member') return graphError(404, 'ErrorInvalidUser', 'The requested user is invalid.');
      const input = (await request.json().catch(() => null)) as EventInput | null;
      if (!input?.subject || !input.start?.dateTime || !input.end?.dateTime)
        return graphError(400, 'ErrorInvalidRequest', 'subject, start and end are required.');
      for (const t of [input.start, input.end])
        if (t.timeZone && t.timeZone !== 'UTC' && !isTimeZone(t.timeZone))
          return graphError(
            400,
            'TimeZoneNotSupportedException',
            `A valid TimeZone value must be specified. The following TimeZone value is not supported: '${t.timeZone}'.`,
          );
      return HttpResponse.json(eventJson(createEvent(u, input)), { status: 201 });
    }),
    http.get(`${V}/users/:id/events/:eventId`, ({ request, params }) => {
      const u = findUser(String(params.id));
      const e = u ? school.events.find((x) => x.id === String(params.eventId) && x.calendarOwnerId === u.id) : undefined;
      return singleResponse(request, e && eventJson(e), 'Event');
    }),
    http.patch(`${V}/users/:id/onlineMeetings/:meetingId`, async ({ params, request }) => {
      const m = school.onlineMeetings.find((x) => x.id === String(params.meetingId));
      const u = findUser(String(params.id));
      if (!m || !u || m.organizerUserId !== u.id) return graphError(404, 'NotFound', 'Online meeting not found.');
      const patch = ((await request.json().catch(() => null)) ?? {}) as Partial<DemoOnlineMeeting>;
      if (patch.allowedPresenters && !['everyone', 'organization', 'roleIsPresenter', 'organizer'].includes(patch.allowedPresenters))
        return graphError(400, 'BadRequest', 'Invalid allowedPresenters.');
      const scope = patch.lobbyBypassSettings?.scope;
      if (scope !== undefined && !LOBBY_SCOPES.includes(scope)) return graphError(400, 'BadRequest', `Invalid lobbyBypassScope '${scope}'.`);
      // A member after the sentinel, from a client that did not opt in, is not a value it may send.
      if (scope && LOBBY_SCOPES_AFTER_SENTINEL.includes(scope) && !optsIntoNewEnums(request))
        return graphError(400, 'BadRequest', `The lobbyBypassScope '${scope}' needs the header Prefer: include-unknown-enum-members.`);
      if (patch.participants && patch.allowedPresenters !== 'roleIsPresenter' && patch.participants.attendees.some((a) => a.role === 'presenter'))
        return graphError(400, 'BadRequest', 'Presenter roles need allowedPresenters roleIsPresenter.');
      for (const key of [
        'recordAutomatically',
        'allowRecording',
        'isEntryExitAnnounced',
        'allowedPresenters',
        'lobbyBypassSettings',
        'subject',
        'participants',
      ] as const) {
        if (patch[key] !== undefined) (m as unknown as Record<string, unknown>)[key] = patch[key];
      }
      return HttpResponse.json(onlineMeetingJson(m, request));
    }),
    http.get(`${V}/users/:id/onlineMeetings/:meetingId/recordings`, ({ request, params }) => {
      const m = school.onlineMeetings.find((x) => x.id === String(params.meetingId));
      if (!m) return graphError(404, 'NotFound', 'Online meeting not found.');
      return listResponse(
        request,
        m.recordings.map((r) => ({
          id: r.id,
          meetingId: m.id,
          createdDateTime: r.createdDateTime,
          recordingContentUrl: `https://graph.microsoft.com/v1.0/users/${m.organizerUserId}/onlineMeetings/${m.id}/recordings/${r.id}/content`,
        })),
      );
    }),
    // The app adds itself to a meeting's chat, so it gets the meeting's start and end events.
    // chat-post-installedapps.md: an app whose definition has application RSC permissions must be
    // installed with consentedPermissionSet matching them (the ...SelfForChat.All permissions
    // "cannot be used to install apps that require consent to resource-specific permissions": the
    // permission table asks for ReadWriteAndConsentSelfForChat.All).
    http.post(`${V}/chats/:chatId/installedApps`, async ({ params, request }) => {
      const chatId = decodeURIComponent(String(params.chatId));
      if (!school.onlineMeetings.some((m) => m.chatThreadId === chatId)) return graphError(404, 'NotFound', 'Chat not found.');
      const body = (await request.json().catch(() => null)) as {
        consentedPermissionSet?: { resourceSpecificPermissions?: Array<{ permissionValue?: string; permissionType?: string }> };
      } | null;
      const consented = new Set((body?.consentedPermissionSet?.resourceSpecificPermissions ?? []).map((p) => `${p.permissionValue}|${p.permissionType}`));
      const needed = catalogChatRsc().filter((p) => p.permissionType === 'Application');
      if (needed.some((p) => !consented.has(`${p.permissionValue}|${p.permissionType}`))) {
        return graphError(
          400,
          'BadRequest',
          'The permissions consented to during the installation must match the resource-specific permissions defined in the app definition (consentedPermissionSet).',
        );
      }
      if (school.appInstalledInChats.has(chatId)) return graphError(409, 'Conflict', 'App is already installed in this chat.');
      school.appInstalledInChats.add(chatId);
      return new HttpResponse(null, { status: 201 });
    }),

    // The app's installation for a person (userteamwork-list-installedapps.md): with the Self
    // permission it sees only itself. Its id is opaque; $filter on teamsApp/id with $expand=teamsApp.
    http.get(`${V}/users/:id/teamwork/installedApps`, ({ request, params }) => {
      const u = findUser(String(params.id));
      if (!u) return graphError(404, 'NotFound', 'User not found');
      const q = new URL(request.url).searchParams;
      const wanted = /teamsApp\/id eq '([^']+)'/i.exec(q.get('$filter') ?? '')?.[1];
      if (q.get('$filter') && !wanted) return graphError(400, 'BadRequest', 'Unsupported $filter.');
      if (!school.appInstalledFor.has(u.id) || (wanted && wanted !== DEMO_CATALOG_APP_ID)) return HttpResponse.json({ value: [] });
      const expand = /teamsApp/.test(q.get('$expand') ?? '');
      return HttpResponse.json({
        value: [
          {
            id: installationId(u.id),
            ...(expand ? { teamsApp: { id: DEMO_CATALOG_APP_ID, externalId: null, displayName: 'E-Safety', distributionMethod: 'organization' } } : {}),
          },
        ],
      });
    }),
    // userscopeteamsappinstallation-get-chat.md: the one-on-one chat of the person and the app.
    http.get(`${V}/users/:id/teamwork/installedApps/:installationId/chat`, ({ params }) => {
      const u = findUser(String(params.id));
      if (!u || !school.appInstalledFor.has(u.id) || decodeURIComponent(String(params.installationId)) !== installationId(u.id))
        return graphError(404, 'NotFound', 'Installation not found.');
      return HttpResponse.json({ '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#chats/$entity', id: personalChatId(u.id) });
    }),

    // Change notifications: created only after the app's endpoint answers the validation request.
    http.post(`${V}/subscriptions`, async ({ request }) => {
      const input = (await request.json().catch(() => null)) as {
        changeType?: string;
        notificationUrl?: string;
        lifecycleNotificationUrl?: string;
        resource?: string;
        expirationDateTime?: string;
        clientState?: string;
      } | null;
      if (!input?.notificationUrl || !input.resource || !input.expirationDateTime || !input.changeType)
        return graphError(400, 'InvalidRequest', 'changeType, notificationUrl, resource and expirationDateTime are required.');
      const maxExpiry = Date.now() + 4230 * 60_000;
      if (Date.parse(input.expirationDateTime) > maxExpiry)
        return graphError(400, 'InvalidRequest', 'Subscription expiration can only be 4230 minutes in the future.');
      const token = randomUUID();
      const answer = await fetch(`${input.notificationUrl}?validationToken=${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'text/plain' },
      }).catch(() => undefined);
      if (!answer || answer.status !== 200 || (await answer.text()) !== token)
        return graphError(
          400,
          'ValidationError',
          'Subscription validation request failed. Notification endpoint must respond with 200 OK to validation request.',
        );
      // The lifecycle endpoint is validated the same way (change-notifications-lifecycle-events.md).
      if (input.lifecycleNotificationUrl && input.lifecycleNotificationUrl !== input.notificationUrl) {
        const token2 = randomUUID();
        const again = await fetch(`${input.lifecycleNotificationUrl}?validationToken=${encodeURIComponent(token2)}`, {
          method: 'POST',
          headers: { 'content-type': 'text/plain' },
        }).catch(() => undefined);
        if (!again || again.status !== 200 || (await again.text()) !== token2)
          return graphError(
            400,
            'ValidationError',
            'Subscription validation request failed. Lifecycle notification endpoint must respond with 200 OK to validation request.',
          );
      }
      const sub = {
        id: randomUUID(),
        resource: input.resource,
        changeType: input.changeType,
        notificationUrl: input.notificationUrl,
        expirationDateTime: input.expirationDateTime,
        clientState: input.clientState ?? '',
        ...(input.lifecycleNotificationUrl ? { lifecycleNotificationUrl: input.lifecycleNotificationUrl } : {}),
      };
      school.subscriptions.push(sub);
      return HttpResponse.json(sub, { status: 201 });
    }),
    http.patch(`${V}/subscriptions/:id`, async ({ request, params }) => {
      const sub = school.subscriptions.find((s) => s.id === String(params.id));
      if (!sub) return graphError(404, 'ResourceNotFound', 'The object was not found.');
      const input = ((await request.json().catch(() => null)) ?? {}) as { expirationDateTime?: string };
      if (input.expirationDateTime) sub.expirationDateTime = input.expirationDateTime;
      return HttpResponse.json(sub);
    }),
    // subscription-reauthorize.md: 204 No Content.
    http.post(`${V}/subscriptions/:id/reauthorize`, ({ params }) => {
      const sub = school.subscriptions.find((s) => s.id === String(params.id));
      if (!sub) return graphError(404, 'ResourceNotFound', 'The object was not found.');
      return new HttpResponse(null, { status: 204 });
    }),
    http.get(`${V}/subscriptions`, ({ request }) =>
      listResponse(
        request,
        school.subscriptions.map((s) => ({ ...s })),
      ),
    ),
  ];

  return {
    handlers,
    meetings: {
      createEventAs: (ownerId, input) => {
        const owner = findUser(ownerId);
        if (!owner) throw new Error(`no demo user ${ownerId}`);
        return createEvent(owner, input);
      },
      addRecording: (onlineMeetingId) => {
        const m = school.onlineMeetings.find((x) => x.id === onlineMeetingId);
        if (!m) throw new Error(`no online meeting ${onlineMeetingId}`);
        m.recordings.push({ id: randomUUID(), createdDateTime: new Date().toISOString() });
      },
      sendLifecycle: async (subscriptionId, lifecycleEvent) => {
        const i = school.subscriptions.findIndex((x) => x.id === subscriptionId);
        const sub = school.subscriptions[i];
        if (!sub) throw new Error(`no subscription ${subscriptionId}`);
        // Without a lifecycle URL Graph has nowhere to say so: the subscription just goes.
        if (lifecycleEvent === 'subscriptionRemoved') school.subscriptions.splice(i, 1);
        if (!sub.lifecycleNotificationUrl) return 0;
        notificationsSent += 1;
        return deliver(sub.lifecycleNotificationUrl, {
          value: [
            {
              subscriptionId: sub.id,
              subscriptionExpirationDateTime: sub.expirationDateTime,
              tenantId: school.tenantId,
              clientState: sub.clientState,
              lifecycleEvent,
            },
          ],
        });
      },
      get notificationsSent() {
        return notificationsSent;
      },
      get deliveries() {
        return deliveries;
      },
    },
  };
}
