import { action, query } from "@solidjs/router";
import type { InferResponseType } from "hono/client";
import { api, send } from "./api";

/** The creator's e-mail choices, as `GET /api/me/notifications` answers them. */
export type NotificationChoices = InferResponseType<(typeof api.me.notifications)["$get"], 200>;

/** The signed-in creator's e-mail choices. */
export const getNotificationChoices = query(
  async (): Promise<NotificationChoices> => (await send(api.me.notifications.$get())).json(),
  "notification-choices",
);

/** Turns one kind of e-mail on or off; the choices are read again afterwards. */
export const setNotificationChoice = action(
  async (change: Partial<NotificationChoices>): Promise<NotificationChoices> =>
    (await send(api.me.notifications.$put({ json: change }))).json(),
  "set-notification-choice",
);
