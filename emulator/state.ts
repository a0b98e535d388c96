import { DurableObject } from "cloudflare:workers";
import { migrateSqlite } from "../worker/durable/sqlite-migrations";
import { clearAccrualCache } from "./accrual-cache";
import type {
  AccountInput,
  CallsQuery,
  ChannelInput,
  ClockInput,
  CtrInput,
  FaultAdminInput,
  ProjectInput,
  SettingsInput,
  VideoAdminInput,
  VideoPatch,
} from "./admin-schemas";
import { listCalls } from "./call-log";
import {
  createAccount,
  createChannel,
  createVideo,
  ctrOverridesOf,
  findAccount,
  getChannel,
  getVideo,
  setCtr,
  setTitle,
  titlesOf,
  videoStatistics,
} from "./catalog";
import type { EmulatorEnv } from "./env";
import { clearFaults, faultFor, setFault } from "./faults";
import { type ApiCall, handleApiCall } from "./gateway";
import { oauthError, serverError } from "./google-errors";
import * as oauth from "./oauth";
import { HOUR_MS } from "./pacific-time";
import { exhaust, type ProjectRow, quotaStatus } from "./quota";
import { json, type Reply } from "./reply";
import { handleReportingCall, type ReportingCall } from "./reporting";
import { MIGRATIONS, RESETTABLE_TABLES } from "./schema";
import { projectRow, seedDemo } from "./seed";
import { readSettings, retimed, type Settings, simNow, writeSettings } from "./settings";
import { loadSigningKey, type SigningKey } from "./signing-key";
import { hiddenCtr } from "./simulation";

/**
 * The emulator's whole state, one instance (`idFromName("google")`): SQLite storage so it
 * survives restarts of the dev server. Routes call one RPC method per request; the object never
 * waits on anything but its own storage, and fault delays are applied by the route.
 */
