import { plans } from "../../worker/auth/plans";
import { youtubeUserOf } from "../../worker/users/youtube-user";
import type { YouTubeUser } from "../../worker/youtube/client";
import { YouTubeError } from "../../worker/youtube/errors";
import { youtubeClient } from "../../worker/youtube/from-env";
import { DEFAULT_RETRY } from "../../worker/youtube/retry";
import type { VideoSnippet } from "../../worker/youtube/types";
import { type PolledVideo, polledVideoOf } from "../video-poller/polled-video";
import { videoPoller } from "../video-poller/stub";
import type { State } from "./state";

const MINUTE = 60_000;
/**
 * A title change is sent once per alarm: after a timeout the rotator reads the live title on its
 * next try instead of sending blind (a timed-out update may have been applied).
 */
const UPDATE_ONCE = { ...DEFAULT_RETRY, attempts: 1 };

/** The test's owner as the YouTube client needs them; a grant lost or marked lost is a reauth. */
export async function ownerOnYouTube(env: Env, state: State): Promise<YouTubeUser> {
  if (state.owner.status === "needs_reauth") {
    throw new YouTubeError("auth_revoked", "no Google grant is stored for this user");
  }
  return youtubeUserOf(env, { id: state.userId, plan: state.owner.plan }, state.owner);
}

/** The live video, through the VideoPoller's batch (or the owner's token for a private video). */
export async function readVideo(env: Env, state: State): Promise<PolledVideo> {
  const priority = plans[state.owner.plan].quotaPriority;
  const answer = await videoPoller(env).read(state.videoId, priority);
  if (!answer.ok) {
    // A boundary read runs on whichever project the ledger picked, not the owner's: its quota
    // running out says nothing about theirs, and the ledger picks another project next time.
    const retryAt = answer.kind === "quota_exhausted" ? Date.now() + MINUTE : answer.retryAt;
    throw new YouTubeError(answer.kind, answer.message, { retryAt });
  }
  if (answer.video) return answer.video;
  // Not public: a private video is only visible to its owner.
  const user = await ownerOnYouTube(env, state);
  const [video] = await youtubeClient(env).getVideos(user, [state.videoId], { fresh: true });
  const polled = polledVideoOf(video);
  if (!polled) throw new YouTubeError("not_found", "The video is gone", { reason: "videoNotFound" });
  return polled;
}

/** One `videos.update`, with the snippet read at this boundary, at the owner's project and priority. */
export async function changeTitle(
  env: Env,
  state: State,
  title: string,
  current: VideoSnippet,
): Promise<void> {
  const user = await ownerOnYouTube(env, state);
  await youtubeClient(env, { retry: UPDATE_ONCE }).updateVideoTitle(user, state.videoId, title, { current });
}
