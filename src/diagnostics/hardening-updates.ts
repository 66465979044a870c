// Kerberos-hardening months and the cumulative updates released in them (docs/domain.md
// "Updates and hardening"). Machines install monthly cumulative updates (KB5019081, KB5073379…),
// never the guidance articles that describe a change (KB5021131, KB5020805, KB5008380,
// KB5037754, KB5073381 are "how to manage" articles), so an update is matched to a hardening
// change by its release month, and a failure is correlated with an update by timing alone: an
// update this table does not know still correlates. Several links to live migration are
// unverified; the finding is a correlation, never a verdict.

/** How long before the first failure an installed update still counts as a suspect. */
export const CORRELATION_WINDOW_DAYS = 7;

export interface HardeningMonth {
  /** What the month's updates changed in Kerberos, with the guidance article that describes it. */
  change: string;
  /** The guidance article (support.microsoft.com/help/<number>). */
  guidance: string;
}

/** Release month (YYYY-MM) → the Kerberos hardening its updates carried. */
export const HARDENING_MONTHS: Readonly<Record<string, HardeningMonth>> = {
  '2020-11': { change: 'Kerberos S4U "Bronze Bit" hardening (CVE-2020-17049; the out-of-band updates of 2020-11-17/19 fixed its S4U regressions)', guidance: 'KB4598347' },
  '2021-11': { change: 'PAC and sAMAccountName hardening (CVE-2021-42287, CVE-2021-42278; the out-of-band updates of 2021-11-14 fixed its Kerberos regressions)', guidance: 'KB5008380' },
  '2022-11': { change: 'Kerberos AES session-key default and PAC signatures (CVE-2022-37966, CVE-2022-37967; KDC events 14/27, fixed out of band on 2022-11-17)', guidance: 'KB5021131, KB5020805' },
  '2024-04': { change: 'PAC validation hardening, compatibility phase (CVE-2024-26248, CVE-2024-29056)', guidance: 'KB5037754' },
  '2025-01': { change: 'PAC validation moved to enforced by default (CVE-2024-26248, CVE-2024-29056)', guidance: 'KB5037754' },
  '2025-04': { change: 'PAC validation enforcement phase (CVE-2024-26248, CVE-2024-29056)', guidance: 'KB5037754' },
  '2026-01': { change: 'RC4 default disablement, audit phase: KDC events 201–209 (CVE-2026-20833)', guidance: 'KB5073381' },
  '2026-04': { change: 'RC4 default disablement, enforcement phase: accounts without explicit encryption types get AES only (CVE-2026-20833)', guidance: 'KB5073381' },
};

export interface CumulativeUpdate {
  os: 'Windows Server 2016' | 'Windows Server 2019' | 'Windows Server 2022' | 'Windows Server 2025';
  /** Release date (YYYY-MM-DD). */
  released: string;
}

/**
 * The monthly (B) and out-of-band cumulative updates of the hardening months, per OS, with their
 * release dates, from Microsoft's "Windows Server release information" release history
 * (https://learn.microsoft.com/en-us/windows/release-health/windows-server-release-info).
 */