export class EmulatorState extends DurableObject<EmulatorEnv> {
  private key!: SigningKey;
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: EmulatorEnv) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    ctx.blockConcurrencyWhile(async () => {
      migrateSqlite(this.sql, MIGRATIONS);
      this.key = await loadSigningKey(this.sql);
    });
  }

  private settings(): Settings {
    return readSettings(this.sql, Date.now());
  }

  private project(id: string): ProjectRow | undefined {
    return this.sql.exec<ProjectRow>("SELECT * FROM projects WHERE id = ?", id).toArray()[0];
  }

  // ---- Google's surface -------------------------------------------------------------------

  /** A Data or Analytics API call. */
  api(call: ApiCall): Reply {
    return handleApiCall(this.sql, call, this.settings(), Date.now());
  }

  /** A Reporting API call. */
  reporting(call: ReportingCall): Reply {
    return handleReportingCall(this.sql, call, simNow(this.settings(), Date.now()), Date.now());
  }

  /** GET /o/oauth2/v2/auth. */
  authorize(params: Record<string, string>, selfUrl: string): Reply {
    return oauth.authorize(this.sql, params, selfUrl, Date.now());
  }

  /** POST /token (faults: method "oauth.token"). */
  async token(
    form: Record<string, string>,
    issuer: string,
    basic?: { clientId: string; clientSecret: string },
  ): Promise<Reply> {
    const clientId = basic?.clientId ?? form.client_id ?? "";
    const projectId = this.sql
      .exec<{ id: string }>("SELECT id FROM projects WHERE client_id = ?", clientId)
      .toArray()[0]?.id;
    const fault = faultFor(this.sql, "oauth.token", projectId);
    if (fault.failStatus) {
      const reply =
        fault.failStatus === 503
          ? oauthError(503, "temporarily_unavailable", "The service is temporarily unavailable.")
          : serverError(fault.failStatus);
      return { ...reply, delayMs: fault.delayMs };
    }
    const reply = await oauth.token(this.sql, form, {
      key: this.key,
      issuer,
      accessTokenTtlSeconds: this.settings().accessTokenTtlSeconds,
      nowReal: Date.now(),
      basic,
    });
    return { ...reply, delayMs: fault.delayMs };
  }

  /** POST /revoke. */
  revoke(token: string): Reply {
    return oauth.revoke(this.sql, token);
  }

  /** GET /oauth2/v3/userinfo. */
  userinfo(token: string): Reply {
    return oauth.userinfo(this.sql, token, Date.now());
  }

  /** GET /oauth2/v3/certs. */
  jwks(): Reply {
    return json(200, { keys: [this.key.publicJwk] }, { "cache-control": "public, max-age=3600" });
  }

  // ---- Admin API --------------------------------------------------------------------------

  /** Empties everything but the signing key. */
  reset(): Reply {
    for (const table of RESETTABLE_TABLES) this.sql.exec(`DELETE FROM ${table}`);
    clearAccrualCache();
    return json(200, { reset: true });
  }

  /** Creates the demo creator and the default project (idempotent). */
  seed(): Reply {
    return json(200, seedDemo(this.sql, simNow(this.settings(), Date.now())));
  }

  /** Creates a Google account. */
  createAccount(input: AccountInput): Reply {
    if (findAccount(this.sql, input.email) || (input.sub && findAccount(this.sql, input.sub))) {
      return json(409, { error: "account exists" });
    }
    return json(201, createAccount(this.sql, input));
  }

  /** Creates a channel for an account. */
  createChannel(input: ChannelInput): Reply {
    const account = findAccount(this.sql, input.account);
    if (!account) return json(404, { error: `no account ${input.account}` });
    const row = createChannel(
      this.sql,
      { ...input, accountSub: account.sub },
      simNow(this.settings(), Date.now()),
    );
    return json(201, { ...row, uploadsPlaylistId: `UU${row.id.slice(2)}` });
  }

  /** Creates a video on a channel. */
  createVideo(input: VideoAdminInput): Reply {
    if (!getChannel(this.sql, input.channelId)) return json(404, { error: `no channel ${input.channelId}` });
    if (input.id && getVideo(this.sql, input.id)) return json(409, { error: "video exists" });
    const now = simNow(this.settings(), Date.now());
    const publishedAt =
      typeof input.publishedAt === "string" ? Date.parse(input.publishedAt) : input.publishedAt;
    const row = createVideo(this.sql, { ...input, publishedAt }, now);
    if (input.titleCtr !== undefined)
      setCtr(this.sql, row.id, input.title, input.titleCtr, row.published_sim);
    return json(201, { id: row.id, channelId: row.channel_id, title: input.title });
  }

  /** A Studio edit: changes fields without the Data API (no quota, no call log). */
  patchVideo(id: string, patch: VideoPatch): Reply {
    const video = getVideo(this.sql, id);
    if (!video) return json(404, { error: `no video ${id}` });
    if (patch.description !== undefined)
      this.sql.exec("UPDATE videos SET description = ? WHERE id = ?", patch.description, id);
    if (patch.tags !== undefined)
      this.sql.exec(
        "UPDATE videos SET tags = ? WHERE id = ?",
        patch.tags.length ? JSON.stringify(patch.tags) : null,
        id,
      );
    if (patch.title !== undefined) {
      const s = this.settings();
      setTitle(this.sql, id, patch.title, simNow(s, Date.now()), s.propagationSeconds, "studio");
    }
    return json(200, { id });
  }

  /** A deletion in Studio: the video and its titles are gone (the Data API answers 404 for it). */
  deleteVideo(id: string): Reply {
    if (!getVideo(this.sql, id)) return json(404, { error: `no video ${id}` });
    this.sql.exec("DELETE FROM titles WHERE video_id = ?", id);
    this.sql.exec("DELETE FROM ctr_overrides WHERE video_id = ?", id);
    this.sql.exec("DELETE FROM videos WHERE id = ?", id);
    return json(200, { id, deleted: true });
  }

  /** A video's title timeline with each title's CTR, and its statistics now. */
  timeline(id: string): Reply {
    const video = getVideo(this.sql, id);
    if (!video) return json(404, { error: `no video ${id}` });
    const now = simNow(this.settings(), Date.now());
    const titles = titlesOf(this.sql, id);
    const overrides = ctrOverridesOf(this.sql, id);
    return json(200, {
      videoId: id,
      now: new Date(now).toISOString(),
      statistics: videoStatistics(this.sql, video, now, titles),
      titles: titles.map((t) => ({
        seq: t.seq,
        title: t.title,
        setAt: new Date(t.set_sim).toISOString(),
        effectiveAt: new Date(t.effective_sim).toISOString(),
        source: t.source,
        hiddenCtr:
          overrides.filter((o) => o.title === t.title).sort((a, b) => b.from - a.from)[0]?.ctr ??
          hiddenCtr(t.title),
      })),
    });
  }

  /** Registers (or replaces) a project: OAuth client, API key, daily limit. */
  registerProject(input: ProjectInput): Reply {
    const row = projectRow(input);
    this.sql.exec(
      `INSERT INTO projects (id, client_id, client_secret, api_key, daily_limit, redirect_uris, access_token_ttl_seconds)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET client_id = excluded.client_id, client_secret = excluded.client_secret,
         api_key = excluded.api_key, daily_limit = excluded.daily_limit, redirect_uris = excluded.redirect_uris,
         access_token_ttl_seconds = excluded.access_token_ttl_seconds`,
      row.id,
      row.client_id,
      row.client_secret,
      row.api_key,
      row.daily_limit,
      row.redirect_uris,
      row.access_token_ttl_seconds,
    );
    return json(201, {
      id: row.id,
      clientId: row.client_id,
      apiKey: row.api_key,
      dailyLimit: row.daily_limit,
    });
  }

  /** A project's quota today. */
  quota(projectId: string): Reply {
    const project = this.project(projectId);
    if (!project) return json(404, { error: `no project ${projectId}` });
    return json(200, quotaStatus(this.sql, project, Date.now()));
  }

  /** Spends the rest of a project's day. */
  exhaustQuota(projectId: string): Reply {
    const project = this.project(projectId);
    if (!project) return json(404, { error: `no project ${projectId}` });
    exhaust(this.sql, project, Date.now());
    return json(200, quotaStatus(this.sql, project, Date.now()));
  }

  /** Sets a title's hidden CTR from the next simulated hour on (earlier hours keep theirs). */
  setCtr(input: CtrInput): Reply {
    if (!getVideo(this.sql, input.videoId)) return json(404, { error: `no video ${input.videoId}` });
    const now = simNow(this.settings(), Date.now());
    const from = Math.ceil(now / HOUR_MS) * HOUR_MS;
    setCtr(this.sql, input.videoId, input.title, input.ctr, from);
    return json(200, { ...input, from: new Date(from).toISOString() });
  }

  /** The simulated clock. */
  clock(): Reply {
    const s = this.settings();
    return json(200, {
      now: new Date(simNow(s, Date.now())).toISOString(),
      nowMs: simNow(s, Date.now()),
      speed: s.speed,
    });
  }

  /** Changes the simulation speed and/or jumps simulated time forward (never back). */
  setClock(input: ClockInput): Reply {
    writeSettings(this.sql, retimed(this.settings(), Date.now(), input.speed, input.advanceSeconds));
    return this.clock();
  }

  /** Changes propagation delay or token lifetime. */
  setSettings(input: SettingsInput): Reply {
    const s = { ...this.settings(), ...input };
    writeSettings(this.sql, s);
    return json(200, {
      propagationSeconds: s.propagationSeconds,
      accessTokenTtlSeconds: s.accessTokenTtlSeconds,
      speed: s.speed,
    });
  }

  /** Sets a fault. */
  setFault(input: FaultAdminInput): Reply {
    setFault(this.sql, { ...input, latencyMs: input.timeout ? 120_000 : input.latencyMs });
    return json(200, input);
  }

  /** Clears faults (all, or one project's). */
  clearFaults(project?: string): Reply {
    clearFaults(this.sql, project);
    return json(200, { cleared: true });
  }

  /** Revokes every token of an account (by sub or email). */
  revokeAccount(account: string): Reply {
    const row = findAccount(this.sql, account);
    if (!row) return json(404, { error: `no account ${account}` });
    return json(200, { sub: row.sub, revoked: oauth.revokeAccount(this.sql, row.sub) });
  }

  /** The call log. */
  calls(query: CallsQuery): Reply {
    return json(200, { calls: listCalls(this.sql, query) });
  }
}
