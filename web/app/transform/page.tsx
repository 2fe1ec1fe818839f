'use client';
import { TransformScreen } from '@/components/transform/transform-screen';

export default function TransformPage() {
  return (
    <main className="grid grid-cols-[minmax(0,1fr)] gap-3">
      <h1 className="text-xl font-semibold">Transform a table</h1>
      <TransformScreen />
    </main>
  );
}
