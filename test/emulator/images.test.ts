import { describe, expect, it } from "vitest";
import { call, type ListBody, ORIGIN, type VideoItem, world } from "./fixtures";

/**
 * Thumbnails and avatars: the Data API's resources point at the emulator's own host, in YouTube's
 * sizes, and the emulator serves a distinct, deterministic picture there, cached like a CDN's.
 */

const SVG_SIZE = /<svg[^>]* width="(\d+)" height="(\d+)"/;

async function image(url: string, headers: Record<string, string> = {}) {
  const path = url.startsWith(ORIGIN) ? url.slice(ORIGIN.length) : url;
  return call<string>(path, { headers });
}

describe("thumbnails and avatars", () => {
  it("lists every video thumbnail size at the emulator's host and serves each at that size", async () => {
    const w = await world({ videoCount: 2 });
    const [a, b] = w.videos as unknown as [{ id: string }, { id: string }];
    const res = await call<ListBody<VideoItem>>(
      `/youtube/v3/videos?part=snippet&id=${a.id},${b.id}&key=${w.project.apiKey}`,
    );
    const thumbs = res.body.items.map((i) => i.snippet?.thumbnails ?? {});
    expect(Object.entries(thumbs[0] ?? {}).map(([k, t]) => [k, t.width, t.height])).toEqual([
      ["default", 120, 90],
      ["medium", 320, 180],
      ["high", 480, 360],
      ["standard", 640, 480],
      ["maxres", 1280, 720],
    ]);
    for (const t of Object.values(thumbs[0] ?? {})) {
      expect(t.url.startsWith(`${ORIGIN}/vi/${a.id}/`)).toBe(true);
      const got = await image(t.url);
      expect(got.status).toBe(200);
      expect(got.headers.get("content-type")).toBe("image/svg+xml");
      expect(got.headers.get("cache-control")).toMatch(/^public, max-age=\d+$/);
      const [, width, height] = SVG_SIZE.exec(got.body) ?? [];
      expect([Number(width), Number(height)]).toEqual([t.width, t.height]);
    }
    // Distinct per video, identical on every read.
    const first = await image(thumbs[0]?.medium?.url ?? "");
    const again = await image(thumbs[0]?.medium?.url ?? "");
    const other = await image(thumbs[1]?.medium?.url ?? "");
    expect(again.body).toBe(first.body);
    expect(other.body).not.toBe(first.body);
    // A client holding it gets a 304.
    const etag = first.headers.get("etag") ?? "";
    expect(etag).not.toBe("");
    expect((await image(thumbs[0]?.medium?.url ?? "", { "if-none-match": etag })).status).toBe(304);
  });

  it("serves channel avatars at 88, 240 and 800 pixels", async () => {
    const w = await world({ videoCount: 0 });
    const res = await call<
      ListBody<{ snippet: { thumbnails: Record<string, { url: string; width: number; height: number }> } }>
    >(`/youtube/v3/channels?part=snippet&id=${w.channel.id}&key=${w.project.apiKey}`);
    const thumbs = res.body.items[0]?.snippet.thumbnails ?? {};
    expect(Object.values(thumbs).map((t) => t.width)).toEqual([88, 240, 800]);
    for (const t of Object.values(thumbs)) {
      const got = await image(t.url);
      expect(got.status).toBe(200);
      const [, width, height] = SVG_SIZE.exec(got.body) ?? [];
      expect([Number(width), Number(height)]).toEqual([t.width, t.width]);
    }
  });

  it("answers 404 for a size YouTube does not have", async () => {
    expect((await call("/vi/abc/huge.svg")).status).toBe(404);
    expect((await call("/yt3/UCabc/s99.svg")).status).toBe(404);
  });
});
