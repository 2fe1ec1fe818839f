import { describe, expect, it } from 'vitest';
import {
  decodeSiteBundle,
  encodeSiteBundle,
  SiteBundleError,
  type SiteFile,
} from '../../shared/kinds/task/site.js';

const bundle = (files: unknown) => JSON.stringify({ files });
const b64 = (text: string) => Buffer.from(text).toString('base64');

describe('Function: encodeSiteBundle / decodeSiteBundle', () => {
  it('carries every file byte for byte, binary included, in the documented JSON shape', () => {
    // Prepare
    const files: SiteFile[] = [
      { path: 'index.html', content: Buffer.from('<!DOCTYPE html><title>Ünïcode ✓</title>') },
      { path: 'img/logo.png', content: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0xfe, 0x0a]) },
      { path: 'empty.txt', content: Buffer.alloc(0) },
    ];
    // Act
    const text = encodeSiteBundle(files);
    const decoded = decodeSiteBundle(text);
    // Assess
    expect(JSON.parse(text)).toEqual({
      files: files.map((f) => ({ path: f.path, base64: f.content.toString('base64') })),
    });
    expect(decoded.map((f) => f.path)).toEqual(files.map((f) => f.path));
    expect(decoded.map((f) => f.content.toString('hex'))).toEqual(
      files.map((f) => f.content.toString('hex')),
    );
  });

  it.each(['../secret', '/etc/passwd', 'a/../b', '.git/config', 'dir/.env', 'a\\b', '', 'a//b'])(
    'refuses the unsafe path %j, naming it',
    (path) => {
      const text = bundle([{ path, base64: b64('x') }]);
      expect(() => decodeSiteBundle(text)).toThrow(SiteBundleError);
      expect(() => decodeSiteBundle(text)).toThrow(/files\.0\.path.*is not a safe site path/);
    },
  );

  it('refuses a path given twice', () => {
    const text = bundle([
      { path: 'index.html', base64: b64('a') },
      { path: 'index.html', base64: b64('b') },
    ]);
    expect(() => decodeSiteBundle(text)).toThrow(/"index\.html" is given twice/);
  });

  it('refuses what is not a bundle: not JSON, a missing list, extra keys, content that is not base64', () => {
    expect(() => decodeSiteBundle('{"files": [')).toThrow(/must be JSON/);
    expect(() => decodeSiteBundle('{}')).toThrow(/invalid site bundle: files/);
    expect(() => decodeSiteBundle(bundle([{ path: 'a.html', text: 'hi' }]))).toThrow(SiteBundleError);
    expect(() => decodeSiteBundle(bundle([{ path: 'a.html', base64: b64('x'), mode: 7 }]))).toThrow(
      SiteBundleError,
    );
    expect(() => decodeSiteBundle(JSON.stringify({ files: [], extra: 1 }))).toThrow(SiteBundleError);
    // Node would decode these leniently into other bytes than were meant; they are refused instead.
    for (const bad of ['not base64!', 'abc', 'ab=c', '====']) {
      expect(() => decodeSiteBundle(bundle([{ path: 'a.bin', base64: bad }])), bad).toThrow(/is not base64/);
    }
  });
});
