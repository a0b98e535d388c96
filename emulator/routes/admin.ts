import { zValidator } from "@hono/zod-validator";
import { Hono } from "hono";
import { z } from "zod";
import {
  accountInput,
  callsQuery,
  channelInput,
  clockInput,
  ctrInput,
  faultInput,
  projectInput,
  settingsInput,
  videoInput,
  videoPatch,
} from "../admin-schemas";
import type { EmulatorAppEnv } from "../env";
import { answer, emulatorState } from "./answer";

/** Answers invalid admin input with a 400 that names the problem. */
const invalid = (
  result: { success: boolean; error?: { issues: unknown } },
  c: { json: (b: unknown, s: 400) => Response },
) => (result.success ? undefined : c.json({ error: "invalid input", issues: result.error?.issues }, 400));

/**
 * The emulator's own control surface under /__emulator (never part of Google's): state, faults,
 * clock, CTRs and the call log. Tests and `npm start` drive it; see the README of emulator/.
 */
export const adminRoutes = new Hono<EmulatorAppEnv>()
  .get("/health", (c) => c.json({ ok: true }))
  .post("/reset", async (c) => answer(await emulatorState(c.env).reset()))
  .post("/seed", async (c) => answer(await emulatorState(c.env).seed()))
  .post("/accounts", zValidator("json", accountInput, invalid), async (c) =>
    answer(await emulatorState(c.env).createAccount(c.req.valid("json"))),
  )
  .post("/accounts/:account/revoke", async (c) =>
    answer(await emulatorState(c.env).revokeAccount(c.req.param("account"))),
  )
  .post("/channels", zValidator("json", channelInput, invalid), async (c) =>
    answer(await emulatorState(c.env).createChannel(c.req.valid("json"))),
  )
  .post("/videos", zValidator("json", videoInput, invalid), async (c) =>
    answer(await emulatorState(c.env).createVideo(c.req.valid("json"))),
  )
  .patch("/videos/:id", zValidator("json", videoPatch, invalid), async (c) =>
    answer(await emulatorState(c.env).patchVideo(c.req.param("id"), c.req.valid("json"))),
  )
  .delete("/videos/:id", async (c) => answer(await emulatorState(c.env).deleteVideo(c.req.param("id"))))
  .get("/videos/:id/timeline", async (c) => answer(await emulatorState(c.env).timeline(c.req.param("id"))))
  .post("/projects", zValidator("json", projectInput, invalid), async (c) =>
    answer(await emulatorState(c.env).registerProject(c.req.valid("json"))),
  )
  .get("/projects/:id/quota", async (c) => answer(await emulatorState(c.env).quota(c.req.param("id"))))
  .post("/projects/:id/exhaust", async (c) =>
    answer(await emulatorState(c.env).exhaustQuota(c.req.param("id"))),
  )
  .put("/ctr", zValidator("json", ctrInput, invalid), async (c) =>
    answer(await emulatorState(c.env).setCtr(c.req.valid("json"))),
  )
  .get("/clock", async (c) => answer(await emulatorState(c.env).clock()))
  .put("/clock", zValidator("json", clockInput, invalid), async (c) =>
    answer(await emulatorState(c.env).setClock(c.req.valid("json"))),
  )
  .put("/settings", zValidator("json", settingsInput, invalid), async (c) =>
    answer(await emulatorState(c.env).setSettings(c.req.valid("json"))),
  )
  .put("/faults", zValidator("json", faultInput, invalid), async (c) =>
    answer(await emulatorState(c.env).setFault(c.req.valid("json"))),
  )
  .delete("/faults", zValidator("query", z.object({ project: z.string().optional() }), invalid), async (c) =>
    answer(await emulatorState(c.env).clearFaults(c.req.valid("query").project)),
  )
  .get("/calls", zValidator("query", callsQuery, invalid), async (c) =>
    answer(await emulatorState(c.env).calls(c.req.valid("query"))),
  );
