import { A } from "@solidjs/router";

/** Any path the app doesn't know. */
export default function NotFound() {
  return (
    <main>
      <h1>Page not found</h1>
      <p>There's nothing at this address.</p>
      <A href="/">Go to the front page</A>
    </main>
  );
}
