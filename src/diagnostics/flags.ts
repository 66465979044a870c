// Bit values the checks test, with their AD names (ADS_USER_FLAG_ENUM, MS-KILE 2.2.7), so every
// check and message speaks the same vocabulary.
export const UAC = {
  ACCOUNTDISABLE: 0x2,
  WORKSTATION_TRUST_ACCOUNT: 0x1000,
  TRUSTED_FOR_DELEGATION: 0x80000,
  NOT_DELEGATED: 0x100000,
  TRUSTED_TO_AUTH_FOR_DELEGATION: 0x1000000,
} as const;

export const ENCTYPE = { DES_RC4_MASK: 0x7, AES_MASK: 0x18 } as const;

export function hex(value: number): string {
  return `0x${value.toString(16).toUpperCase()}`;
}

export function hasFlag(value: number, flag: number): boolean {
  // `>>> 0` keeps bit 31 from turning the test negative.
  return ((value & flag) >>> 0) !== 0;
}

/** The value as read and in hex, the form evidence records so people can compare with ADUC. */
export function numberEvidence(value: number): { value: number; hex: string } {
  return { value, hex: hex(value) };
}
