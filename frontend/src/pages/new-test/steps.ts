/** The wizard's steps, in order, as its step list and its "Change …" buttons name them. */
export const stepNames = ["Video", "Titles", "Settings", "Confirm"] as const;

/** A step of the wizard, counted from 1. */
export type Step = 1 | 2 | 3 | 4;
