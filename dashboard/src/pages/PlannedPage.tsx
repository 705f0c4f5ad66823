/** A page whose slot exists (navigation and route) and whose content comes with its own change. */
export function PlannedPage({ title, what }: { title: string; what: string }) {
  return (
    <>
      <h1>{title}</h1>
      <div className="state state-empty" role="status">
        <p className="state-title">Not here yet</p>
        <p>This page will hold {what}.</p>
      </div>
    </>
  );
}
