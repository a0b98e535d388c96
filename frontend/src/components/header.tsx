import { A } from "@solidjs/router";
import { Show } from "solid-js";
import { useUser } from "../session";

/** The app bar: name, navigation when signed in, and who is signed in. */
export default function Header() {
  const user = useUser();
  return (
    <header class="bar">
      <A href={user() ? "/dashboard" : "/"} class="brand">
        TitleTesterPro
      </A>
      <Show when={user()}>
        {(u) => (
          <>
            <nav aria-label="Main">
              <A href="/dashboard">Tests</A>
              <A href="/videos">Videos</A>
              <A href="/account">Account</A>
              <Show when={u().role === "admin"}>
                <A href="/admin">Admin</A>
              </Show>
            </nav>
            <span class="who">
              {/* The channel's avatar first: the creator works as their channel here. */}
              <Show when={u().channelAvatarUrl ?? u().avatarUrl}>
                {(src) => <img src={src()} alt="" width="28" height="28" referrerpolicy="no-referrer" />}
              </Show>
              <span class="email">{u().email}</span>
            </span>
          </>
        )}
      </Show>
    </header>
  );
}
