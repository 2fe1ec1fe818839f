export default function NotFound() {
  return (
    <main className="grid grid-cols-[minmax(0,1fr)] gap-2">
      <h1 className="text-xl font-semibold">Not found</h1>
      <p>
        <a className="text-blue-800 underline" href="/">
          Back to the console
        </a>
      </p>
    </main>
  );
}
