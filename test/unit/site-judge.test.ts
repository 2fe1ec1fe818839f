import { describe, expect, it } from 'vitest';
import { judgeSites, type SiteVerdict } from '../../shared/kinds/task/site-judge.js';

const site = (index: number, passed: boolean[], extra: Partial<SiteVerdict> = {}): SiteVerdict => ({
  index,
  ran: true,
  passed,
  consoleErrors: 0,
  bytes: 1000,
  ...extra,
});
const empty = site(0, [false, false, false]);

describe('Function: judgeSites', () => {
  it('verifies only a site that passed every check, with none left unverified', () => {
    const all = judgeSites(empty, [site(1, [true, true, true])], { compiled: 3, unverified: 0 });
    expect(all).toMatchObject({ status: 'verified', winner: { index: 1, score: 3 }, failed: [] });
    const withUnverified = judgeSites(empty, [site(1, [true, true, true])], { compiled: 3, unverified: 1 });
    expect(withUnverified).toMatchObject({ status: 'partial', winner: { index: 1 } });
    expect(withUnverified.reason).toContain('could not be verified');
  });

  it('picks the highest score, then fewer console errors, then fewer bytes, then the lower index', () => {
    const checks = { compiled: 3, unverified: 0 };
    expect(
      judgeSites(empty, [site(1, [true, false, false]), site(2, [true, true, false])], checks).winner?.index,
    ).toBe(2);
    expect(
      judgeSites(
        empty,
        [
          site(1, [true, true, false], { consoleErrors: 2 }),
          site(2, [true, true, false], { consoleErrors: 0 }),
        ],
        checks,
      ).winner?.index,
    ).toBe(2);
    expect(
      judgeSites(
        empty,
        [site(3, [true, true, false], { bytes: 900 }), site(2, [true, true, false], { bytes: 1200 })],
        checks,
      ).winner?.index,
    ).toBe(3);
    const partial = judgeSites(empty, [site(1, [true, false, true])], checks);
    expect(partial).toMatchObject({ status: 'partial', failed: [1] });
  });

  it('says the checks prove nothing when the site before the round already passes them all', () => {
    const judgement = judgeSites(site(0, [true, true]), [site(1, [true, true])], {
      compiled: 2,
      unverified: 0,
    });
    expect(judgement).toMatchObject({ status: 'not_reproduced', winner: null });
  });

  it('never names a site that did not run, and fails a round with no executable check', () => {
    const hung = site(1, [false, false], { ran: false });
    expect(judgeSites(empty, [hung], { compiled: 2, unverified: 0 })).toMatchObject({
      status: 'no_fix',
      winner: null,
    });
    expect(judgeSites(empty, [site(1, [])], { compiled: 0, unverified: 3 }).status).toBe('failed');
  });
});
