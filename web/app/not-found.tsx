export default function NotFound() {
  return (
    <main className="grid gap-2">
      <h1 className="text-xl font-semibold">Not found</h1>
      <p>
        <a className="text-blue-800 underline" href="/">
          Back to the console
        </a>
      </p>
    </main>
  );
}
