import type { AlertRaiseJob } from "../../worker/jobs/messages";
import type { PacificDay } from "../../worker/quota/pacific-day";
import { headroom, thresholdsReached } from "./bands";
import type { JobOutbox } from "./outbox";
import type { ProjectState } from "./rules";
import type { LedgerStore } from "./store";

/** A project with fewer units left than one title change (videos.update) counts as exhausted for the all-exhausted alert. */
const EXHAUSTED_MARGIN = 50;

/**
 * The ledger's quota alerts: a project past 80 % or 95 % of its day, and every project exhausted.
 * Each is raised once per subject per Pacific day (an alert mark in storage) as a job in the
 * outbox, and cleared when the day rolls over.
 */
export class LedgerAlerts {
  /** Alert marks known to exist, so a project above 80 % does not write on every grant. */
  private readonly raised = new Set<string>();

  constructor(
    private readonly store: LedgerStore,
    private readonly outbox: JobOutbox,
  ) {}

  /** Raises what a project's day has reached; `all` gives every project's day when it runs low. */
  checkProject(state: ProjectState, day: PacificDay, all: () => ProjectState[]): void {
    const projectId = state.project.id;
    for (const threshold of thresholdsReached(state)) {
      const percent = Math.round(threshold.share * 100);
      this.raiseOnce(day, {
        type: "alert.raise",
        kind: threshold.kind,
        subject: projectId,
        severity: threshold.severity,
        message: `YouTube quota project ${projectId} has committed ${percent} % of its day ${day.key}: ${state.used + state.reserved} of ${state.dailyLimit} units${state.exhausted ? " (exhausted)" : ""}.`,
        episode: day.key,
        data: {
          project: projectId,
          day: day.key,
          used: state.used,
          reserved: state.reserved,
          dailyLimit: state.dailyLimit,
          resetAt: day.endsAt,
        },
      });
    }
    if (headroom(state) < EXHAUSTED_MARGIN) this.checkAllExhausted(day, all());
  }

  /** Raises the all-exhausted alert when no project has room for one title change. */
  checkAllExhausted(day: PacificDay, states: readonly ProjectState[]): void {
    if (states.length === 0 || states.some((s) => headroom(s) >= EXHAUSTED_MARGIN)) return;
    this.raiseOnce(day, {
      type: "alert.raise",
      kind: "quota.exhausted",
      subject: "all",
      severity: "critical",
      message: `Every YouTube quota project is exhausted for ${day.key}; rotations wait for the reset at ${new Date(day.endsAt).toISOString()}.`,
      episode: day.key,
      data: { day: day.key, projects: states.length, resetAt: day.endsAt },
    });
  }

  /** Yesterday's warnings end with yesterday's quota: queues a clear for each alert before `day`. */
  clearBefore(day: PacificDay, at: number): void {
    for (const mark of this.store.clearAlertsBefore(day.key)) {
      this.outbox.enqueue(
        { type: "alert.clear", kind: mark.kind, subject: mark.subject, episode: mark.day },
        at,
      );
    }
    this.raised.clear();
  }

  private raiseOnce(day: PacificDay, job: AlertRaiseJob): void {
    const key = `${day.key}|${job.kind}|${job.subject}`;
    if (this.raised.has(key)) return;
    this.raised.add(key);
    if (this.store.markAlert(day.key, job.kind, job.subject, Date.now()))
      this.outbox.enqueue(job, Date.now());
  }
}
