import { z } from "zod";
import { billingIntervals } from "../../schema/billing";
import { paidPlans } from "./config";

/** `POST /api/billing/checkout`: the plan to buy and how often to pay. */
export const checkoutInput = z.object({ plan: z.enum(paidPlans), interval: z.enum(billingIntervals) });

/** `POST /api/billing/keep`: the running tests to keep after a downgrade (the others are paused). */
export const keepInput = z.object({ testIds: z.array(z.uuid()).max(100) });
