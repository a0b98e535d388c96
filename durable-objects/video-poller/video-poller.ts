import { DurableObject } from "cloudflare:workers";
import type { QuotaPriority } from "../../worker/quota/types";
import { VIDEO_IDS_PER_CALL } from "../../worker/youtube/client";
import { YouTubeError } from "../../worker/youtube/errors";
import { youtubeClient } from "../../worker/youtube/from-env";
import { type PollAnswer, polledVideoOf } from "./polled-video";

interface Waiter {
  priority: QuotaPriority;
  resolve: (answer: PollAnswer) => void;
}

const rank: Record<QuotaPriority, number> = { background: 0, standard: 1, premium: 2 };

/**
 * Coalesces the boundary reads of many tests into `videos.list` calls of up to 50 ids (1 unit per
 * 50 videos). Rotators whose boundaries fall in the same window wait together: the
 * batch goes out when 50 distinct videos are waiting or `POLL_WINDOW_MS` after the first one came.
 * Reads use an API key from the ledger (public statistics may be charged to any project), at the
 * highest priority among the waiting tests. Nothing is stored: a lost batch only means the
 * rotators' steps fail and retry.
 */
export class VideoPoller extends DurableObject<Env> {
  private waiting = new Map<string, Waiter[]>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** The video's snippet and statistics, read in the next batch. */
  read(videoId: string, priority: QuotaPriority): Promise<PollAnswer> {
    return new Promise((resolve) => {
      const waiters = this.waiting.get(videoId) ?? [];
      waiters.push({ priority, resolve });
      this.waiting.set(videoId, waiters);
      if (this.waiting.size >= VIDEO_IDS_PER_CALL) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), this.windowMs());
    });
  }

  private windowMs(): number {
    const ms = Number(this.env.POLL_WINDOW_MS);
    return Number.isFinite(ms) && ms >= 0 ? ms : 1000;
  }

  /** Sends one batch of up to 50 waiting videos; the rest wait for the next window. */
  private flush(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.waiting.entries()].slice(0, VIDEO_IDS_PER_CALL);
    for (const [id] of batch) this.waiting.delete(id);
    if (this.waiting.size > 0) this.timer = setTimeout(() => this.flush(), 0);
    const waiters = batch.flatMap(([, w]) => w);
    const priority = waiters.reduce<QuotaPriority>(
      (best, w) => (rank[w.priority] > rank[best] ? w.priority : best),
      "background",
    );
    const ids = batch.map(([id]) => id);
    this.ctx.waitUntil(this.send(ids, priority, new Map(batch)));
  }

  private async send(ids: string[], priority: QuotaPriority, waiters: Map<string, Waiter[]>): Promise<void> {
    let answers: (id: string) => PollAnswer;
    try {
      const videos = await youtubeClient(this.env).getPublicVideos(ids, { priority });
      const byId = new Map(videos.map((v) => [v.id, v]));
      answers = (id) => ({ ok: true, video: polledVideoOf(byId.get(id)) });
    } catch (err) {
      const failure: PollAnswer =
        err instanceof YouTubeError
          ? { ok: false, kind: err.kind, message: err.message, retryAt: err.retryAt }
          : { ok: false, kind: "transient", message: err instanceof Error ? err.message : String(err) };
      answers = () => failure;
    }
    for (const [id, list] of waiters) for (const w of list) w.resolve(answers(id));
  }
}
