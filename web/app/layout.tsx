import './globals.css';
import type { ReactNode } from 'react';
import { Identity } from '@/components/identity';

export const metadata = {
  title: 'Truth Engine console',
  description: 'Send a buggy program, watch candidates run in sandboxes, keep only what is verified.',
};

export const viewport = { width: 'device-width', initialScale: 1 };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="bg-slate-100 text-slate-900">
        <a
          href="#main"
          className="sr-only focus:not-sr-only focus:absolute focus:left-2 focus:top-2 focus:z-50 focus:rounded focus:bg-white focus:p-2"
        >
          Skip to content
        </a>
        <header className="border-b border-slate-200 bg-white">
          <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-x-4 gap-y-2 px-4 py-3">
            <a href="/" className="font-semibold text-blue-800">
              Truth Engine
            </a>
            <span className="hidden text-sm text-slate-600 sm:inline">
              only what passes is called verified
            </span>
            <nav aria-label="Console" className="flex gap-3 text-sm">
              <a href="/" className="text-blue-800 underline">
                Fix
              </a>
              <a href="/transform" className="text-blue-800 underline">
                Transform
              </a>
            </nav>
            <Identity />
          </div>
        </header>
        <div id="main" className="mx-auto max-w-6xl px-3 py-4 sm:px-4">
          {children}
        </div>
      </body>
    </html>
  );
}
