/*
 * The security headers, with no imports: the Worker's middleware sets them on its responses and
 * the SPA's build (`frontend/vite.config.ts`) writes the same into `_headers` for static assets.
 */

/** Whether the headers are for production (HSTS, no loopback images) or a local/test build. */
export type HeaderMode = "production" | "development";

/**
 * Where the SPA's images come from: YouTube's thumbnail and channel-avatar hosts, and Google's
 * profile-picture host (the header's avatar). Locally the emulator serves images from its own
 * loopback origin on a port chosen at start, so non-production builds allow loopback images.
 */
const IMAGE_HOSTS = ["https://i.ytimg.com", "https://yt3.ggpht.com", "https://lh3.googleusercontent.com"];
const LOOPBACK_IMAGES = ["http://127.0.0.1:*", "http://localhost:*"];

/**
 * The Content-Security-Policy of the SPA and the API. Scripts, styles and connections only from
 * this origin: Vite builds every script and stylesheet into /assets/, and Solid sets `style`
 * props through the CSSOM (`style.setProperty`), which CSP does not govern, so no
 * `'unsafe-inline'` is needed. No framing, no `<base>`, forms post only here.
 */
function contentSecurityPolicy(mode: HeaderMode): string {
  const images = ["'self'", "data:", ...IMAGE_HOSTS, ...(mode === "production" ? [] : LOOPBACK_IMAGES)];
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    `img-src ${images.join(" ")}`,
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "frame-ancestors 'none'",
    "base-uri 'none'",
    "form-action 'self'",
  ].join("; ");
}

/** Every security header of a response, for `mode` (shared by the API and the SPA's `_headers`). */
export function securityHeaders(mode: HeaderMode): Record<string, string> {
  return {
    "Content-Security-Policy": contentSecurityPolicy(mode),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Permissions-Policy":
      "camera=(), microphone=(), geolocation=(), payment=(), usb=(), interest-cohort=(), browsing-topics=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    // Browsers remember HSTS per host: only production, never a local or preview host.
    ...(mode === "production" ? { "Strict-Transport-Security": "max-age=63072000; includeSubDomains" } : {}),
  };
}
