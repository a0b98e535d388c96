import { createAsync, Navigate } from "@solidjs/router";
import { type Accessor, createContext, type JSX, Show, useContext } from "solid-js";
import { type Account, getMe } from "./data/me";

/** The signed-in account: `undefined` while loading, `null` when signed out. */
const UserContext = createContext<Accessor<Account | null | undefined>>(() => undefined);

/** Loads the signed-in user once for the whole app; actions revalidate it by `getMe.key`. */
export function SessionProvider(props: { children: JSX.Element }) {
  const user = createAsync(() => getMe());
  return <UserContext.Provider value={user}>{props.children}</UserContext.Provider>;
}

/** The signed-in account (`null` when signed out, `undefined` while loading). */
export function useUser(): Accessor<Account | null | undefined> {
  return useContext(UserContext);
}

/** Renders its children with the account, or sends a signed-out visitor to the front page. */
export function SignedIn(props: { children: (user: Account) => JSX.Element }) {
  const user = useUser();
  return (
    <Show when={user()} keyed fallback={<Show when={user() === null}>{<Navigate href="/" />}</Show>}>
      {(u) => props.children(u)}
    </Show>
  );
}
