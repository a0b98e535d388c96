import { hashString } from "./random";
import type { Reply } from "./reply";

/**
 * Video thumbnails and channel avatars, served by the emulator itself (a local stack cannot reach
 * i.ytimg.com or yt3.ggpht.com): a distinct SVG per video or channel, derived from its id alone, in
 * YouTube's sizes, with width and height set so an `<img>` gets its natural size, and cached like
 * a CDN's images.
 */

/** YouTube's video thumbnail sizes, by the key `snippet.thumbnails` uses. */
export const VIDEO_THUMBNAIL_SIZES = {
  default: { file: "default", width: 120, height: 90 },
  medium: { file: "mqdefault", width: 320, height: 180 },
  high: { file: "hqdefault", width: 480, height: 360 },
  standard: { file: "sddefault", width: 640, height: 480 },
  maxres: { file: "maxresdefault", width: 1280, height: 720 },
} as const;

/** A key of `snippet.thumbnails` of a video. */
export type VideoThumbnailKey = keyof typeof VIDEO_THUMBNAIL_SIZES;

/** YouTube's channel avatar sizes (square), by thumbnail key. */
export const AVATAR_SIZES = { default: 88, medium: 240, high: 800 } as const;

/** How long browsers and CDNs may keep an image (YouTube's image hosts send hours). */
const CACHE_CONTROL = "public, max-age=7200";

/** The URL of a video's thumbnail on the emulator. */
export function videoThumbnailUrl(origin: string, videoId: string, key: VideoThumbnailKey): string {
  return `${origin}/vi/${encodeURIComponent(videoId)}/${VIDEO_THUMBNAIL_SIZES[key].file}.svg`;
}

/** The URL of a channel's avatar on the emulator. */
export function avatarUrl(origin: string, channelId: string, side: number): string {
  return `${origin}/yt3/${encodeURIComponent(channelId)}/s${side}.svg`;
}

const escapeXml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

function palette(id: string): { a: string; b: string; c: string } {
  const h = hashString(id);
  const hue = h % 360;
  return {
    a: `hsl(${hue} 62% 42%)`,
    b: `hsl(${(hue + 40 + ((h >>> 9) % 80)) % 360} 70% 58%)`,
    c: `hsl(${(hue + 180) % 360} 55% 88%)`,
  };
}

function svgReply(svg: string, id: string): Reply {
  return {
    status: 200,
    body: svg,
    contentType: "image/svg+xml",
    headers: { "cache-control": CACHE_CONTROL, etag: `"${hashString(svg).toString(36)}-${id.length}"` },
  };
}

/** A video's thumbnail at one of YouTube's sizes, or undefined for an unknown file name. */
export function videoThumbnail(videoId: string, file: string): Reply | undefined {
  const size = Object.values(VIDEO_THUMBNAIL_SIZES).find((s) => `${s.file}.svg` === file);
  if (!size || !/^[\w-]{1,64}$/.test(videoId)) return undefined;
  const { width: w, height: h } = size;
  const { a, b, c } = palette(videoId);
  const seed = hashString(`${videoId}:shape`);
  const cx = Math.round(w * (0.25 + (seed % 50) / 100));
  const cy = Math.round(h * (0.3 + ((seed >>> 8) % 40) / 100));
  const r = Math.round(Math.min(w, h) * (0.18 + ((seed >>> 16) % 20) / 100));
  const font = Math.max(10, Math.round(h / 9));
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}">
<defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${a}"/><stop offset="1" stop-color="${b}"/></linearGradient></defs>
<rect width="${w}" height="${h}" fill="url(#g)"/>
<circle cx="${cx}" cy="${cy}" r="${r}" fill="${c}" fill-opacity="0.55"/>
<polygon points="${Math.round(w * 0.44)},${Math.round(h * 0.36)} ${Math.round(w * 0.44)},${Math.round(h * 0.64)} ${Math.round(w * 0.58)},${Math.round(h * 0.5)}" fill="#fff" fill-opacity="0.9"/>
<text x="${Math.round(w / 2)}" y="${h - Math.round(font * 0.8)}" font-family="sans-serif" font-size="${font}" fill="#fff" text-anchor="middle">${escapeXml(videoId)}</text>
</svg>`;
  return svgReply(svg, videoId);
}

/** A channel's avatar at one of YouTube's sizes (`s88.svg`, …), or undefined. */
export function channelAvatar(channelId: string, file: string): Reply | undefined {
  const side = Object.values(AVATAR_SIZES).find((s) => `s${s}.svg` === file);
  if (!side || !/^[\w-]{1,64}$/.test(channelId)) return undefined;
  const { a, b } = palette(channelId);
  const letter = escapeXml((channelId.replace(/^UC/, "")[0] ?? "?").toUpperCase());
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${side}" height="${side}" viewBox="0 0 100 100">
<defs><linearGradient id="g" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${a}"/><stop offset="1" stop-color="${b}"/></linearGradient></defs>
<circle cx="50" cy="50" r="50" fill="url(#g)"/>
<text x="50" y="66" font-family="sans-serif" font-size="46" fill="#fff" text-anchor="middle">${letter}</text>
</svg>`;
  return svgReply(svg, channelId);
}
