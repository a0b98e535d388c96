import { type Context, Hono } from "hono";
import type { EmulatorAppEnv } from "../env";
import type { ReportingCall, ReportingMethod } from "../reporting";
import { answer, emulatorState, queryRecord } from "./answer";

/** The bearer token (header or access_token); the Reporting API takes no API keys. */
function bearer(c: Context<EmulatorAppEnv>): string | undefined {
  const header = c.req.header("authorization");
  if (header) return header.match(/^Bearer\s+(.+)$/i)?.[1]?.trim() ?? "";
  return c.req.query("access_token");
}

function call(
  method: ReportingMethod,
  extra: (c: Context<EmulatorAppEnv>) => Partial<ReportingCall> = () => ({}),
) {
  return async (c: Context<EmulatorAppEnv>) => {
    const body = c.req.method === "POST" ? await c.req.text() : undefined;
    return answer(
      await emulatorState(c.env).reporting({
        method,
        bearer: bearer(c),
        params: queryRecord(c, ["access_token"]),
        body,
        origin: new URL(c.req.url).origin,
        ...extra(c),
      }),
    );
  };
}

const job = (c: Context<EmulatorAppEnv>) => ({ jobId: c.req.param("jobId") });

/**
 * YouTube Reporting API v1 (youtubereporting.googleapis.com): report types, reporting jobs, their
 * reports, and the media endpoint the reports' downloadUrl points at.
 */
export const reportingRoutes = new Hono<EmulatorAppEnv>()
  .get("/v1/reportTypes", call("reporting.reportTypes.list"))
  .post("/v1/jobs", call("reporting.jobs.create"))
  .get("/v1/jobs", call("reporting.jobs.list"))
  .get("/v1/jobs/:jobId", call("reporting.jobs.get", job))
  .delete("/v1/jobs/:jobId", call("reporting.jobs.delete", job))
  .get("/v1/jobs/:jobId/reports", call("reporting.reports.list", job))
  .get(
    "/v1/jobs/:jobId/reports/:reportId",
    call("reporting.reports.get", (c) => ({ ...job(c), reportId: c.req.param("reportId") })),
  )
  .get(
    "/v1/media/*",
    call("reporting.media.download", (c) => ({
      resourceName: decodeURIComponent(new URL(c.req.url).pathname.slice("/v1/media/".length)),
    })),
  );