export const CUMULATIVE_UPDATES: Readonly<Record<string, CumulativeUpdate>> = {
  // 2020-11
  KB4586830: { os: 'Windows Server 2016', released: '2020-11-10' },
  KB4594441: { os: 'Windows Server 2016', released: '2020-11-19' },
  KB4586793: { os: 'Windows Server 2019', released: '2020-11-10' },
  KB4594442: { os: 'Windows Server 2019', released: '2020-11-17' },
  // 2021-11
  KB5007192: { os: 'Windows Server 2016', released: '2021-11-09' },
  KB5008601: { os: 'Windows Server 2016', released: '2021-11-14' },
  KB5007206: { os: 'Windows Server 2019', released: '2021-11-09' },
  KB5008602: { os: 'Windows Server 2019', released: '2021-11-14' },
  KB5007205: { os: 'Windows Server 2022', released: '2021-11-09' },
  // 2022-11
  KB5019964: { os: 'Windows Server 2016', released: '2022-11-08' },
  KB5021654: { os: 'Windows Server 2016', released: '2022-11-17' },
  KB5019966: { os: 'Windows Server 2019', released: '2022-11-08' },
  KB5021655: { os: 'Windows Server 2019', released: '2022-11-17' },
  KB5019081: { os: 'Windows Server 2022', released: '2022-11-08' },
  KB5021656: { os: 'Windows Server 2022', released: '2022-11-17' },
  // 2024-04
  KB5036899: { os: 'Windows Server 2016', released: '2024-04-09' },
  KB5036896: { os: 'Windows Server 2019', released: '2024-04-09' },
  KB5036909: { os: 'Windows Server 2022', released: '2024-04-09' },
  // 2025-01
  KB5049993: { os: 'Windows Server 2016', released: '2025-01-14' },
  KB5050008: { os: 'Windows Server 2019', released: '2025-01-14' },
  KB5049983: { os: 'Windows Server 2022', released: '2025-01-14' },
  KB5052819: { os: 'Windows Server 2022', released: '2025-01-18' },
  KB5050009: { os: 'Windows Server 2025', released: '2025-01-14' },
  // 2025-04
  KB5055521: { os: 'Windows Server 2016', released: '2025-04-08' },
  KB5058921: { os: 'Windows Server 2016', released: '2025-04-11' },
  KB5055519: { os: 'Windows Server 2019', released: '2025-04-08' },
  KB5058922: { os: 'Windows Server 2019', released: '2025-04-11' },
  KB5059091: { os: 'Windows Server 2019', released: '2025-04-16' },
  KB5055526: { os: 'Windows Server 2022', released: '2025-04-08' },
  KB5058920: { os: 'Windows Server 2022', released: '2025-04-11' },
  KB5059092: { os: 'Windows Server 2022', released: '2025-04-16' },
  KB5055523: { os: 'Windows Server 2025', released: '2025-04-08' },
  KB5059087: { os: 'Windows Server 2025', released: '2025-04-16' },
  // 2026-01
  KB5073722: { os: 'Windows Server 2016', released: '2026-01-13' },
  KB5073723: { os: 'Windows Server 2019', released: '2026-01-13' },
  KB5077795: { os: 'Windows Server 2019', released: '2026-01-17' },
  KB5078131: { os: 'Windows Server 2019', released: '2026-01-24' },
  KB5073457: { os: 'Windows Server 2022', released: '2026-01-13' },
  KB5077800: { os: 'Windows Server 2022', released: '2026-01-17' },
  KB5078136: { os: 'Windows Server 2022', released: '2026-01-24' },
  KB5073379: { os: 'Windows Server 2025', released: '2026-01-13' },
  KB5077793: { os: 'Windows Server 2025', released: '2026-01-17' },
  KB5078135: { os: 'Windows Server 2025', released: '2026-01-24' },
  // 2026-04
  KB5082198: { os: 'Windows Server 2016', released: '2026-04-14' },
  KB5091572: { os: 'Windows Server 2016', released: '2026-04-19' },
  KB5082123: { os: 'Windows Server 2019', released: '2026-04-14' },
  KB5091573: { os: 'Windows Server 2019', released: '2026-04-19' },
  KB5082142: { os: 'Windows Server 2022', released: '2026-04-14' },
  KB5091575: { os: 'Windows Server 2022', released: '2026-04-19' },
  KB5082063: { os: 'Windows Server 2025', released: '2026-04-14' },
  KB5091157: { os: 'Windows Server 2025', released: '2026-04-19' },
};

/** What this table knows of an update: its OS, release date, and the hardening its month carried. */
export function describeUpdate(kb: string): (CumulativeUpdate & { month: string; hardening: HardeningMonth | undefined }) | undefined {
  const cu = CUMULATIVE_UPDATES[kb.toUpperCase()];
  if (!cu) return undefined;
  const month = cu.released.slice(0, 7);
  return { ...cu, month, hardening: HARDENING_MONTHS[month] };
}
