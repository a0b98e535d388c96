/** The YouTube/Google client: the only code that talks to Google (see client.ts). */

export type { CacheStore } from "./cache-store";
export {
  type CallReport,
  VIDEO_IDS_PER_CALL,
  YouTubeClient,
  type YouTubeClientOptions,
  type YouTubeUser,
} from "./client";
export { GOOGLE_DEFAULTS, type GoogleEndpoints, type GoogleEndpointVars, googleEndpoints } from "./endpoints";
export { YouTubeError, type YouTubeErrorKind } from "./errors";
export * from "./oauth";
export type * from "./types";
export { isValidTitle } from "./video-resource";
