'use client';
import { ErrorAlert } from '@/components/alert';
import { Button } from '@/components/ui/button';

// Whatever breaks while rendering is said, never left as a blank screen.
export default function ErrorPage({ error, reset }: { error: Error; reset: () => void }) {
  return (
    <main className="grid grid-cols-[minmax(0,1fr)] gap-3">
      <ErrorAlert message={`the console failed: ${error.message}`} />
      <div className="flex gap-2">
        <Button type="button" onClick={reset}>
          Try again
        </Button>
        <Button asChild variant="outline">
          <a href="/">Back to the form</a>
        </Button>
      </div>
    </main>
  );
}
