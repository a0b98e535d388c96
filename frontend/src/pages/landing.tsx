/** The signed-out front page: what the product does. */
export default function Landing() {
  return (
    <main>
      <h1>TitleTesterPro</h1>
      <p>
        A/B test the title of a published YouTube video: we rotate the live title on a schedule, count the
        views each title earns, and tell you which one wins — with statistics you can trust.
      </p>
    </main>
  );
}
