import { Route, Router } from "@solidjs/router";
import { lazy } from "solid-js";
import { render } from "solid-js/web";

const Landing = lazy(() => import("./pages/landing"));

const root = document.getElementById("root");
if (root) {
  render(
    () => (
      <Router>
        <Route path="*" component={Landing} />
      </Router>
    ),
    root,
  );
}
