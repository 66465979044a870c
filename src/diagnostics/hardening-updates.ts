// Hardening updates that can set off KCD/live-migration failures (DOMAIN.md §4). Several links
// to live migration are unverified; the finding is a correlation (info), never a verdict.
export const HARDENING_UPDATES: Readonly<Record<string, string>> = {
  KB4598347: 'Kerberos "Bronze Bit" S4U hardening, CVE-2020-17049',
  KB4586781: 'November 2020 update with S4U authentication issues',
  KB4577252: 'RBCD and Protected Users hardening, CVE-2020-16996',
  KB5008380: 'PAC hardening, CVE-2021-42287',
  KB5021131: 'Kerberos AES session-key default, CVE-2022-37966',
  KB5021654: 'November 2022 out-of-band Kerberos fix',
  KB5021655: 'November 2022 out-of-band Kerberos fix',
  KB5021656: 'November 2022 out-of-band Kerberos fix',
  KB5020805: 'Kerberos PAC signatures, CVE-2022-37967',
  KB5037754: 'PAC validation, CVE-2024-26248/29056',
  KB5073381: 'RC4 default disablement, CVE-2026-20833',
};

/** How long before the first failure an installed update still counts as a suspect. */
export const CORRELATION_WINDOW_DAYS = 30;
