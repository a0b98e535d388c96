import { Route, Router, type RouteSectionProps } from "@solidjs/router";
import { lazy, Suspense } from "solid-js";
import { render } from "solid-js/web";
import Header from "./components/header";
import LoadError, { LoadBoundary } from "./components/load-error";
import { getMe } from "./data/me";
import { SessionProvider } from "./session";
// In this order: components and pages refine the base. Vite bundles them into one stylesheet.
import "./styles/base.css";
import "./styles/components.css";
import "./styles/pages.css";

const Landing = lazy(() => import("./pages/landing"));
const Videos = lazy(() => import("./pages/videos"));
const Account = lazy(() => import("./pages/account"));
const Dashboard = lazy(() => import("./pages/dashboard"));
const NewTest = lazy(() => import("./pages/new-test/wizard"));
const Test = lazy(() => import("./pages/test"));
const Admin = lazy(() => import("./pages/admin"));
const BillingSuccess = lazy(() => import("./pages/billing-success"));
const BillingCheckout = lazy(() => import("./pages/billing-checkout"));
const NotFound = lazy(() => import("./pages/not-found"));

/** Every page's frame: the session, the header, and one place that catches a failed load. */
function Layout(props: RouteSectionProps) {
  return (
    <SessionProvider>
      <Header />
      <LoadBoundary
        keys={getMe.key}
        instead={(err, retry) => (
          <main>
            <LoadError error={err} retry={retry} />
          </main>
        )}
      >
        <Suspense fallback={<main aria-busy="true" />}>{props.children}</Suspense>
      </LoadBoundary>
    </SessionProvider>
  );
}

const root = document.getElementById("root");
if (root) {
  render(
    () => (
      <Router root={Layout}>
        <Route path="/" component={Landing} />
        <Route path="/videos" component={Videos} />
        <Route path="/account" component={Account} />
        <Route path="/dashboard" component={Dashboard} />
        <Route path="/tests/new" component={NewTest} />
        <Route path="/tests/:id" component={Test} />
        <Route path="/admin" component={Admin} />
        <Route path="/billing/success" component={BillingSuccess} />
        <Route path="/billing/checkout" component={BillingCheckout} />
        <Route path="*404" component={NotFound} />
      </Router>
    ),
    root,
  );
}
